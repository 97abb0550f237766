import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import type { Area, HistoryEntry, RealmInfo } from '../../shared/index.js';
import { MemoryObjectStore } from '../../server/objects/memory-object-store.js';
import { MongoObjectStore } from '../../server/objects/mongo-object-store.js';
import type { ObjectStore, StoredObject } from '../../server/objects/object-store.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';

// One suite, run against the memory store and the MongoDB store on the test server (FerretDB when
// no mongod is on the PATH, which has no 2dsphere index: the store must detect that and still
// answer box queries exactly as the memory store does).
const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
const client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 10_000 });
let stores = 0;

afterAll(async () => {
  await client.close();
  await mongo.stop();
});

function object(id: string, location: [number, number] | null, data: Record<string, unknown> = {}): StoredObject {
  return {
    id,
    label: '',
    location:
      location === null
        ? null
        : {
            latitude: location[1],
            longitude: location[0],
            altitude: 0,
            accuracy: 0,
            speed: 0,
            heading: 0,
            altitudeAccuracy: 0,
            time: '2026-12-02T06:00:00.000Z',
            coordinateSystem: '',
          },
    data,
    createdAt: 1,
    updatedAt: 1,
  };
}

const realmInfo = (id: string): RealmInfo => ({ id, label: id.toUpperCase(), data: { 'a.b': 1, $c: [[1]] }, createdAt: 1, updatedAt: 2 });
const area = (id: string): Area => ({ id, label: '', shape: 'circle', shapeData: { cx: 0, cy: 0, r: 10 }, data: { x: 1 }, createdAt: 1, updatedAt: 1 });
const entry = (time: number, n: number): HistoryEntry => ({ time, location: null, data: { n } });

