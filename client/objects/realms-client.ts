import type { DeletedEntity, RealmInfo, RealmSubscribeRequest, RealmWriteRequest } from '../../shared/index.js';
import type { Feed, FeedUpdate } from './feed.js';
import type { FeedRegistry } from './feed-registry.js';
import type { ObjectsTransport } from './objects-transport.js';

/**
 * What a realm write carries: `label` and `data` (merged; a `null` value deletes its key).
 *
 * @example
 * const fields: RealmFields = { label: 'London', data: { timezone: 'Europe/London' } };
 */
export type RealmFields = Omit<RealmWriteRequest, 'realm'>;

/**
 * Options of `realms.subscribe()`: `executeImmediately` (default `true`).
 *
 * @example
 * const options: RealmFeedOptions = { executeImmediately: true };
 */
export type RealmFeedOptions = RealmSubscribeRequest;

/**
 * Realm metadata (`client.realms`): a label and data per realm. Access to a realm still comes from
 * tokens; this is what an application keeps about it.
 *
 * @example
 * await client.realms.create('london', { label: 'London', data: { timezone: 'Europe/London' } });
 * const feed = await client.realms.subscribe({}, ({ updated }) => console.log(Object.keys(updated)));
 */
export class RealmsClient {
  constructor(
    private readonly transport: ObjectsTransport,
    private readonly feeds: FeedRegistry,
  ) {}

  /** A realm's metadata; rejects with `NotFoundError` when it has none. */
  get(id: string): Promise<RealmInfo> {
    return this.transport.request('realm:get', { realm: id });
  }

  /** Creates a realm's metadata; rejects with `AlreadyExistsError` when it exists. */
  create(id: string, fields: RealmFields = {}): Promise<RealmInfo> {
    return this.transport.request('realm:create', { realm: id, ...fields });
  }

  /** Updates a realm's label or data (merged). */
  update(id: string, fields: RealmFields): Promise<RealmInfo> {
    return this.transport.request('realm:update', { realm: id, ...fields });
  }

  /** Every realm the token grants that has metadata. */
  async list(): Promise<RealmInfo[]> {
    const { realms } = await this.transport.request('realm:list', {});
    return realms;
  }

  /** Deletes a realm's metadata. */
  delete(id: string): Promise<DeletedEntity> {
    return this.transport.request('realm:delete', { realm: id });
  }

  /** A live set of every granted realm's metadata (see {@link Feed}). */
  subscribe(options: RealmFeedOptions = {}, listener?: (update: FeedUpdate<RealmInfo>) => void): Promise<Feed<RealmInfo>> {
    return this.feeds.open<RealmInfo>('realms', undefined, { executeImmediately: true, ...options }, listener);
  }
}
