import type { Collection } from 'mongodb';

/** The lease document. */
interface LeaseDocument {
  _id: string;
  holder: string;
  until: number;
}

/**
 * One reader at a time for a MongoDB source: a lease document (`{ _id, holder, until }`) that a
 * node takes when it is free or expired and renews while it reads. The others stand by and take
 * over when it expires (a node that stops releases it at once).
 *
 * Why: two nodes tailing the same outbox (or change stream) would publish every change twice;
 * the lease makes every node able to read, and one do it.
 *
 * @example
 * const lease = new MongoLease(db.collection('realtime_outbox_lease'), 'outbox', nodeId, 10_000);
 * if (await lease.acquire()) { ... }
 */
export class MongoLease {
  private heldUntil = 0;

  constructor(
    private readonly collection: Collection<LeaseDocument>,
    private readonly name: string,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lease; false when another node holds it. */
  async acquire(): Promise<boolean> {
    const now = Date.now();
    const until = now + this.ttlMs;
    try {
      const result = await this.collection.updateOne(
        { _id: this.name, $or: [{ holder: this.holder }, { until: { $lt: now } }] },
        { $set: { holder: this.holder, until } },
        { upsert: true },
      );
      if (result.matchedCount + result.upsertedCount === 0) return false;
      this.heldUntil = until;
      return true;
    } catch (err) {
      // Another node holds it: the upsert's insert met the existing document.
      if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000) return false;
      throw err;
    }
  }

  /** Whether the lease is still this node's for at least a third of its time (renew before reading on otherwise). */
  get fresh(): boolean {
    return this.heldUntil - Date.now() > this.ttlMs / 3;
  }

  async release(): Promise<void> {
    this.heldUntil = 0;
    await this.collection.updateOne({ _id: this.name, holder: this.holder }, { $set: { until: 0 } });
  }
}
