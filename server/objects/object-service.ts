import {
  ConflictError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  UnavailableError,
  shapeKind,
  type Area,
  type ConnectionStatus,
  type EntityChangeOp,
  type HistoryEntry,
  type LocationInput,
  type ObjectSummary,
  type RealmInfo,
  type RealmObject,
  type SearchResult,
  type Shape,
} from '../../shared/index.js';
import { searchEntities, type SearchQuery } from './object-search.js';
import { KeyedSerialQueue } from '../presence/keyed-serial-queue.js';
import { mergeEntityData } from './entity-data.js';
import type { ObjectBus } from './object-bus.js';
import { objectCriteria, type ObjectQuery } from './object-criteria.js';
import type { ResolvedObjectLimits } from './object-limits.js';
import { toObjectLocation } from './object-location.js';
import type { ObjectStore, StoredObject } from './object-store.js';

/** How often one write re-reads and retries after losing a compare-and-set to another node. */
const MAX_WRITE_ATTEMPTS = 16;

/** A write of an object: what is not given stays as it is (`data` is merged). */
export interface ObjectWrite {
  id: string;
  label?: string;
  location?: LocationInput;
  data?: Record<string, unknown>;
}

/** A write of an area (`shape` required to create). */
export interface AreaWrite {
  id: string;
  label?: string;
  shape?: Shape;
  data?: Record<string, unknown>;
}

/** A write of a realm record. */
export interface RealmWrite {
  label?: string;
  data?: Record<string, unknown>;
}

