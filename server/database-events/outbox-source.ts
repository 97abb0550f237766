import type { Logger } from 'pino';
import type { Collection, Db, ObjectId } from 'mongodb';
import { DATABASE_OPERATIONS, type DatabaseOperation, type DatabaseSourceStatus } from '../../shared/index.js';
import { jsonRow } from './json-row.js';
import { MongoLease } from './mongo-lease.js';
import type { RowChange } from './row-change.js';

/**
 * An outbox document as the application writes it, in the same transaction as its change.
 *
 * @example
 * await outbox.insertOne({ table: 'orders', operation: 'update', row: order, old: before }, { session });
 */
export interface OutboxDocument {
  _id?: ObjectId;
  table: string;
  operation: DatabaseOperation;
  row: Record<string, unknown>;
  old?: Record<string, unknown>;
  /** Set by the platform on a document it could not read (it is kept, never published). */
  _failed?: string;
}

/** How the outbox is tailed (`DATABASE_EVENTS_MONGODB_*`). */
export interface OutboxSourceOptions {
  /** The collection the application writes to. @default 'realtime_outbox' */
  collection?: string;
  /** Wait between polls of an empty outbox, ms. @default 100 */
  pollMs?: number;
  /** Documents read per poll. @default 100 */
  batchSize?: number;
  /** Lifetime of the reader's lease, ms. @default 10000 */
  leaseMs?: number;
}

export interface OutboxSourceDeps {
  db: Db;
  nodeId: string;
  route: (change: RowChange) => Promise<void>;
  logger: Logger;
}

/**
 * Tails a transactional outbox collection on any MongoDB-compatible server (FerretDB has no change
 * streams): reads documents in `_id` order, publishes each through the router, and deletes it
 * only after it was published.
 *
 * Why this shape:
 * - **Nothing lost**: a document leaves the outbox only after its events were published; one
 *   that commits late (concurrent writers: `_id` order is not commit order) is simply found by a
 *   later poll, since every poll reads what is left from the start, not after a cursor.
 * - **Nothing repeated**: deleting after publishing, one document at a time, leaves one document
 *   of doubt: a crash between its publish and its delete repeats it. A graceful stop finishes
 *   the document in hand first.
 * - **One reader**: nodes share a {@link MongoLease}; the holder reads, the others stand by.
 * - **Order**: per poll, by `_id`; across writers, the order commits become visible. An
 *   application that needs a strict per-row order carries a version in the row.
 * - A document that is not `{ table, operation, row, old? }` is kept and marked `_failed`, so one
 *   bad write does not stop the outbox.
 *
 * @example
 * const source = new OutboxSource({ collection: 'realtime_outbox' }, { db, nodeId, route, logger });
 * source.start();
 */
export class OutboxSource {
  private readonly collection: Collection<OutboxDocument>;
  private readonly lease: MongoLease;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private state: DatabaseSourceStatus['state'] = 'stopped';
  private changes = 0;
  private lastError: { message: string; at: number } | undefined;
  private closing = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    options: OutboxSourceOptions,
    private readonly deps: OutboxSourceDeps,
  ) {
    const name = options.collection ?? 'realtime_outbox';
    this.collection = deps.db.collection<OutboxDocument>(name);
    this.lease = new MongoLease(deps.db.collection(`${name}_lease`), 'outbox', deps.nodeId, options.leaseMs ?? 10_000);
    this.pollMs = options.pollMs ?? 100;
    this.batchSize = options.batchSize ?? 100;
  }

  start(): Promise<void> {
    this.closing = false;
    this.running = this.run();
    return Promise.resolve();
  }

  async status(): Promise<DatabaseSourceStatus> {
    const pending = await this.collection.countDocuments({ _failed: { $exists: false } }).catch(() => undefined);
    return {
      kind: 'mongodb-outbox',
      state: this.state,
      changes: this.changes,
      collection: this.collection.collectionName,
      ...(pending === undefined ? {} : { pending }),
      ...(this.lastError === undefined ? {} : { lastError: { ...this.lastError } }),
    };
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await this.running;
    if (this.state === 'streaming') await this.lease.release().catch(() => undefined);
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    this.state = 'connecting';
    while (!this.closing) {
      let busy = false;
      try {
        if (await this.lease.acquire()) {
          this.state = 'streaming';
          busy = await this.drainBatch();
        } else {
          this.state = 'standby';
        }
      } catch (err) {
        this.state = 'failed';
        this.lastError = { message: err instanceof Error ? err.message : String(err), at: Date.now() };
        this.deps.logger.warn({ err: this.lastError.message }, 'MongoDB outbox: retrying');
      }
      if (!busy && !this.closing) await this.sleep(this.state === 'streaming' ? this.pollMs : Math.max(this.pollMs, 1000));
    }
  }

  /** Publishes one batch in `_id` order; true when it was full (more may wait). */
  private async drainBatch(): Promise<boolean> {
    const batch = await this.collection
      .find({ _failed: { $exists: false } })
      .sort({ _id: 1 })
      .limit(this.batchSize)
      .toArray();
    for (const doc of batch) {
      if (this.closing) return false;
      if (!this.lease.fresh && !(await this.lease.acquire())) return false;
      const change = changeOf(doc);
      if (typeof change === 'string') {
        await this.collection.updateOne({ _id: doc._id }, { $set: { _failed: change } });
        this.lastError = { message: `Outbox document ${String(doc._id)}: ${change}`, at: Date.now() };
        continue;
      }
      this.changes += 1;
      await this.deps.route(change);
      await this.collection.deleteOne({ _id: doc._id });
    }
    return batch.length === this.batchSize;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => resolve();
      this.timer = setTimeout(resolve, ms);
    }).finally(() => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.wake = undefined;
    });
  }
}

/** The change an outbox document describes, or what is wrong with it. */
export function changeOf(doc: OutboxDocument): RowChange | string {
  const { table, operation, row, old } = doc as unknown as Record<string, unknown>;
  if (typeof table !== 'string' || table === '') return 'table must be a non-empty string';
  if (typeof operation !== 'string' || !(DATABASE_OPERATIONS as readonly string[]).includes(operation)) return 'operation must be insert, update or delete';
  if (row === null || typeof row !== 'object' || Array.isArray(row)) return 'row must be a document';
  if (old !== undefined && old !== null && (typeof old !== 'object' || Array.isArray(old))) return 'old must be a document when given';
  const oldRow = jsonRow(old as Record<string, unknown> | null | undefined);
  return {
    table,
    operation: operation as DatabaseOperation,
    row: jsonRow(row as Record<string, unknown>) ?? {},
    ...(oldRow === undefined ? {} : { old: oldRow }),
  };
}
