import { MongoClient, type Collection, type Filter, type MongoClientOptions, type UpdateFilter } from 'mongodb';
import { InvalidArgumentError, UnavailableError } from '../../shared/index.js';
import { clean, fromDelivery, fromEndpoint, toUpdate, toWebhookStoreError, type DeliveryDocument, type EndpointDocument } from './mongo-webhook-documents.js';
import type {
  DeliveryPatch,
  DeliveryQuery,
  EndpointPatch,
  EndpointRef,
  StoredDelivery,
  StoredDeliveryPage,
  StoredEndpoint,
  WebhookStore,
} from './webhook-store.js';

/**
 * Options of {@link MongoWebhookStore}. Give `client` or `url`.
 *
 * @example
 * new MongoWebhookStore({ url: process.env.MONGODB_URL, dbName: 'realtime' });
 */
export interface MongoWebhookStoreOptions {
  /** A MongoClient to use; the store never closes it. */
  client?: MongoClient;
  /** A connection string; the store creates its own client and closes it on `close()`. */
  url?: string;
  /** Driver options for the store's own client. @default { serverSelectionTimeoutMS: 5000 } */
  clientOptions?: MongoClientOptions;
  /** @default 'realtime' */
  dbName?: string;
  /** @default 'webhook_endpoints' */
  endpointsCollection?: string;
  /** @default 'webhook_deliveries' */
  deliveriesCollection?: string;
}

/**
 * The MongoDB {@link WebhookStore} (collections `webhook_endpoints` and `webhook_deliveries` next
 * to the sync documents): endpoints, secrets and the delivery queue survive restarts and are shared
 * by every node.
 *
 * Why it looks like this: every queue transition is one single-document update (the delivery's
 * status, attempts and next attempt time together), and the per-endpoint lease is one conditional
 * `updateOne` (`leaseUntil <= now` or the same owner), so nodes never need a lock of their own.
 * On FerretDB conditional updates are not atomic (its issue #3040): two nodes may then both take a
 * lease and an event may be sent twice, which at-least-once delivery allows. Only numbers and
 * strings are stored (the body as JSON text), so FerretDB's key restrictions never apply, and no
 * TTL index is needed: old deliveries are removed by `sweepDeliveries`. Driver errors become
 * `UNAVAILABLE` or `INTERNAL` without the driver's message (see `toStoreError`).
 *
 * @example
 * const store = new MongoWebhookStore({ url: 'mongodb://127.0.0.1:27017', dbName: 'realtime' });
 * await store.ready();
 */
export class MongoWebhookStore implements WebhookStore {
  private readonly client: MongoClient;
  private readonly ownsClient: boolean;
  private readonly dbName: string;
  private readonly endpointsName: string;
  private readonly deliveriesName: string;
  private initializing: Promise<{ endpoints: Collection<EndpointDocument>; deliveries: Collection<DeliveryDocument> }> | undefined;
  private closed = false;

  constructor(options: MongoWebhookStoreOptions) {
    if ((options.client === undefined) === (options.url === undefined)) {
      throw new InvalidArgumentError('MongoWebhookStore needs exactly one of `client` or `url`');
    }
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new MongoClient(options.url ?? '', { serverSelectionTimeoutMS: 5000, ...options.clientOptions });
    this.dbName = options.dbName ?? 'realtime';
    this.endpointsName = options.endpointsCollection ?? 'webhook_endpoints';
    this.deliveriesName = options.deliveriesCollection ?? 'webhook_deliveries';
  }

