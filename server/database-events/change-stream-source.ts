import type { Logger } from 'pino';
import type { ChangeStream, ChangeStreamDocument, Db, Document, ResumeToken } from 'mongodb';
import type { DatabaseSourceStatus } from '../../shared/index.js';
import { jsonRow } from './json-row.js';
import { MongoLease } from './mongo-lease.js';
import type { PositionStore } from './position-store.js';
import type { RowChange } from './row-change.js';

/**
 * Whether a server can give change streams: what `hello` says of a replica set member (`setName`)
 * or a sharded cluster's router (`msg: 'isdbgrid'`). A standalone `mongod` and FerretDB cannot;
 * they get the outbox.
 *
 * @example
 * supportsChangeStreams(await db.admin().command({ hello: 1 })); // false on FerretDB
 */
export function supportsChangeStreams(hello: Document): boolean {
  return typeof hello['setName'] === 'string' || hello['msg'] === 'isdbgrid';
}

export interface ChangeStreamSourceDeps {
  db: Db;
  nodeId: string;
  route: (change: RowChange) => Promise<void>;
  positions: PositionStore;
  logger: Logger;
  /** Collections never read (the outbox and its lease). */
  ignore: ReadonlySet<string>;
}

/**
 * Streams the changes of every collection of a database (a replica set's change stream, with the
 * document after an update looked up, and before it when the collection records pre-images) into
 * the router. The resume token of the last published change is saved after it, so a restart
 * resumes there: nothing lost, nothing repeated but a change in the moment between publishing and
 * saving. One node reads, under a {@link MongoLease}.
 *
 * @example
 * const source = new ChangeStreamSource({ db, nodeId, route, positions, logger, ignore: new Set(['realtime_outbox']) });
 * source.start();
 */
export class ChangeStreamSource {
  private readonly lease: MongoLease;
  private state: DatabaseSourceStatus['state'] = 'stopped';
  private changes = 0;
  private lastError: { message: string; at: number } | undefined;
  private closing = false;
  private stream: ChangeStream | undefined;
  private running: Promise<void> | undefined;
  private readonly key: string;

  constructor(private readonly deps: ChangeStreamSourceDeps) {
    this.lease = new MongoLease(deps.db.collection('realtime_change_stream_lease'), 'change-stream', deps.nodeId, 10_000);
    this.key = `mongodb.${deps.db.databaseName}`;
  }

  start(): Promise<void> {
    this.closing = false;
    this.running = this.run();
    return Promise.resolve();
  }

  status(): Promise<DatabaseSourceStatus> {
    return Promise.resolve({
      kind: 'mongodb-change-stream',
      state: this.state,
      changes: this.changes,
      ...(this.lastError === undefined ? {} : { lastError: { ...this.lastError } }),
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.stream?.close().catch(() => undefined);
    await this.running;
    await this.lease.release().catch(() => undefined);
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        if (!(await this.lease.acquire())) {
          this.state = 'standby';
        } else {
          await this.follow();
        }
      } catch (err) {
        if (this.closing) break;
        this.state = 'failed';
        this.lastError = { message: err instanceof Error ? err.message : String(err), at: Date.now() };
        this.deps.logger.warn({ err: this.lastError.message }, 'MongoDB change stream: retrying');
      }
      if (!this.closing) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  private async follow(): Promise<void> {
    const saved = await this.deps.positions.load(this.key);
    const token = saved?.['resumeToken'] as ResumeToken | undefined;
    const stream = this.deps.db.watch([], {
      fullDocument: 'updateLookup',
      fullDocumentBeforeChange: 'whenAvailable',
      ...(token === undefined ? {} : { resumeAfter: token }),
    });
    this.stream = stream;
    this.state = 'streaming';
    const renew = setInterval(
      () =>
        void this.lease
          .acquire()
          .then((held) => (held ? undefined : stream.close()))
          .catch(() => undefined),
      3000,
    );
    try {
      for await (const event of stream) {
        const change = changeOf(event, this.deps.ignore);
        if (change !== undefined) {
          this.changes += 1;
          await this.deps.route(change);
        }
        await this.deps.positions.save(this.key, { resumeToken: event._id as unknown as Record<string, unknown> });
        if (this.closing) break;
      }
    } finally {
      clearInterval(renew);
    }
  }
}

/** The row change of a change-stream event, or undefined for other events (drops, renames) and ignored collections. */
export function changeOf(event: ChangeStreamDocument, ignore: ReadonlySet<string>): RowChange | undefined {
  if (!('ns' in event) || event.ns === undefined || !('coll' in event.ns) || event.ns.coll === undefined || ignore.has(event.ns.coll)) return undefined;
  const table = event.ns.coll;
  const before = 'fullDocumentBeforeChange' in event ? jsonRow(event.fullDocumentBeforeChange as Record<string, unknown> | undefined) : undefined;
  switch (event.operationType) {
    case 'insert':
      return { table, operation: 'insert', row: jsonRow(event.fullDocument) ?? {} };
    case 'update':
    case 'replace':
      return { table, operation: 'update', row: jsonRow(event.fullDocument ?? event.documentKey) ?? {}, ...(before === undefined ? {} : { old: before }) };
    case 'delete': {
      const row = before ?? jsonRow(event.documentKey) ?? {};
      return { table, operation: 'delete', row, old: row };
    }
    default:
      return undefined;
  }
}
