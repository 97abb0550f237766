import createDebug from 'debug';
import { UnavailableError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { DEFAULT_MAX_DOCUMENT_BYTES, assertDocumentKey } from './document-operations.js';
import { checkChange, checkCreate, checkListOptions, checkStoreOption, checkWriteOptions, isExpired } from './document-store-arguments.js';
import { checkWritable, createdDocument, documentNotFound, nextDocument } from './document-revisions.js';
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

const debug = createDebug('realtime:sync:memory-document-store');

/**
 * Options of {@link MemoryDocumentStore}.
 *
 * @example
 * new MemoryDocumentStore({ maxDocumentBytes: 128 * 1024, sweepIntervalMs: 30_000 });
 */
export interface MemoryDocumentStoreOptions {
  /** Largest document data, in bytes of its JSON form. @default 65536 */
  maxDocumentBytes?: number;
  /** How often expired documents are removed, in ms; 0 turns the timer off. @default 60000 */
  sweepIntervalMs?: number;
  /** The clock, Unix ms (a test seam). @default Date.now */
  now?: () => number;
}

/** The defaults of {@link MemoryDocumentStoreOptions}. */
export const MEMORY_DOCUMENT_STORE_DEFAULTS = {
  maxDocumentBytes: DEFAULT_MAX_DOCUMENT_BYTES,
  sweepIntervalMs: 60_000,
  now: (): number => Date.now(),
} as const satisfies Required<MemoryDocumentStoreOptions>;

/**
 * The embedded `DocumentStore`: documents live in this process's memory and vanish with it. It
 * is the default when no MongoDB is configured; one process only, nothing is shared across nodes.
 *
 * Why writes are atomic here without locks: `write` reads, transforms and stores in one
 * synchronous step (no `await` in between), so no other call can interleave on this event loop.
 *
 * Stored documents are never handed out: inputs are copied in and results copied out.
 *
 * @example
 * const store = new MemoryDocumentStore();
 * const doc = await store.create('acme', 'session', { data: { status: 'open' } });
 * await store.close();
 */
export class MemoryDocumentStore implements DocumentStore {
  private readonly maxDocumentBytes: number;
  private readonly now: () => number;
  /** `realm \0 service` → id → document. */
  private readonly collections = new Map<string, Map<string, SyncDocument>>();
  private readonly sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: MemoryDocumentStoreOptions = {}) {
    const defaults = MEMORY_DOCUMENT_STORE_DEFAULTS;
    this.maxDocumentBytes = checkStoreOption('maxDocumentBytes', options.maxDocumentBytes, defaults.maxDocumentBytes);
    const sweepIntervalMs = checkStoreOption('sweepIntervalMs', options.sweepIntervalMs, defaults.sweepIntervalMs, true);
    this.now = options.now ?? defaults.now;
    if (sweepIntervalMs > 0) {
      this.sweepTimer = setInterval(() => this.sweepNow(), sweepIntervalMs);
      this.sweepTimer.unref();
    }
  }

  async create(realm: string, service: string, input: CreateDocumentInput): Promise<SyncDocument> {
    this.assertOpen();
    const now = this.now();
    const checked = checkCreate(realm, service, input, now, this.maxDocumentBytes);
    const documents = this.collection(realm, service, true);
    // The revision rules (tombstones continue, expired documents start again) are in createRevision.
    const doc = createdDocument(documents.get(checked.id), service, checked, now);
    documents.set(checked.id, doc);
    return structuredClone(doc);
  }

  async get(realm: string, service: string, id: string, options: GetDocumentOptions = {}): Promise<SyncDocument> {
    this.assertOpen();
    assertDocumentKey(realm, service, id);
    const doc = this.find(realm, service, id);
    if (doc === undefined || (doc.deleted && options.includeDeleted !== true)) throw documentNotFound(service, id);
    return structuredClone(doc);
  }

  async list(realm: string, service: string, options?: ListDocumentsOptions): Promise<DocumentPage> {
    this.assertOpen();
    assertDocumentKey(realm, service);
    const { limit, after } = checkListOptions(options);
    const now = this.now();
    const documents = this.collection(realm, service, false);
    const ids = [...(documents?.keys() ?? [])]
      // Plain code-unit order: ids are ASCII, so this is MongoDB's order too.
      .filter((id) => after === undefined || id > after)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const items: SyncDocument[] = [];
    let more = false;
    for (const id of ids) {
      const doc = documents?.get(id);
      if (doc === undefined || doc.deleted || isExpired(doc, now)) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(structuredClone(doc));
    }
    const last = items[items.length - 1];
    return more && last !== undefined ? { items, nextCursor: last.id } : { items };
  }

  async write(realm: string, service: string, id: string, transform: DocumentTransform, options?: WriteDocumentOptions): Promise<WriteResult> {
    this.assertOpen();
    assertDocumentKey(realm, service, id);
    const now = this.now();
    const { expectedRevision, expiresAt } = checkWriteOptions(options, now);
    // From here to `set` nothing awaits: the read-compute-store step cannot interleave.
    const current = checkWritable(this.find(realm, service, id), service, id, expectedRevision, now);
    const change = checkChange(transform(structuredClone(current)), this.maxDocumentBytes);
    const next = nextDocument(current, change, expiresAt, now);
    this.collection(realm, service, true).set(id, next);
    return { previous: structuredClone(current), current: structuredClone(next) };
  }

  async sweepExpired(): Promise<number> {
    this.assertOpen();
    return this.sweepNow();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    this.collections.clear();
  }

  /** The stored document unless expired (an expired one is dropped on the way). */
  private find(realm: string, service: string, id: string): SyncDocument | undefined {
    const documents = this.collection(realm, service, false);
    const doc = documents?.get(id);
    if (doc === undefined) return undefined;
    if (isExpired(doc, this.now())) {
      documents?.delete(id);
      return undefined;
    }
    return doc;
  }

  private collection(realm: string, service: string, create: true): Map<string, SyncDocument>;
  private collection(realm: string, service: string, create: false): Map<string, SyncDocument> | undefined;
  private collection(realm: string, service: string, create: boolean): Map<string, SyncDocument> | undefined {
    const key = `${realm}\u0000${service}`;
    let documents = this.collections.get(key);
    if (documents === undefined && create) {
      documents = new Map();
      this.collections.set(key, documents);
    }
    return documents;
  }

  private sweepNow(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, documents] of this.collections) {
      for (const [id, doc] of documents) {
        if (isExpired(doc, now)) {
          documents.delete(id);
          removed += 1;
        }
      }
      if (documents.size === 0) this.collections.delete(key);
    }
    if (removed > 0) debug('swept %d expired documents', removed);
    return removed;
  }

  private assertOpen(): void {
    if (this.closed) throw new UnavailableError('Document store is closed');
  }
}
