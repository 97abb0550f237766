/*
 * Hivekit's world, in our protocol: realms with metadata, objects with locations, areas, object
 * subscriptions (by attributes, shape, area or a moving target), location history, search, and
 * realm pub/sub. The `HivekitClient` dialect (client/hivekit) and `RealtimeClient` both speak these
 * events; nothing here is Hivekit's own wire format.
 */
import type { Ack } from './ack.js';
import type { ConnectionStatus } from './data-provider.js';
import type { ObjectLocation, Shape, ShapeKind } from './geo.js';
import type {
  AreaIdRequest,
  AreaSubscribeRequest,
  AreaWriteRequest,
  FeedCancelRequest,
  FeedUpdateRequest,
  HistoryRequest,
  ObjectIdRequest,
  ObjectListRequest,
  ObjectSubscribeRequest,
  ObjectWriteRequest,
  PubsubPublishRequest,
  PubsubSubscribeRequest,
  PubsubUnsubscribeRequest,
  RealmIdRequest,
  RealmListRequest,
  RealmSubscribeRequest,
  RealmWriteRequest,
  SearchRequest,
} from './schemas/object-schemas.js';

/**
 * Object and area ids: `/`-separated segments of letters, digits and `_ . : @ ~ + = -`, at most 512
 * characters (`deliveryRiders/johndoe-123`). No `*`: that is for patterns.
 *
 * @example
 * ENTITY_ID_PATTERN.test('deliveryRiders/johndoe-123'); // true
 */
export const ENTITY_ID_PATTERN = /^(?=.{1,512}$)[A-Za-z0-9_.:@~+=-]+(?:\/[A-Za-z0-9_.:@~+=-]+)*$/;

/**
 * Pub/sub event names (`connectionStatusChanged`, `alert`): 1-64 letters, digits, `_ . : -`.
 *
 * @example
 * PUBSUB_EVENT_PATTERN.test('connectionStatusChanged'); // true
 */
export const PUBSUB_EVENT_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Most bytes of an object's, an area's or a realm's `data` (as JSON), by default. */
export const DEFAULT_MAX_ENTITY_DATA_BYTES = 16_384;

/**
 * A realm's metadata. Access to a realm still comes from tokens; this is what it is called and
 * what an application keeps about it.
 *
 * @example
 * const info: RealmInfo = { id: 'london', label: 'London', data: { timezone: 'Europe/London' }, createdAt: 1, updatedAt: 1 };
 */
export interface RealmInfo {
  id: string;
  label: string;
  data: Record<string, unknown>;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms. */
  updatedAt: number;
}

/**
 * An object in a realm.
 *
 * @example
 * const rider: RealmObject = { id: 'deliveryRiders/johndoe-123', label: 'John', location: null,
 *   data: { type: 'bike' }, connectionStatus: 'disconnected', createdAt: 1, updatedAt: 1 };
 */
export interface RealmObject {
  id: string;
  label: string;
  /** `null` until a location is written. */
  location: ObjectLocation | null;
  data: Record<string, unknown>;
  /** `'connected'` while at least one data provider (`dpv`) for this id is connected. */
  connectionStatus: ConnectionStatus;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms. */
  updatedAt: number;
}

/**
 * What `object:list` answers per object: id, label, status, and the data keys asked for with
 * `field` (all of `data` when `field` is not given).
 *
 * @example
 * const row: ObjectSummary = { id: 'scooter/1', label: '', connectionStatus: 'connected', data: { charge: 0.4 } };
 */
export interface ObjectSummary {
  id: string;
  label: string;
  connectionStatus: ConnectionStatus;
  location: ObjectLocation | null;
  data: Record<string, unknown>;
}

/**
 * An area: a named shape (a stationary geofence).
 *
 * @example
 * const area: Area = { id: 'zone-1', label: 'Centre', shape: 'circle', shapeData: { cx: 0, cy: 51, r: 500 }, data: {}, createdAt: 1, updatedAt: 1 };
 */
