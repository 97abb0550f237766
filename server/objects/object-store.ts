import type { Area, HistoryEntry, ObjectLocation, RealmInfo } from '../../shared/index.js';

/**
 * An object as stored: everything but `connectionStatus`, which comes from data-provider presence
 * and is never stored as truth.
 *
 * @example
 * const stored: StoredObject = { id: 'riders/7', label: '', location: null, data: {}, createdAt: 1, updatedAt: 1 };
 */
export interface StoredObject {
  id: string;
  label: string;
  location: ObjectLocation | null;
  data: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** How much history {@link ObjectStore.appendHistory} keeps of one object. */
export interface HistoryBounds {
  /** Most entries kept; the oldest go first. */
  maxEntries: number;
  /** Entries older than this (ms before the newest write) go. */
  retentionMs: number;
}

/** An inclusive time range of one object's history, Unix ms, and the most entries to answer. */
export interface HistoryRange {
  start: number;
  end: number;
  limit: number;
}

/**
 * A west-south-east-north box (degrees) that holds every location a query can match; stores with
 * a geospatial index use it to read less, the geometry core filters exactly afterwards.
 */
export interface LocationBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/**
 * Where realms' records, objects, areas and location history live, keyed by realm and id.
 *
 * Why this shape: the service reads, merges and writes (one read and one write per
 * `object:set`: the firehose stays cheap); inserts fail on an existing id so that `create` is a
 * compare-and-set, and listing is bounded by the caller. Implementations: {@link MemoryObjectStore}
 * (the default) and {@link MongoObjectStore}; `test/contract/object-store.contract.test.ts` runs
 * the same suite against both.
 *
 * @example
 * const store: ObjectStore = new MemoryObjectStore();
 * await store.insertObject('london', { id: 'riders/7', label: '', location: null, data: {}, createdAt: 1, updatedAt: 1 });
 */
export interface ObjectStore {
  /** Connects (and creates indexes); resolves when the store can serve. */
  ready?(): Promise<void>;
  close(): Promise<void>;

  getRealm(realm: string): Promise<RealmInfo | undefined>;
  /** @throws ConflictError when the realm has a record. */
  insertRealm(info: RealmInfo): Promise<void>;
  saveRealm(info: RealmInfo): Promise<void>;
  /** Realm records by id (at most `limit`, in id order); `ids: 'all'` for every realm. */
  listRealms(ids: readonly string[] | 'all', limit: number): Promise<RealmInfo[]>;
  countRealms(): Promise<number>;
  /** Deletes the realm's record, objects, areas and history; answers whether it had a record. */
  deleteRealm(realm: string): Promise<boolean>;

  getObject(realm: string, id: string): Promise<StoredObject | undefined>;
  /** @throws ConflictError when the id exists. */
  insertObject(realm: string, object: StoredObject): Promise<void>;
  /** Writes an object whether it exists or not. */
  saveObject(realm: string, object: StoredObject): Promise<void>;
  /** Deletes an object and its history; answers what it was. */
  deleteObject(realm: string, id: string): Promise<StoredObject | undefined>;
  /** Objects in id order, at most `limit`; with `box`, exactly those located within it. */
  listObjects(realm: string, options: { limit: number; box?: LocationBox }): Promise<StoredObject[]>;
  countObjects(realm: string): Promise<number>;

  getArea(realm: string, id: string): Promise<Area | undefined>;
  /** @throws ConflictError when the id exists. */
  insertArea(realm: string, area: Area): Promise<void>;
  saveArea(realm: string, area: Area): Promise<void>;
  deleteArea(realm: string, id: string): Promise<Area | undefined>;
  /** Areas in id order, at most `limit`. */
  listAreas(realm: string, limit: number): Promise<Area[]>;
  countAreas(realm: string): Promise<number>;

  /** Appends one entry to an object's history and drops what `bounds` no longer keeps. */
  appendHistory(realm: string, id: string, entry: HistoryEntry, bounds: HistoryBounds): Promise<void>;
  /** An object's entries with `start <= time <= end`, oldest first, at most `limit`. */
  readHistory(realm: string, id: string, range: HistoryRange): Promise<HistoryEntry[]>;
}
