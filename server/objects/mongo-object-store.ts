import { MongoClient, MongoServerError, type Collection, type Db, type Document } from 'mongodb';
import { ConflictError, InvalidArgumentError, type Area, type HistoryEntry, type ObjectLocation, type RealmInfo } from '../../shared/index.js';
import { decodeMongoData, encodeMongoData } from '../sync/mongo-data-codec.js';
import { isDuplicateKeyError, toStoreError } from '../sync/mongo-errors.js';
import { inBox } from './location-box.js';
import { geoWithinFilter } from './mongo-geo-filter.js';
import type { HistoryBounds, HistoryRange, LocationBox, ObjectStore, StoredObject } from './object-store.js';

/** What the MongoDB object store is built from: exactly one of `url` or `client`. */
export interface MongoObjectStoreOptions {
  /** A connection string; the store owns (and closes) the client it makes. */
  url?: string;
  /** A client someone else owns (the store does not close it). */
  client?: MongoClient;
  /** @default 'realtime' */
  dbName?: string;
  /** Prefix of the four collections (`<prefix>realms`, `objects`, `areas`, `history`). @default 'hk_' */
  collectionPrefix?: string;
  /** Where the one warning about a missing `2dsphere` index goes. @default nothing */
  logger?: (entry: { level: 'warn'; message: string; details?: unknown }) => void;
}

interface RealmDocument extends Document {
  realm: string;
  label: string;
  data: unknown;
  createdAt: number;
  updatedAt: number;
}

interface ObjectDocument extends Document {
  realm: string;
  id: string;
  label: string;
  location: ObjectLocation | null;
  /** The location as a GeoJSON point, for the `2dsphere` index (absent without a location). */
  geo?: { type: 'Point'; coordinates: [number, number] };
  data: unknown;
  createdAt: number;
  updatedAt: number;
}

interface AreaDocument extends Document {
  realm: string;
  id: string;
  area: Omit<Area, 'data'> & { data: unknown };
}

interface HistoryDocument extends Document {
  realm: string;
  id: string;
  time: number;
  location: ObjectLocation | null;
  data: unknown;
}

interface Collections {
  realms: Collection<RealmDocument>;
  objects: Collection<ObjectDocument>;
  areas: Collection<AreaDocument>;
  history: Collection<HistoryDocument>;
}

/**
 * The MongoDB {@link ObjectStore} (official driver): realm records, objects, areas and history in
 * four collections, each with a unique index on `(realm, id)` (history: `(realm, id, time)`), and
 * a `2dsphere` index on objects' GeoJSON position, which `listObjects` with a box uses
 * ({@link geoWithinFilter}). Servers without 2dsphere indexes (FerretDB) are detected when the
 * index is refused: the store warns once and reads without the geo filter (the geometry core
 * filters exactly either way). Data is stored encoded (`mongo-data-codec.ts`), so any JSON key
 * works on MongoDB and FerretDB alike. Driver errors never leak (`toStoreError`).
 *
 * @example
 * const store = new MongoObjectStore({ url: 'mongodb://127.0.0.1:27017', dbName: 'realtime' });
 * await store.ready();
 */
export class MongoObjectStore implements ObjectStore {
  private readonly client: MongoClient;
  private readonly ownsClient: boolean;
  private readonly dbName: string;
  private readonly prefix: string;
  private readonly logger: NonNullable<MongoObjectStoreOptions['logger']>;
  private initializing: Promise<Collections> | undefined;
  /** Whether the server accepted the `2dsphere` index (known after `ready()`). */
  geoIndexed = false;

  constructor(options: MongoObjectStoreOptions) {
    if ((options.client === undefined) === (options.url === undefined)) {
      throw new InvalidArgumentError('MongoObjectStore needs exactly one of `client` or `url`');
    }
    this.ownsClient = options.client === undefined;
    this.client = options.client ?? new MongoClient(options.url ?? '', { serverSelectionTimeoutMS: 5000 });
    this.dbName = options.dbName ?? 'realtime';
    this.prefix = options.collectionPrefix ?? 'hk_';
    this.logger = options.logger ?? (() => undefined);
  }

  async ready(): Promise<void> {
    await this.collections();
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  async getRealm(realm: string): Promise<RealmInfo | undefined> {
    const { realms } = await this.collections();
    const found = await this.run(() => realms.findOne({ realm }));
    return found === null ? undefined : toRealm(found);
  }

  async insertRealm(info: RealmInfo): Promise<void> {
    const { realms } = await this.collections();
    try {
      await realms.insertOne(fromRealm(info));
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`realm ${info.id} already exists`, { details: { realm: info.id } });
      throw toStoreError(err);
    }
  }