export interface Area {
  id: string;
  label: string;
  shape: ShapeKind;
  shapeData: Shape;
  data: Record<string, unknown>;
  /** Unix ms. */
  createdAt: number;
  /** Unix ms. */
  updatedAt: number;
}

/**
 * One entry of an object's history: its location and its whole (merged) data after one write.
 *
 * @example
 * const entry: HistoryEntry = { time: 1764655200000, location: null, data: { valueA: 2, valueB: 2 } };
 */
export interface HistoryEntry {
  /** When the write happened, Unix ms. */
  time: number;
  location: ObjectLocation | null;
  data: Record<string, unknown>;
}

/**
 * One search hit: where `query` was found in an object or an area.
 *
 * @example
 * const hit: SearchResult = { id: 'scooter/1', type: 'object', label: 'Red scooter', field: 'label', value: 'Red scooter', start: 0, end: 3 };
 */
export interface SearchResult {
  id: string;
  type: 'object' | 'area';
  label: string;
  field: 'id' | 'label' | 'data';
  /** The text the match is in. */
  value: string;
  /** Offsets of the match in `value`. */
  start: number;
  end: number;
  /** For `field: 'data'`: the data key the match is in (a dotted path). */
  dataProperty?: string;
}

/**
 * What a feed (an object, area or realm subscription) sends: the whole current set first
 * (`kind: 'full'`, everything in `added`), then what changed (`'delta'`). Maps are keyed by id;
 * `removed` carries the last state the subscriber saw of each item that left the set (deleted,
 * moved out of the shape, or no longer matching).
 *
 * @example
 * socket.on('feed:data', ({ subscriptionId, kind, added, updated, removed }) => render(added, updated, removed));
 */
export interface FeedData<T> {
  subscriptionId: string;
  kind: 'full' | 'delta';
  added: Record<string, T>;
  updated: Record<string, T>;
  removed: Record<string, T>;
}

/** What `objects:subscribe`, `areas:subscribe` and `realms:subscribe` answer. */
export interface FeedSubscribeResult {
  subscriptionId: string;
  realm: string;
}

/**
 * A realm pub/sub message, delivered once per connection; the client hands it to each of its
 * subscriptions whose event name and id pattern match.
 *
 * @example
 * const message: PubsubMessage = { realm: 'london', event: 'connectionStatusChanged', id: 'deliveryRiders/7', data: { connectionStatus: 'connected' } };
 */
export interface PubsubMessage {
  realm: string;
  event: string;
  /** The object id the message is about (what the subscriber's id pattern is matched against). */
  id: string;
  data: unknown;
}

/** What `pubsub:subscribe` answers. */
export interface PubsubSubscribeResult {
  subscriptionId: string;
  realm: string;
}

/**
 * One change of the objects feature on its way to every node (`objects:change` through the
 * adapter): the new state (the last one, for a delete), so that each node updates its own feeds,
 * matchers and pub/sub subscribers. `cause: 'status'` marks an object whose data-provider
 * `connectionStatus` changed (no write happened); `locationOnly` an update that wrote nothing but
 * the location (the firehose: no webhook).
 *
 * @example
 * io.serverSideEmit('objects:change', { kind: 'object', realm: 'london', op: 'updated', object, cause: 'write' });
 */
export type ObjectChangeRelay =
  | { kind: 'object'; realm: string; op: EntityChangeOp; object: RealmObject; cause: 'write' | 'status'; locationOnly?: true }
  | { kind: 'area'; realm: string; op: EntityChangeOp; area: Area }
  | { kind: 'realm'; realm: string; op: EntityChangeOp; info: RealmInfo }
  | { kind: 'pubsub'; message: PubsubMessage };

/** What happened to an object, an area or a realm record. */
export type EntityChangeOp = 'created' | 'updated' | 'deleted';

/** What a delete answers. */
export interface DeletedEntity {
  id: string;
  deleted: true;
}