/** What the service is built from. */
export interface ObjectServiceOptions {
  store: ObjectStore;
  bus: ObjectBus;
  limits: ResolvedObjectLimits;
  /** An object's data-provider status (never stored). */
  statusOf: (realm: string, id: string) => Promise<ConnectionStatus>;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Realms' records, objects, areas and location history: reads, writes (create = insert, update =
 * read-merge-write of an existing one, set = either), bounded by {@link ResolvedObjectLimits}, and
 * every change published once on the {@link ObjectBus}. No transport and no permission checks
 * (the operations' gate does those).
 *
 * Concurrency: the writes of one object (or area) on one node run one after the other in arrival
 * order, so a location stream is stored, recorded and delivered in the order it was sent. Each
 * write reads the object, merges, and writes the whole object back only if it is still the version
 * it read (the store's compare-and-set on `updatedAt`); a write that lost to another node's reads
 * again and re-applies itself, so concurrent merges of different keys all survive. Each location or
 * data write appends one history entry (the whole merged state at that moment): one object write
 * and one history append in the store, one bus message.
 *
 * @example
 * const objects = new ObjectService({ store: new MemoryObjectStore(), bus, limits, statusOf });
 * await objects.writeObject('london', { id: 'riders/7', location: { latitude: 51.5, longitude: -0.12 } }, 'set');
 */
export class ObjectService {
  readonly store: ObjectStore;
  private readonly bus: ObjectBus;
  private readonly limits: ResolvedObjectLimits;
  private readonly statusOf: (realm: string, id: string) => Promise<ConnectionStatus>;
  private readonly now: () => number;
  /** Writes of one object (or area) on this node run one after the other, in arrival order. */
  private readonly writes = new KeyedSerialQueue();

  constructor(options: ObjectServiceOptions) {
    this.store = options.store;
    this.bus = options.bus;
    this.limits = options.limits;
    this.statusOf = options.statusOf;
    this.now = options.now ?? Date.now;
  }

  /** @throws NotFoundError `unknown realm <id>` when the realm has no record. */
  async getRealm(realm: string): Promise<RealmInfo> {
    const info = await this.store.getRealm(realm);
    if (info === undefined) throw unknownRealm(realm);
    return info;
  }

  /**
   * Creates, or updates, a realm's record.
   *
   * @throws ConflictError when creating a realm that has one; NotFoundError when updating one that has none.
   * @throws LimitExceededError past `maxRealms`.
   */
  async writeRealm(realm: string, write: RealmWrite, mode: 'create' | 'update'): Promise<RealmInfo> {
    const current = await this.store.getRealm(realm);
    if (mode === 'create' && current !== undefined) throw new ConflictError(`realm ${realm} already exists`, { details: { realm } });
    if (mode === 'update' && current === undefined) throw unknownRealm(realm);
    const now = this.now();
    const info: RealmInfo = {
      id: realm,
      label: write.label ?? current?.label ?? '',
      data: mergeEntityData(current?.data ?? {}, write.data, this.limits.maxDataBytes),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    if (current === undefined) {
      if ((await this.store.countRealms()) >= this.limits.maxRealms) throw tooMany('realms', this.limits.maxRealms, 'the store');
      await this.store.insertRealm(info);
    } else {
      await this.store.saveRealm(info);
    }
    this.bus.publish({ kind: 'realm', realm, op: current === undefined ? 'created' : 'updated', info });
    return info;
  }

  /** The records of these realms (or every one), in id order, at most `maxRealms`. */
  listRealms(ids: readonly string[] | 'all'): Promise<RealmInfo[]> {
    return this.store.listRealms(ids, this.limits.maxRealms);
  }

  /**
   * Deletes a realm's record and everything in it: its objects, areas and history. Feeds in it
   * see every member removed.
   *
   * @throws NotFoundError when the realm has no record (nothing is deleted then).
   */
  async deleteRealm(realm: string): Promise<void> {
    const info = await this.store.getRealm(realm);
    if (info === undefined) throw unknownRealm(realm);
    const areas = await this.store.listAreas(realm, this.limits.maxAreasPerRealm);
    await this.store.deleteRealm(realm);
    // Object feeds empty themselves on the realm's deletion; area feeds hear each area go.
    for (const area of areas) this.bus.publish({ kind: 'area', realm, op: 'deleted', area });
    this.bus.publish({ kind: 'realm', realm, op: 'deleted', info });
  }

  /** @throws NotFoundError when the object does not exist. */
  async getObject(realm: string, id: string): Promise<RealmObject> {
    const stored = await this.store.getObject(realm, id);
    if (stored === undefined) throw objectNotFound(realm, id);
    return { ...stored, connectionStatus: await this.statusOf(realm, id) };
  }

  /**
   * Writes an object: `create` inserts (CONFLICT when it exists), `update` changes an existing one
   * (NOT_FOUND otherwise), `set` does either. `label` and `location` are replaced when given,
   * `data` is deep-merged (`null` deletes a key); a location or data write appends a history entry.
   *
   * @throws LimitExceededError when a new object would pass `maxObjectsPerRealm`.
   * @throws PayloadTooLargeError when the merged data passes `maxDataBytes`.
   */
  writeObject(realm: string, write: ObjectWrite, mode: 'create' | 'update' | 'set'): Promise<RealmObject> {
    return this.writes.run(entityKey('object', realm, write.id), () => this.applyObjectWrite(realm, write, mode));
  }

  private async applyObjectWrite(realm: string, write: ObjectWrite, mode: 'create' | 'update' | 'set'): Promise<RealmObject> {
    const { id } = write;
    // Writes to one object are serial on this node; another node may write it in between, so the
    // store's compare-and-set decides, and a lost race reads again and re-applies this write.
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.store.getObject(realm, id);
      if (mode === 'create' && current !== undefined) throw new ConflictError(`object ${id} already exists`, { details: { realm, id } });
      if (mode === 'update' && current === undefined) throw objectNotFound(realm, id);
      // Every write moves `updatedAt` forward, even within one millisecond: the compare-and-set compares it.
      const now = Math.max(this.now(), (current?.updatedAt ?? 0) + 1);
      const next: StoredObject = {
        id,
        label: write.label ?? current?.label ?? '',
        location: write.location === undefined ? (current?.location ?? null) : toObjectLocation(write.location, now),
        data: mergeEntityData(current?.data ?? {}, write.data, this.limits.maxDataBytes),
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      };
      if (!(await this.stored(realm, next, current, mode))) {
        if (attempt < MAX_WRITE_ATTEMPTS) {
          // A jittered pause lets the other node's writes through instead of racing them again at once.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 ** attempt)));
          continue;
        }
        throw new UnavailableError(`object ${id} is being written too often to apply this write; try again`, { details: { realm, id } });
      }
      return this.afterObjectWrite(realm, write, current, next);
    }
  }

  /** Inserts or compare-and-sets `next`; false when another writer got there first (and a retry may succeed). */
  private async stored(realm: string, next: StoredObject, current: StoredObject | undefined, mode: 'create' | 'update' | 'set'): Promise<boolean> {
    if (current !== undefined) return this.store.saveObject(realm, next, current);
    if ((await this.store.countObjects(realm)) >= this.limits.maxObjectsPerRealm) throw tooMany('objects', this.limits.maxObjectsPerRealm, `realm "${realm}"`);
    try {
      await this.store.insertObject(realm, next);
      return true;
    } catch (err) {
      // A `set` that lost the race to create the object updates the one the other writer made.
      if (mode === 'set' && err instanceof ConflictError) return false;
      throw err;
    }
  }

  private async afterObjectWrite(realm: string, write: ObjectWrite, current: StoredObject | undefined, next: StoredObject): Promise<RealmObject> {
    const { id } = write;
    const now = next.updatedAt;
    if (write.location !== undefined || write.data !== undefined) {
      const entry: HistoryEntry = { time: now, location: next.location, data: next.data };
      await this.store.appendHistory(realm, id, entry, { maxEntries: this.limits.historyMaxEntries, retentionMs: this.limits.historyRetentionMs });
    }
    const object: RealmObject = { ...next, connectionStatus: await this.statusOf(realm, id) };
    const locationOnly = current !== undefined && write.label === undefined && write.data === undefined;
    this.bus.publish({
      kind: 'object',
      realm,
      op: current === undefined ? 'created' : 'updated',
      object,
      cause: 'write',
      ...(locationOnly ? { locationOnly: true as const } : {}),
    });
    return object;
  }

  /** @throws NotFoundError when the object does not exist. */
  deleteObject(realm: string, id: string): Promise<void> {
    return this.writes.run(entityKey('object', realm, id), async () => {
      const stored = await this.store.deleteObject(realm, id);
      if (stored === undefined) throw objectNotFound(realm, id);
      this.publishObject(realm, 'deleted', { ...stored, connectionStatus: await this.statusOf(realm, id) }, 'write');
    });
  }

  /**
   * The objects matching a query (`where`, and a shape, an area or a target) that are `readable`,
   * at most `limit`, each with the data keys in `field` (all of `data` without it).
   *
   * @throws NotFoundError for an unknown `area` or `target` object; InvalidArgumentError for a malformed `where`.
   */
  async listObjects(realm: string, query: ObjectQuery & { field?: string[]; limit: number; readable: (id: string) => boolean }): Promise<ObjectSummary[]> {
    const { accepts, box } = await objectCriteria(this.store, realm, query);
    const stored = await this.store.listObjects(realm, { limit: this.limits.maxObjectsPerRealm, ...(box === undefined ? {} : { box }) });
    const found: ObjectSummary[] = [];
    for (const object of stored) {
      if (found.length >= query.limit) break;
      if (!query.readable(object.id)) continue;
      const connectionStatus = await this.statusOf(realm, object.id);
      if (!accepts({ ...object, connectionStatus })) continue;
      found.push({ id: object.id, label: object.label, connectionStatus, location: object.location, data: pick(object.data, query.field) });
    }
    return found;
  }

  /** An object's history from `start` to `end` (inclusive, Unix ms), oldest first. */
  history(realm: string, id: string, range: { start: number; end: number; limit: number }): Promise<HistoryEntry[]> {
    return this.store.readHistory(realm, id, range);
  }

  /** @throws NotFoundError when the area does not exist. */
  async getArea(realm: string, id: string): Promise<Area> {
    const area = await this.store.getArea(realm, id);
    if (area === undefined) throw areaNotFound(realm, id);
    return area;
  }

  /**
   * Writes an area: `create` needs `shape` (CONFLICT when it exists); `update` merges `data` and
   * replaces `label` and `shape` when given (feeds bound to the area follow the new shape).
   *
   * @throws LimitExceededError past `maxAreasPerRealm`.
   */
  writeArea(realm: string, write: AreaWrite, mode: 'create' | 'update'): Promise<Area> {
    return this.writes.run(entityKey('area', realm, write.id), () => this.applyAreaWrite(realm, write, mode));
  }

  private async applyAreaWrite(realm: string, write: AreaWrite, mode: 'create' | 'update'): Promise<Area> {
    const { id } = write;
    const current = await this.store.getArea(realm, id);
    if (mode === 'create' && current !== undefined) throw new ConflictError(`area ${id} already exists`, { details: { realm, id } });
    if (mode === 'update' && current === undefined) throw areaNotFound(realm, id);
    const shape = write.shape ?? current?.shapeData;
    if (shape === undefined) {
      throw new InvalidArgumentError('shape is required to create an area', { details: { issues: [{ path: 'shape', message: 'shape is required' }] } });
    }
    const now = this.now();
    const area: Area = {
      id,
      label: write.label ?? current?.label ?? '',
      shape: shapeKind(shape),
      shapeData: shape,
      data: mergeEntityData(current?.data ?? {}, write.data, this.limits.maxDataBytes),
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    if (current === undefined) {
      if ((await this.store.countAreas(realm)) >= this.limits.maxAreasPerRealm) throw tooMany('areas', this.limits.maxAreasPerRealm, `realm "${realm}"`);
      await this.store.insertArea(realm, area);
    } else {
      await this.store.saveArea(realm, area);
    }
    this.bus.publish({ kind: 'area', realm, op: current === undefined ? 'created' : 'updated', area });
    return area;
  }

  /** @throws NotFoundError when the area does not exist. */
  async deleteArea(realm: string, id: string): Promise<void> {
    const area = await this.store.deleteArea(realm, id);
    if (area === undefined) throw areaNotFound(realm, id);
    this.bus.publish({ kind: 'area', realm, op: 'deleted', area });
  }

  /** A realm's areas, in id order. */
  listAreas(realm: string): Promise<Area[]> {
    return this.store.listAreas(realm, this.limits.maxAreasPerRealm);
  }

  /**
   * Searches the realm's objects and areas (at most `searchScanLimit` of them, objects first, in
   * id order) for `query` in ids, labels and data values; `readable` drops what the caller may not
   * read before anything is counted.
   */
  async search(realm: string, query: SearchQuery, readable: (type: 'object' | 'area', id: string) => boolean): Promise<SearchResult[]> {
    const scan = this.limits.searchScanLimit;
    const objects = (await this.store.listObjects(realm, { limit: scan })).filter((object) => readable('object', object.id));
    const areas = objects.length >= scan ? [] : (await this.store.listAreas(realm, scan - objects.length)).filter((area) => readable('area', area.id));
    return searchEntities(objects, areas, query);
  }

  /**
   * Publishes an object whose data-provider status changed (no write: the stored state and the
   * new status), so that feeds see it as `updated`.
   */
  publishStatus(realm: string, object: StoredObject, connectionStatus: ConnectionStatus): void {
    this.publishObject(realm, 'updated', { ...object, connectionStatus }, 'status');
  }

  private publishObject(realm: string, op: EntityChangeOp, object: RealmObject, cause: 'write' | 'status'): void {
    this.bus.publish({ kind: 'object', realm, op, object, cause });
  }
}

function entityKey(kind: 'object' | 'area', realm: string, id: string): string {
  return `${kind} ${realm} ${id}`;
}

function pick(data: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (fields === undefined) return data;
  // fromEntries defines own properties: a field named `__proto__` stays an ordinary key.
  return Object.fromEntries(fields.filter((field) => Object.hasOwn(data, field)).map((field) => [field, data[field]]));
}

function unknownRealm(realm: string): NotFoundError {
  return new NotFoundError(`unknown realm ${realm}`, { details: { realm } });
}

function objectNotFound(realm: string, id: string): NotFoundError {
  return new NotFoundError(`unknown object ${id}`, { details: { realm, id } });
}

function areaNotFound(realm: string, id: string): NotFoundError {
  return new NotFoundError(`unknown area ${id}`, { details: { realm, id } });
}

function tooMany(what: string, limit: number, where: string): LimitExceededError {
  return new LimitExceededError(`${where} holds the most ${what} allowed (${limit})`, { details: { limit } });
}