  async saveRealm(info: RealmInfo): Promise<void> {
    const { realms } = await this.collections();
    await this.run(() => realms.replaceOne({ realm: info.id }, fromRealm(info), { upsert: true }));
  }

  async listRealms(ids: readonly string[] | 'all', limit: number): Promise<RealmInfo[]> {
    const { realms } = await this.collections();
    const filter = ids === 'all' ? {} : { realm: { $in: [...ids] } };
    const found = await this.run(() => realms.find(filter).sort({ realm: 1 }).limit(limit).toArray());
    return found.map(toRealm);
  }

  async countRealms(): Promise<number> {
    const { realms } = await this.collections();
    return this.run(() => realms.countDocuments());
  }

  async deleteRealm(realm: string): Promise<boolean> {
    const { realms, objects, areas, history } = await this.collections();
    await this.run(() => Promise.all([objects.deleteMany({ realm }), areas.deleteMany({ realm }), history.deleteMany({ realm })]));
    const { deletedCount } = await this.run(() => realms.deleteOne({ realm }));
    return deletedCount > 0;
  }

  async getObject(realm: string, id: string): Promise<StoredObject | undefined> {
    const { objects } = await this.collections();
    const found = await this.run(() => objects.findOne({ realm, id }));
    return found === null ? undefined : toObject(found);
  }

