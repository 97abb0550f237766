import type {
  DeletedEntity,
  HistoryEntry,
  ObjectListRequest,
  ObjectSubscribeRequest,
  ObjectSummary,
  ObjectWriteRequest,
  RealmObject,
} from '../../shared/index.js';
import type { Feed, FeedUpdate } from './feed.js';
import type { FeedRegistry } from './feed-registry.js';
import type { ObjectsTransport } from './objects-transport.js';

/**
 * What an object write carries: `label`, `location` and `data` (merged; a `null` value deletes its key).
 *
 * @example
 * const fields: ObjectFields = { location: { latitude: 52.5, longitude: 13.4 }, data: { charge: null } };
 */
export type ObjectFields = Omit<ObjectWriteRequest, 'realm' | 'id'>;

/**
 * What `objects.list()` filters by: `where` conditions, one bound (`shape`, `area` or `target`), `field`, `limit`.
 *
 * @example
 * const query: ObjectQuery = { where: ['type="bike"'], shape: { cx: 13.4, cy: 52.5, r: 500 }, field: ['charge'] };
 */
export type ObjectQuery = Omit<ObjectListRequest, 'realm'>;

/**
 * What an objects feed follows: `where`, one bound, and `executeImmediately` (default `true`).
 *
 * @example
 * const criteria: ObjectCriteria = { target: { id: 'riders/7', r: 250 } };
 */
export type ObjectCriteria = Omit<ObjectSubscribeRequest, 'realm'>;

/**
 * The time range of `objects.history()`: `Date`s, Unix ms or ISO 8601 strings; `limit` entries at most.
 *
 * @example
 * await client.objects.history('riders/7', { start: new Date(Date.now() - 3_600_000), end: new Date() });
 */
export interface HistoryRange {
  start: Date | number | string;
  end: Date | number | string;
  limit?: number;
}

/**
 * Objects in one realm (`client.objects`, `client.realm(id).objects`): physical things with a
 * label, a location, data and a data-provider `connectionStatus`. Needs `C`, `R`, `U`, `D` on
 * `object/<id>` as each call says.
 *
 * @example
 * await client.objects.create('riders/7', { label: 'Ada', location: { latitude: 51.5, longitude: -0.12 }, data: { type: 'bike' } });
 * client.objects.set('riders/7', { location: { latitude: 51.51, longitude: -0.12 } }); // fire-and-forget
 * const nearby = await client.objects.list({ shape: { cx: -0.12, cy: 51.5, r: 1000 } });
 */
export class ObjectsClient {
  constructor(
    /** The realm. */
    readonly realm: string,
    private readonly transport: ObjectsTransport,
    private readonly feeds: FeedRegistry,
  ) {}

  /** Creates an object (`C`); rejects with `AlreadyExistsError` when the id is taken. */
  create(id: string, fields: ObjectFields = {}): Promise<RealmObject> {
    return this.transport.request('object:create', { realm: this.realm, id, ...fields });
  }

  /** Updates an object (`U`): `data` is merged into its data; rejects with `NotFoundError` when missing. */
  update(id: string, fields: ObjectFields): Promise<RealmObject> {
    return this.transport.request('object:update', { realm: this.realm, id, ...fields });
  }

  /**
   * Creates or updates an object without waiting for an answer: the firehose for location
   * streams. A bad request throws `InvalidArgumentError` at once; a refusal by the server (no
   * right, say) arrives on the client's `'error'` event with `details.event: 'object:set'`.
   */
  set(id: string, fields: ObjectFields): void {
    this.transport.send('object:set', { realm: this.realm, id, ...fields });
  }

  /** Reads an object (`R`); rejects with `NotFoundError` when missing. */
  get(id: string): Promise<RealmObject> {
    return this.transport.request('object:get', { realm: this.realm, id });
  }

  /** Deletes an object (`D`). */
  delete(id: string): Promise<DeletedEntity> {
    return this.transport.request('object:delete', { realm: this.realm, id });
  }

  /** The objects that match `query`, by id (the `R`-readable ones). */
  async list(query: ObjectQuery = {}): Promise<Record<string, ObjectSummary>> {
    const { objects } = await this.transport.request('object:list', { realm: this.realm, ...query });
    return objects;
  }

  /** One object's writes from `start` to `end` (inclusive), oldest first; each entry has its whole data then. */
  async history(id: string, range: HistoryRange): Promise<HistoryEntry[]> {
    const { entries } = await this.transport.request('object:history', {
      realm: this.realm,
      id,
      start: timeOf(range.start),
      end: timeOf(range.end),
      ...(range.limit === undefined ? {} : { limit: range.limit }),
    });
    return entries;
  }

  /**
   * A live set of the objects matching `criteria` (see {@link Feed}); `listener` hears every
   * update, the first set included. Re-established after every reconnect.
   */
  subscribe(criteria: ObjectCriteria = {}, listener?: (update: FeedUpdate<RealmObject>) => void): Promise<Feed<RealmObject>> {
    return this.feeds.open<RealmObject>('objects', this.realm, { executeImmediately: true, ...criteria }, listener);
  }
}

/** A history bound as the wire takes it: a `Date` becomes Unix ms. */
function timeOf(value: Date | number | string): number | string {
  return value instanceof Date ? value.getTime() : value;
}