  async ready(): Promise<void> {
    await this.collections();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsClient) await this.client.close();
  }

  async insertEndpoint(endpoint: StoredEndpoint): Promise<void> {
    const { endpoints } = await this.collections();
    const { id, ...rest } = endpoint;
    await this.run(() => endpoints.insertOne(clean({ _id: id, ...rest, leaseUntil: 0 }) as EndpointDocument));
  }

  async getEndpoint(realm: string, id: string): Promise<StoredEndpoint | undefined> {
    const { endpoints } = await this.collections();
    return fromEndpoint(await this.run(() => endpoints.findOne({ _id: id, realm })));
  }

  async listEndpoints(realm: string): Promise<StoredEndpoint[]> {
    const { endpoints } = await this.collections();
    const found = await this.run(() => endpoints.find({ realm }).sort({ _id: 1 }).toArray());
    return found.map((document) => fromEndpoint(document) as StoredEndpoint);
  }

  async countEndpoints(realm: string): Promise<number> {
    const { endpoints } = await this.collections();
    return this.run(() => endpoints.countDocuments({ realm }));
  }

  async activeRealms(): Promise<string[]> {
    const { endpoints } = await this.collections();
    return this.run(() => endpoints.distinct('realm', { active: true }));
  }

  async updateEndpoint(realm: string, id: string, patch: EndpointPatch): Promise<StoredEndpoint | undefined> {
    const { endpoints } = await this.collections();
    const { resetFailures, ...fields } = patch;
    const update =
      resetFailures === true ? toUpdate<EndpointDocument>(fields, { consecutiveFailures: 0 }, ['failingSince']) : toUpdate<EndpointDocument>(fields);
    const after = await this.run(() => endpoints.findOneAndUpdate({ _id: id, realm }, update, { returnDocument: 'after' }));
    return fromEndpoint(after);
  }

  async deleteEndpoint(realm: string, id: string): Promise<boolean> {
    const { endpoints, deliveries } = await this.collections();
    const { deletedCount } = await this.run(() => endpoints.deleteOne({ _id: id, realm }));
    await this.run(() => deliveries.deleteMany({ realm, webhookId: id }));
    return deletedCount === 1;
  }

  async recordEndpointSuccess(realm: string, id: string): Promise<void> {
    const { endpoints } = await this.collections();
    await this.run(() =>
      endpoints.updateOne({ _id: id, realm, consecutiveFailures: { $gt: 0 } }, { $set: { consecutiveFailures: 0 }, $unset: { failingSince: '' } }),
    );
  }

  async recordEndpointFailure(realm: string, id: string, now: number): Promise<StoredEndpoint | undefined> {
    const { endpoints } = await this.collections();
    const after = await this.run(() =>
      endpoints.findOneAndUpdate({ _id: id, realm }, { $inc: { consecutiveFailures: 1 }, $min: { failingSince: now } }, { returnDocument: 'after' }),
    );
    return fromEndpoint(after);
  }

  async acquireLease(realm: string, id: string, owner: string, now: number, until: number): Promise<boolean> {
    const { endpoints } = await this.collections();
    const { matchedCount } = await this.run(() =>
      endpoints.updateOne({ _id: id, realm, $or: [{ leaseUntil: { $lte: now } }, { leaseOwner: owner }] }, { $set: { leaseOwner: owner, leaseUntil: until } }),
    );
    return matchedCount === 1;
  }

  async releaseLease(realm: string, id: string, owner: string): Promise<void> {
    if (this.closed) return;
    const { endpoints } = await this.collections();
    await this.run(() => endpoints.updateOne({ _id: id, realm, leaseOwner: owner }, { $set: { leaseUntil: 0 }, $unset: { leaseOwner: '' } }));
  }

  async insertDeliveries(items: readonly StoredDelivery[]): Promise<void> {
    if (items.length === 0) return;
    const { deliveries } = await this.collections();
    const documents = items.map(({ id, ...rest }) => clean({ _id: id, ...rest }) as DeliveryDocument);
    await this.run(() => deliveries.insertMany(documents, { ordered: true }));
  }

  async dueEndpoints(now: number, limit: number): Promise<EndpointRef[]> {
    const { deliveries } = await this.collections();
    // $group with $sum only: FerretDB's $group knows $sum and $count, not $min.
    const groups = await this.run(() =>
      deliveries
        .aggregate<{ _id: EndpointRef; due: number }>([
          { $match: { status: 'pending', nextAttemptAt: { $lte: now } } },
          { $group: { _id: { realm: '$realm', webhookId: '$webhookId' }, due: { $sum: 1 } } },
          { $sort: { due: -1 } },
          { $limit: limit },
        ])
        .toArray(),
    );
    return groups.map(({ _id }) => ({ realm: _id.realm, webhookId: _id.webhookId }));
  }

  async nextDueDelivery(realm: string, webhookId: string, now: number): Promise<StoredDelivery | undefined> {
    const { deliveries } = await this.collections();
    const found = await this.run(() => deliveries.findOne({ realm, webhookId, status: 'pending', nextAttemptAt: { $lte: now } }, { sort: { _id: 1 } }));
    return fromDelivery(found);
  }

  async getDelivery(realm: string, id: string): Promise<StoredDelivery | undefined> {
    const { deliveries } = await this.collections();
    return fromDelivery(await this.run(() => deliveries.findOne({ _id: id, realm })));
  }

  async updateDelivery(realm: string, id: string, patch: DeliveryPatch, expectedStatus?: StoredDelivery['status']): Promise<StoredDelivery | undefined> {
    const { deliveries } = await this.collections();
    const filter: Filter<DeliveryDocument> = { _id: id, realm, ...(expectedStatus === undefined ? {} : { status: expectedStatus }) };
    const after = await this.run(() => deliveries.findOneAndUpdate(filter, toUpdate<DeliveryDocument>(patch), { returnDocument: 'after' }));
    return fromDelivery(after);
  }

  async listDeliveries(realm: string, query: DeliveryQuery): Promise<StoredDeliveryPage> {
    const { deliveries } = await this.collections();
    const filter: Filter<DeliveryDocument> = {
      realm,
      ...(query.webhookId === undefined ? {} : { webhookId: query.webhookId }),
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.eventType === undefined ? {} : { eventType: query.eventType }),
      ...(query.after === undefined ? {} : { _id: { $lt: query.after } }),
    };
    const found = await this.run(() =>
      deliveries
        .find(filter)
        .sort({ _id: -1 })
        .limit(query.limit + 1)
        .toArray(),
    );
    const items = found.slice(0, query.limit).map((document) => fromDelivery(document) as StoredDelivery);
    const last = items[items.length - 1];
    return found.length > query.limit && last !== undefined ? { items, nextCursor: last.id } : { items };
  }

  async moveDeliveries(realm: string, webhookId: string, from: StoredDelivery['status'], to: StoredDelivery['status'], now: number): Promise<number> {
    const { deliveries } = await this.collections();
    const update: UpdateFilter<DeliveryDocument> =
      to === 'pending' ? { $set: { status: to, updatedAt: now, nextAttemptAt: now } } : { $set: { status: to, updatedAt: now }, $unset: { nextAttemptAt: '' } };
    const { modifiedCount } = await this.run(() => deliveries.updateMany({ realm, webhookId, status: from }, update));
    return modifiedCount;
  }

  async sweepDeliveries(succeededBefore: number, failedBefore: number): Promise<number> {
    const { deliveries } = await this.collections();
    const { deletedCount } = await this.run(() =>
      deliveries.deleteMany({
        $or: [
          { status: 'succeeded', deliveredAt: { $lt: succeededBefore } },
          { status: 'failed', failedAt: { $lt: failedBefore } },
        ],
      }),
    );
    return deletedCount;
  }

  private collections(): Promise<{ endpoints: Collection<EndpointDocument>; deliveries: Collection<DeliveryDocument> }> {
    if (this.closed) return Promise.reject(new UnavailableError('Webhook store is closed'));
    this.initializing ??= this.initialize().catch((err: unknown) => {
      this.initializing = undefined;
      throw toWebhookStoreError(err);
    });
    return this.initializing;
  }

  private async initialize(): Promise<{ endpoints: Collection<EndpointDocument>; deliveries: Collection<DeliveryDocument> }> {
    if (this.ownsClient) await this.client.connect();
    const db = this.client.db(this.dbName);
    const endpoints = db.collection<EndpointDocument>(this.endpointsName);
    const deliveries = db.collection<DeliveryDocument>(this.deliveriesName);
    await endpoints.createIndex({ realm: 1, _id: 1 }, { name: 'realm_id' });
    await deliveries.createIndex({ status: 1, nextAttemptAt: 1 }, { name: 'status_next_attempt' });
    await deliveries.createIndex({ realm: 1, webhookId: 1, status: 1, _id: 1 }, { name: 'realm_webhook_status_id' });
    await deliveries.createIndex({ realm: 1, status: 1, _id: -1 }, { name: 'realm_status_id' });
    return { endpoints, deliveries };
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      throw toWebhookStoreError(err);
    }
  }
}