  async insertObject(realm: string, object: StoredObject): Promise<void> {
    const { objects } = await this.collections();
    try {
      await objects.insertOne(fromObject(realm, object));
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`object ${object.id} already exists`, { details: { realm, id: object.id } });
      throw toStoreError(err);
    }
  }

  async saveObject(realm: string, object: StoredObject, previous: StoredObject): Promise<boolean> {
    const { objects } = await this.collections();
    const result = await this.run(() => objects.replaceOne({ realm, id: object.id, updatedAt: previous.updatedAt }, fromObject(realm, object)));
    return result.matchedCount === 1;
  }

  async deleteObject(realm: string, id: string): Promise<StoredObject | undefined> {
    const { objects, history } = await this.collections();
    const found = await this.run(() => objects.findOneAndDelete({ realm, id }));
    if (found === null) return undefined;
    await this.run(() => history.deleteMany({ realm, id }));
    return toObject(found);
  }

  async listObjects(realm: string, { limit, box }: { limit: number; box?: LocationBox }): Promise<StoredObject[]> {
    const { objects } = await this.collections();
    if (box === undefined) {
      const found = await this.run(() => objects.find({ realm }).sort({ id: 1 }).limit(limit).toArray());
      return found.map(toObject);
    }
    // The geo filter (when the server has the index) reads a superset; the box test makes it exact.
    const geo = this.geoIndexed ? geoWithinFilter(box) : undefined;
    return this.run(async () => {
      const found: StoredObject[] = [];
      for await (const doc of objects.find(geo === undefined ? { realm } : { realm, geo }).sort({ id: 1 })) {
        if (!inBox(doc.location, box)) continue;
        found.push(toObject(doc));
        if (found.length >= limit) break;
      }
      return found;
    });
  }

  async countObjects(realm: string): Promise<number> {
    const { objects } = await this.collections();
    return this.run(() => objects.countDocuments({ realm }));
  }

  async getArea(realm: string, id: string): Promise<Area | undefined> {
    const { areas } = await this.collections();
    const found = await this.run(() => areas.findOne({ realm, id }));
    return found === null ? undefined : toArea(found);
  }

  async insertArea(realm: string, area: Area): Promise<void> {
    const { areas } = await this.collections();
    try {
      await areas.insertOne(fromArea(realm, area));
    } catch (err) {
      if (isDuplicateKeyError(err)) throw new ConflictError(`area ${area.id} already exists`, { details: { realm, id: area.id } });
      throw toStoreError(err);
    }
  }

  async saveArea(realm: string, area: Area): Promise<void> {
    const { areas } = await this.collections();
    await this.run(() => areas.replaceOne({ realm, id: area.id }, fromArea(realm, area), { upsert: true }));
  }

  async deleteArea(realm: string, id: string): Promise<Area | undefined> {
    const { areas } = await this.collections();
    const found = await this.run(() => areas.findOneAndDelete({ realm, id }));
    return found === null ? undefined : toArea(found);
  }

  async listAreas(realm: string, limit: number): Promise<Area[]> {
    const { areas } = await this.collections();
    const found = await this.run(() => areas.find({ realm }).sort({ id: 1 }).limit(limit).toArray());
    return found.map(toArea);
  }

  async countAreas(realm: string): Promise<number> {
    const { areas } = await this.collections();
    return this.run(() => areas.countDocuments({ realm }));
  }

  async appendHistory(realm: string, id: string, entry: HistoryEntry, bounds: HistoryBounds): Promise<void> {
    const { history } = await this.collections();
    await this.run(async () => {
      await history.insertOne({ realm, id, time: entry.time, location: entry.location, data: encodeMongoData(entry.data) });
      await history.deleteMany({ realm, id, time: { $lt: entry.time - bounds.retentionMs } });
      // Past the entry bound: the oldest beyond the newest `maxEntries` go (usually one).
      const surplus = await history
        .find({ realm, id }, { projection: { _id: 1 } })
        .sort({ time: -1, _id: -1 })
        .skip(bounds.maxEntries)
        .toArray();
      if (surplus.length > 0) await history.deleteMany({ _id: { $in: surplus.map((doc) => doc._id) } });
    });
  }

  async readHistory(realm: string, id: string, { start, end, limit }: HistoryRange): Promise<HistoryEntry[]> {
    const { history } = await this.collections();
    const found = await this.run(() =>
      history
        .find({ realm, id, time: { $gte: start, $lte: end } })
        .sort({ time: 1, _id: 1 })
        .limit(limit)
        .toArray(),
    );
    return found.map((doc) => ({ time: doc.time, location: doc.location, data: decodeMongoData(doc.data) as Record<string, unknown> }));
  }

  private collections(): Promise<Collections> {
    this.initializing ??= this.initialize().catch((err: unknown) => {
      this.initializing = undefined;
      throw toStoreError(err);
    });
    return this.initializing;
  }

  private async initialize(): Promise<Collections> {
    if (this.ownsClient) await this.client.connect();
    const db: Db = this.client.db(this.dbName);
    const collections: Collections = {
      realms: db.collection<RealmDocument>(`${this.prefix}realms`),
      objects: db.collection<ObjectDocument>(`${this.prefix}objects`),
      areas: db.collection<AreaDocument>(`${this.prefix}areas`),
      history: db.collection<HistoryDocument>(`${this.prefix}history`),
    };
    await collections.realms.createIndex({ realm: 1 }, { unique: true, name: 'realm_unique' });
    await collections.objects.createIndex({ realm: 1, id: 1 }, { unique: true, name: 'realm_id_unique' });
    await collections.areas.createIndex({ realm: 1, id: 1 }, { unique: true, name: 'realm_id_unique' });
    await collections.history.createIndex({ realm: 1, id: 1, time: 1 }, { name: 'realm_id_time' });
    try {
      await collections.objects.createIndex({ geo: '2dsphere' }, { name: 'geo_2dsphere' });
      this.geoIndexed = true;
    } catch (err) {
      if (!(err instanceof MongoServerError)) throw err;
      this.logger({
        level: 'warn',
        message: 'objects: this server refused a 2dsphere index (FerretDB has none): shape queries read every object of the realm and filter in the server',
        details: { code: err.code },
      });
    }
    return collections;
  }

  private async run<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (err) {
      throw toStoreError(err);
    }
  }
}

function fromRealm(info: RealmInfo): RealmDocument {
  return { realm: info.id, label: info.label, data: encodeMongoData(info.data), createdAt: info.createdAt, updatedAt: info.updatedAt };
}

function toRealm(doc: RealmDocument): RealmInfo {
  return { id: doc.realm, label: doc.label, data: decodeMongoData(doc.data) as Record<string, unknown>, createdAt: doc.createdAt, updatedAt: doc.updatedAt };
}

function fromObject(realm: string, object: StoredObject): ObjectDocument {
  const { location } = object;
  return {
    realm,
    id: object.id,
    label: object.label,
    location,
    ...(location === null ? {} : { geo: { type: 'Point' as const, coordinates: [location.longitude, location.latitude] as [number, number] } }),
    data: encodeMongoData(object.data),
    createdAt: object.createdAt,
    updatedAt: object.updatedAt,
  };
}

function toObject(doc: ObjectDocument): StoredObject {
  return {
    id: doc.id,
    label: doc.label,
    location: doc.location,
    data: decodeMongoData(doc.data) as Record<string, unknown>,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function fromArea(realm: string, area: Area): AreaDocument {
  return { realm, id: area.id, area: { ...area, data: encodeMongoData(area.data) } };
}

function toArea(doc: AreaDocument): Area {
  return { ...doc.area, data: decodeMongoData(doc.area.data) as Record<string, unknown> };
}
