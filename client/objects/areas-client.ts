import type { Area, AreaSubscribeRequest, AreaWriteRequest, DeletedEntity } from '../../shared/index.js';
import type { Feed, FeedUpdate } from './feed.js';
import type { FeedRegistry } from './feed-registry.js';
import type { ObjectsTransport } from './objects-transport.js';

/**
 * What an area write carries: `label`, `shape` (required to create) and `data` (merged).
 *
 * @example
 * const fields: AreaFields = { label: 'Centre', shape: { cx: 13.4, cy: 52.5, r: 500 } };
 */
export type AreaFields = Omit<AreaWriteRequest, 'realm' | 'id'>;

/**
 * Options of `areas.subscribe()`: `executeImmediately` (default `true`).
 *
 * @example
 * const options: AreaFeedOptions = { executeImmediately: false };
 */
export type AreaFeedOptions = Omit<AreaSubscribeRequest, 'realm'>;

/**
 * Areas in one realm (`client.areas`, `client.realm(id).areas`): named shapes (circles,
 * rectangles, polygons) used as stationary geofences and as feed bounds (`{ area: id }`).
 *
 * @example
 * await client.areas.create('zone-1', { label: 'Centre', shape: { cx: -0.12, cy: 51.5, r: 500 } });
 * const feed = await client.objects.subscribe({ area: 'zone-1' });
 */
export class AreasClient {
  constructor(
    /** The realm. */
    readonly realm: string,
    private readonly transport: ObjectsTransport,
    private readonly feeds: FeedRegistry,
  ) {}

  /** Creates an area (`C`); rejects with `AlreadyExistsError` when the id is taken. */
  create(id: string, fields: AreaFields): Promise<Area> {
    return this.transport.request('area:create', { realm: this.realm, id, ...fields });
  }

  /** Updates an area (`U`); `data` is merged. */
  update(id: string, fields: AreaFields): Promise<Area> {
    return this.transport.request('area:update', { realm: this.realm, id, ...fields });
  }

  /** Reads an area (`R`). */
  get(id: string): Promise<Area> {
    return this.transport.request('area:get', { realm: this.realm, id });
  }

  /** Every readable area, by id. */
  async list(): Promise<Record<string, Area>> {
    const { areas } = await this.transport.request('area:list', { realm: this.realm });
    return areas;
  }

  /** Deletes an area (`D`). */
  delete(id: string): Promise<DeletedEntity> {
    return this.transport.request('area:delete', { realm: this.realm, id });
  }

  /** A live set of the realm's areas (see {@link Feed}). */
  subscribe(options: AreaFeedOptions = {}, listener?: (update: FeedUpdate<Area>) => void): Promise<Feed<Area>> {
    return this.feeds.open<Area>('areas', this.realm, { executeImmediately: true, ...options }, listener);
  }
}
