import createDebug from 'debug';
import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import { InvalidArgumentError, UnavailableError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { assertDocumentKey } from './document-operations.js';
import { checkChange, checkCreate, checkListOptions, checkStoreOption, checkWriteOptions } from './document-store-arguments.js';
import { checkWritable, createRevision, documentNotFound, nextDocument } from './document-revisions.js';
import type {
  CreateDocumentInput,
  DocumentPage,
  DocumentStore,
  DocumentTransform,
  GetDocumentOptions,
  ListDocumentsOptions,
  WriteDocumentOptions,
  WriteResult,
} from './document-store.js';
import { MONGO_DOCUMENT_STORE_DEFAULTS, type DocumentStoreLogger, type MongoDocumentStoreOptions } from './mongo-document-store-options.js';
import { NOT_IMPLEMENTED, isDuplicateKeyError, toStoreError } from './mongo-errors.js';
import { fromStored, isStoredExpired, notExpiredFilter, toStoredData, toStoredUpdate, type StoredDocument } from './mongo-stored-document.js';

export type { DocumentStoreLogEntry, DocumentStoreLogger, MongoDocumentStoreOptions } from './mongo-document-store-options.js';
export { MONGO_DOCUMENT_STORE_DEFAULTS } from './mongo-document-store-options.js';

const debug = createDebug('realtime:sync:mongo-document-store');

/** How long a health check waits for the database. */
const HEALTH_TIMEOUT_MS = 1000;

/**
 * The MongoDB `DocumentStore` (official driver; collection `sync_documents`).
 *
 * Why writes look like this: every update is one atomic conditional `updateOne` filtered on the
 * revision that was read (`{ _id, realm, service, id, revision, deleted: {$ne: true}, not expired }`)
 * that `$set`s the new data and `$inc`s the revision. If it matches nothing, someone else wrote
 * first: with `expectedRevision` that is a CONFLICT carrying the current document; without it the
 * store reads again, re-applies the transform and retries (compare-and-set loop), so concurrent
 * writers never lose each other's updates, across any number of processes, with no locks.
 * Filtering on `_id` too means a document that expired and was created again under the same key
 * (a new `_id`) is never mistaken for the one that was read.
 *
 * Expiry: a TTL index on `expiresAt` removes expired documents; reads hide them before that. On
 * servers that refuse TTL indexes (FerretDB answers code 238) the store warns through `logger` and
 * sweeps on a timer instead.
 *
 * Data is stored encoded so that any JSON works on MongoDB and FerretDB alike: keys containing `.`
 * or NUL or starting with `$` are escaped, arrays nested in arrays are wrapped (`mongo-data-codec.ts`).
 * Driver errors never leak: see `toStoreError`.
 *
 * @example
 * const store = new MongoDocumentStore({ url: 'mongodb://127.0.0.1:27017', dbName: 'realtime' });
 * await store.ready();
 * const doc = await store.create('acme', 'session', { data: { status: 'open' } });
 * await store.close();
 */
export class MongoDocumentStore implements DocumentStore {
  private readonly client: MongoClient;
  private readonly ownsClient: boolean;
  private readonly dbName: string;
  private readonly collectionName: string;
  private readonly maxDocumentBytes: number;
  private readonly sweepIntervalMs: number;
  private readonly maxWriteAttempts: number;
  private readonly logger: DocumentStoreLogger;
  private readonly now: () => number;
  private initializing: Promise<Collection<StoredDocument>> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MongoDocumentStoreOptions) {
    const defaults = MONGO_DOCUMENT_STORE_DEFAULTS;
    if ((options.client === undefined) === (options.url === undefined)) {
      throw new InvalidArgumentError('MongoDocumentStore needs exactly one of `client` or `url`');
    }
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new MongoClient(options.url ?? '', { ...defaults.clientOptions, ...options.clientOptions });
    this.dbName = options.dbName ?? defaults.dbName;
    this.collectionName = options.collectionName ?? defaults.collectionName;
    this.maxDocumentBytes = checkStoreOption('maxDocumentBytes', options.maxDocumentBytes, defaults.maxDocumentBytes);
    this.sweepIntervalMs = checkStoreOption('sweepIntervalMs', options.sweepIntervalMs, defaults.sweepIntervalMs, true);
    this.maxWriteAttempts = checkStoreOption('maxWriteAttempts', options.maxWriteAttempts, defaults.maxWriteAttempts);
    this.logger = options.logger ?? defaults.logger;
    this.now = options.now ?? defaults.now;
  }

  /**
   * Connects (for an owned client) and creates the indexes. Every operation does this on first
   * use; call it at start-up to fail fast. A failure is not cached: the next call tries again.
   */
  async ready(): Promise<void> {
    await this.collection();
  }

  async create(realm: string, service: string, input: CreateDocumentInput): Promise<SyncDocument> {
    this.assertOpen();
    const checked = checkCreate(realm, service, input, this.now(), this.maxDocumentBytes);
    const collection = await this.collection();
    const key = { realm, service, id: checked.id };
    for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt += 1) {
      const now = this.now();
      const fresh: StoredDocument = {
        ...key,
        revision: 1,
        data: toStoredData(checked.data),
        createdAt: new Date(now),
        updatedAt: new Date(now),
        ...(checked.expiresAt === undefined ? {} : { expiresAt: new Date(checked.expiresAt) }),
      };
      try {
        await collection.insertOne({ ...fresh });
        return fromStored(fresh);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw toStoreError(err);
      }
      // The key is taken: by a live document (ALREADY_EXISTS), a tombstone or an expired one.
      const existing = await this.run(() => collection.findOne(key));
      if (existing === null) continue; // removed meanwhile (TTL): insert again
      // ALREADY_EXISTS over a live document; otherwise the revision rules decide (createRevision).
      const revision = createRevision(fromStored(existing), service, checked.id, now);
      if (isStoredExpired(existing, now)) {
        // Counts as never having existed (revision 1): remove it (if still the same one) and insert.
        await this.run(() => collection.deleteOne({ _id: existing._id, revision: existing.revision }));
        continue;
      }
      // A tombstone comes back to life with the next revision, if nobody beat us to it.
      const { matchedCount } = await this.run(() =>
        collection.updateOne(
          { _id: existing._id, revision: existing.revision, deleted: true },
          {
            $set: { revision, data: fresh.data, createdAt: fresh.createdAt, updatedAt: fresh.updatedAt, ...expirySet(fresh) },
            $unset: { deleted: '', ...(fresh.expiresAt === undefined ? { expiresAt: '' } : {}) },
          },
        ),
      );
      if (matchedCount === 1) return fromStored({ ...fresh, revision });
    }
    throw tooMuchContention(service, checked.id, this.maxWriteAttempts);
  }

  async get(realm: string, service: string, id: string, options: GetDocumentOptions = {}): Promise<SyncDocument> {
    this.assertOpen();
    assertDocumentKey(realm, service, id);
    const collection = await this.collection();
    const stored = await this.run(() => collection.findOne({ realm, service, id }));
    if (stored === null || isStoredExpired(stored, this.now()) || (stored.deleted === true && options.includeDeleted !== true)) {
      throw documentNotFound(service, id);
    }
    return fromStored(stored);
  }

  async list(realm: string, service: string, options?: ListDocumentsOptions): Promise<DocumentPage> {
    this.assertOpen();
    assertDocumentKey(realm, service);
    const { limit, after } = checkListOptions(options);
    const collection = await this.collection();
    const filter = {
      realm,
      service,
      deleted: { $ne: true as const },
      ...notExpiredFilter(this.now()),
      ...(after === undefined ? {} : { id: { $gt: after } }),
    };
    // One extra document tells whether another page follows.
    const found = await this.run(() =>
      collection
        .find(filter)
        .sort({ id: 1 })
        .limit(limit + 1)
        .toArray(),
    );
    const items = found.slice(0, limit).map(fromStored);
    const last = items[items.length - 1];
    return found.length > limit && last !== undefined ? { items, nextCursor: last.id } : { items };
  }

  async write(realm: string, service: string, id: string, transform: DocumentTransform, options?: WriteDocumentOptions): Promise<WriteResult> {
    this.assertOpen();
    assertDocumentKey(realm, service, id);
    const { expectedRevision, expiresAt } = checkWriteOptions(options, this.now());
    const collection = await this.collection();
    for (let attempt = 1; attempt <= this.maxWriteAttempts; attempt += 1) {
      const stored = await this.run(() => collection.findOne({ realm, service, id }));
      const now = this.now();
      // NOT_FOUND / CONFLICT, and the next document, come from the shared revision rules.
      if (stored === null) throw documentNotFound(service, id);
      const current = checkWritable(fromStored(stored), service, id, expectedRevision, now);
      // Transform errors (e.g. a bad mutation) propagate as they are.
      const change = checkChange(transform(structuredClone(current)), this.maxDocumentBytes);
      const next = nextDocument(current, change, expiresAt, now);

      const update = toStoredUpdate(next, expiresAt);
      // The compare-and-set: matches only if the document is still the one that was read.
      const { matchedCount } = await this.run(() =>
        collection.updateOne(
          {
            _id: stored._id,
            realm,
            service,
            id,
            revision: stored.revision,
            deleted: { $ne: true },
            ...notExpiredFilter(now),
          },
          update,
        ),
      );
      if (matchedCount === 1) return { previous: current, current: next };
      debug('write %s/%s lost a race at revision %d (attempt %d)', service, id, stored.revision, attempt);
    }
    throw tooMuchContention(service, id, this.maxWriteAttempts);
  }

  async sweepExpired(): Promise<number> {
    this.assertOpen();
    const collection = await this.collection();
    const { deletedCount } = await this.run(() => collection.deleteMany({ expiresAt: { $lte: new Date(this.now()) } }));
    if (deletedCount > 0) debug('swept %d expired documents', deletedCount);
    return deletedCount;
  }

  /** Pings the database; `down` when it does not answer within a second. */
  async health(): Promise<'up' | 'down'> {
    if (this.closed) return 'down';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'down'>((resolve) => {
      timer = setTimeout(() => resolve('down'), HEALTH_TIMEOUT_MS);
    });
    const ping = this.collection()
      .then(() => this.client.db(this.dbName).command({ ping: 1 }, { timeoutMS: HEALTH_TIMEOUT_MS }))
      .then(
        (): 'up' => 'up',
        (): 'down' => 'down',
      );
    try {
      return await Promise.race([ping, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    if (this.ownsClient) await this.client.close();
  }

  private collection(): Promise<Collection<StoredDocument>> {
    this.assertOpen();
    this.initializing ??= this.initialize().catch((err: unknown) => {
      this.initializing = undefined;
      throw toStoreError(err);
    });
    return this.initializing;
  }

  private async initialize(): Promise<Collection<StoredDocument>> {
    if (this.ownsClient) await this.client.connect();
    const collection = this.client.db(this.dbName).collection<StoredDocument>(this.collectionName);
    await collection.createIndex({ realm: 1, service: 1, id: 1 }, { unique: true, name: 'realm_service_id_unique' });
    try {
      await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expiresAt_ttl' });
    } catch (err) {
      if (!(err instanceof MongoServerError && err.code === NOT_IMPLEMENTED)) throw err;
      this.startSweeping();
    }
    return collection;
  }

  private startSweeping(): void {
    this.logger({
      level: 'warn',
      message: 'The MongoDB server refused a TTL index; expired sync documents are removed by a periodic sweep instead',
      details: { collection: this.collectionName, sweepIntervalMs: this.sweepIntervalMs },
    });
    if (this.closed || this.sweepIntervalMs === 0 || this.sweepTimer !== undefined) return;
    this.sweepTimer = setInterval(() => {
      this.sweepExpired().catch((err: unknown) => {
        this.logger({ level: 'error', message: 'Sweeping expired sync documents failed', details: { error: toStoreError(err).code } });
      });
    }, this.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Runs a driver call, mapping its errors (see `toStoreError`). */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toStoreError(err);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('Document store is closed');
  }
}

function expirySet(stored: StoredDocument): { expiresAt?: Date } {
  return stored.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt };
}

function tooMuchContention(service: string, id: string, attempts: number): UnavailableError {
  return new UnavailableError(`Document ${service}/${id} is too busy: the write lost ${attempts} races in a row`, {
    details: { attempts },
  });
}