/** Object, area, realm, history, search and pub/sub requests a client sends. */
export interface ObjectClientEvents {
  'realm:get': (request: RealmIdRequest, ack: Ack<RealmInfo>) => void;
  'realm:create': (request: RealmWriteRequest, ack: Ack<RealmInfo>) => void;
  'realm:update': (request: RealmWriteRequest, ack: Ack<RealmInfo>) => void;
  'realm:list': (request: RealmListRequest, ack: Ack<{ realms: RealmInfo[] }>) => void;
  'realm:delete': (request: RealmIdRequest, ack: Ack<DeletedEntity>) => void;
  'realm:search': (request: SearchRequest, ack: Ack<{ results: SearchResult[] }>) => void;
  'object:create': (request: ObjectWriteRequest, ack: Ack<RealmObject>) => void;
  'object:update': (request: ObjectWriteRequest, ack: Ack<RealmObject>) => void;
  /** Upsert; the firehose for location streams: the ack is optional (fire-and-forget). */
  'object:set': (request: ObjectWriteRequest, ack?: Ack<RealmObject>) => void;
  'object:get': (request: ObjectIdRequest, ack: Ack<RealmObject>) => void;
  'object:delete': (request: ObjectIdRequest, ack: Ack<DeletedEntity>) => void;
  'object:list': (request: ObjectListRequest, ack: Ack<{ objects: Record<string, ObjectSummary> }>) => void;
  'object:history': (request: HistoryRequest, ack: Ack<{ entries: HistoryEntry[] }>) => void;
  'area:create': (request: AreaWriteRequest, ack: Ack<Area>) => void;
  'area:update': (request: AreaWriteRequest, ack: Ack<Area>) => void;
  'area:get': (request: AreaIdRequest, ack: Ack<Area>) => void;
  'area:list': (request: RealmListRequest, ack: Ack<{ areas: Record<string, Area> }>) => void;
  'area:delete': (request: AreaIdRequest, ack: Ack<DeletedEntity>) => void;
  'objects:subscribe': (request: ObjectSubscribeRequest, ack: Ack<FeedSubscribeResult>) => void;
  'areas:subscribe': (request: AreaSubscribeRequest, ack: Ack<FeedSubscribeResult>) => void;
  'realms:subscribe': (request: RealmSubscribeRequest, ack: Ack<FeedSubscribeResult>) => void;
  /** Changes an object feed's criteria in place; the difference arrives as one `'delta'`. */
  'feed:update': (request: FeedUpdateRequest, ack: Ack<FeedSubscribeResult>) => void;
  'feed:cancel': (request: FeedCancelRequest, ack: Ack<FeedCancelRequest>) => void;
  'pubsub:publish': (request: PubsubPublishRequest, ack: Ack<{ realm: string; event: string; id: string }>) => void;
  'pubsub:subscribe': (request: PubsubSubscribeRequest, ack: Ack<PubsubSubscribeResult>) => void;
  'pubsub:unsubscribe': (request: PubsubUnsubscribeRequest, ack: Ack<PubsubUnsubscribeRequest>) => void;
}

/** The names of {@link ObjectClientEvents}, for recognising known events at runtime. */
export const OBJECT_CLIENT_EVENTS = [
  'realm:get',
  'realm:create',
  'realm:update',
  'realm:list',
  'realm:delete',
  'realm:search',
  'object:create',
  'object:update',
  'object:set',
  'object:get',
  'object:delete',
  'object:list',
  'object:history',
  'area:create',
  'area:update',
  'area:get',
  'area:list',
  'area:delete',
  'objects:subscribe',
  'areas:subscribe',
  'realms:subscribe',
  'feed:update',
  'feed:cancel',
  'pubsub:publish',
  'pubsub:subscribe',
  'pubsub:unsubscribe',
] as const satisfies ReadonlyArray<keyof ObjectClientEvents>;

/** Object events the server sends. */
export interface ObjectServerEvents {
  /** An object feed's full set or delta. */
  'feed:data': (data: FeedData<RealmObject> | FeedData<Area> | FeedData<RealmInfo>) => void;
  /** A realm pub/sub message (including the server's `connectionStatusChanged`, one per object). */
  'pubsub:message': (message: PubsubMessage) => void;
}