function describeObjectStoreContract(name: string, createStore: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    it('keeps realm records: insert once, save, list by id or all, count, delete with everything in the realm', async () => {
      const store = await createStore();
      await store.insertRealm(realmInfo('b'));
      await store.insertRealm(realmInfo('a'));
      await expect(store.insertRealm(realmInfo('a'))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.getRealm('a')).toEqual(realmInfo('a'));
      await store.saveRealm({ ...realmInfo('a'), label: 'changed' });
      expect((await store.getRealm('a'))?.label).toBe('changed');
      expect((await store.listRealms('all', 10)).map((info) => info.id)).toEqual(['a', 'b']);
      expect((await store.listRealms(['b', 'zz'], 10)).map((info) => info.id)).toEqual(['b']);
      expect(await store.countRealms()).toBe(2);
      await store.insertObject('a', object('o', null));
      await store.insertArea('a', area('z'));
      await store.appendHistory('a', 'o', entry(1, 1), { maxEntries: 10, retentionMs: 1e9 });
      expect(await store.deleteRealm('a')).toBe(true);
      expect(await store.getRealm('a')).toBeUndefined();
      expect(await store.getObject('a', 'o')).toBeUndefined();
      expect(await store.getArea('a', 'z')).toBeUndefined();
      expect(await store.readHistory('a', 'o', { start: 0, end: 10, limit: 10 })).toEqual([]);
      expect(await store.deleteRealm('a')).toBe(false);
      await store.close();
    });

    it('keeps objects by realm and id: insert once, save, delete, list in id order with a limit, count', async () => {
      const store = await createStore();
      await store.insertObject('r', object('b/1', [1, 1], { 'dotted.key': { $dollar: [[1, 2]] } }));
      await store.insertObject('r', object('a/1', null));
      await store.insertObject('other', object('a/1', null));
      await expect(store.insertObject('r', object('a/1', null))).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await store.getObject('r', 'b/1')).toEqual(object('b/1', [1, 1], { 'dotted.key': { $dollar: [[1, 2]] } }));
      const first = object('a/1', null);
      expect(await store.saveObject('r', { ...object('a/1', [2, 2]), updatedAt: 2 }, first)).toBe(true);
      await store.insertObject('r', object('c/1', [3, 3]));
      expect((await store.listObjects('r', { limit: 10 })).map((o) => o.id)).toEqual(['a/1', 'b/1', 'c/1']);
      expect((await store.listObjects('r', { limit: 2 })).map((o) => o.id)).toEqual(['a/1', 'b/1']);
      expect(await store.countObjects('r')).toBe(3);
      expect((await store.deleteObject('r', 'a/1'))?.id).toBe('a/1');
      expect(await store.deleteObject('r', 'a/1')).toBeUndefined();
      expect(await store.getObject('other', 'a/1')).toEqual(object('a/1', null));
      await store.close();
    });

    it('saves an object only if it is still the version the writer read (compare-and-set on updatedAt)', async () => {
      const store = await createStore();
      const read = object('cas', null, { a: 1 });
      await store.insertObject('r', read);
      expect(await store.saveObject('r', { ...read, data: { a: 1, b: 1 }, updatedAt: 2 }, read)).toBe(true);
      // A second writer that read the same version lost the race: nothing is written.
      expect(await store.saveObject('r', { ...read, data: { a: 1, c: 1 }, updatedAt: 2 }, read)).toBe(false);
      expect((await store.getObject('r', 'cas'))?.data).toEqual({ a: 1, b: 1 });
      // Saving an object that was deleted meanwhile writes nothing either.
      await store.deleteObject('r', 'cas');
      expect(await store.saveObject('r', { ...read, updatedAt: 3 }, { ...read, updatedAt: 2 })).toBe(false);
      expect(await store.getObject('r', 'cas')).toBeUndefined();
      await store.close();
    });

    it('answers box queries with every object located in the box (and only those), across the antimeridian too', async () => {
      const store = await createStore();
      const places: Array<[string, [number, number]]> = [
        ['in/centre', [0, 51.5]],
        // Near the equator-side edge of the box, where a four-corner geodesic polygon would miss it.
        ['in/south-edge', [5, 50.0005]],
        ['out/south', [0, 49.9]],
        ['out/east', [10.5, 51]],
        ['date/east', [179.5, 10]],
        ['date/west', [-179.5, 10]],
        ['date/out', [170, 10]],
      ];
      for (const [id, at] of places) await store.insertObject('geo', object(id, at));
      await store.insertObject('geo', object('nowhere', null));
      const ids = async (box: { west: number; south: number; east: number; north: number }) =>
        (await store.listObjects('geo', { limit: 100, box })).map((o) => o.id);
      expect(await ids({ west: -10, south: 50, east: 10, north: 52 })).toEqual(['in/centre', 'in/south-edge']);
      expect(await ids({ west: 179, south: 0, east: -179, north: 20 })).toEqual(['date/east', 'date/west']);
      await store.close();
    });

    it('keeps areas by realm and id', async () => {
      const store = await createStore();
      await store.insertArea('r', area('z2'));
      await store.insertArea('r', area('z1'));
      await expect(store.insertArea('r', area('z1'))).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.saveArea('r', {
        ...area('z1'),
        label: 'x',
        shape: 'polygon',
        shapeData: {
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 0, y: 1 },
          ],
        },
      });
      expect(await store.getArea('r', 'z1')).toMatchObject({ label: 'x', shape: 'polygon' });
      expect((await store.listAreas('r', 10)).map((a) => a.id)).toEqual(['z1', 'z2']);
      expect(await store.countAreas('r')).toBe(2);
      expect((await store.deleteArea('r', 'z2'))?.id).toBe('z2');
      expect(await store.deleteArea('r', 'z2')).toBeUndefined();
      await store.close();
    });

    it('keeps history bounded by entries and by age, and reads inclusive ranges oldest first', async () => {
      const store = await createStore();
      const bounds = { maxEntries: 3, retentionMs: 1000 };
      for (const [time, n] of [
        [100, 1],
        [200, 2],
        [300, 3],
        [400, 4],
      ] as const)
        await store.appendHistory('r', 'o', entry(time, n), bounds);
      expect((await store.readHistory('r', 'o', { start: 0, end: 1e9, limit: 10 })).map((e) => e.data.n)).toEqual([2, 3, 4]);
      expect((await store.readHistory('r', 'o', { start: 200, end: 300, limit: 10 })).map((e) => e.time)).toEqual([200, 300]);
      expect((await store.readHistory('r', 'o', { start: 0, end: 1e9, limit: 1 })).map((e) => e.time)).toEqual([200]);
      await store.appendHistory('r', 'o', entry(1350, 5), bounds);
      // 300 is older than 1350 - 1000: gone by age.
      expect((await store.readHistory('r', 'o', { start: 0, end: 1e9, limit: 10 })).map((e) => e.time)).toEqual([400, 1350]);
      await store.insertObject('r', object('o', null));
      await store.deleteObject('r', 'o');
      expect(await store.readHistory('r', 'o', { start: 0, end: 1e9, limit: 10 })).toEqual([]);
      await store.close();
    });
  });
}

describeObjectStoreContract('memory', async () => new MemoryObjectStore());
describeObjectStoreContract(`mongodb (${ferret ? 'FerretDB' : mongo.kind})`, async () => {
  stores += 1;
  return new MongoObjectStore({ client, dbName: mongo.dbName, collectionPrefix: `hk${stores}_` });
});

describe(`MongoObjectStore specifics (${ferret ? 'FerretDB' : mongo.kind})`, () => {
  it('creates unique (realm, id) indexes, and a 2dsphere index where the server has them (FerretDB: warns once)', async () => {
    const warnings: string[] = [];
    const store = new MongoObjectStore({ client, dbName: mongo.dbName, collectionPrefix: 'idx_', logger: ({ message }) => warnings.push(message) });
    await store.ready();
    await store.ready();
    const indexes = await client.db(mongo.dbName).collection('idx_objects').indexes();
    expect(indexes).toContainEqual(expect.objectContaining({ name: 'realm_id_unique', key: { realm: 1, id: 1 }, unique: true }));
    if (ferret) {
      expect(store.geoIndexed).toBe(false);
      expect(warnings).toEqual([expect.stringContaining('2dsphere')]);
    } else {
      expect(store.geoIndexed).toBe(true);
      expect(indexes).toContainEqual(expect.objectContaining({ name: 'geo_2dsphere' }));
      expect(warnings).toEqual([]);
    }
  });
});
