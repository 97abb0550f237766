import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { InternalError, UnavailableError } from '../../shared/index.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import { MongoDocumentStore, type DocumentStoreLogEntry } from '../../server/sync/mongo-document-store.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';
import { describeDocumentStoreContract } from './document-store-contract.js';
import { expectRejection, uniqueRealm } from './document-store-contract-support.js';

// The MongoDB-compatible server is started while the file is collected (top-level await), because
// which cases can run depends on it: FerretDB has no atomic conditional updates. When the FerretDB
// binary is missing, startMongo builds it first (about a minute).
const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
const client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 10_000 });
let collections = 0;

afterAll(async () => {
  await client.close();
  await mongo.stop();
});

describeDocumentStoreContract({
  name: 'memory',
  atomicConditionalUpdates: true,
  createStore: async (options) => new MemoryDocumentStore(options),
});

describeDocumentStoreContract({
  name: `mongodb (${ferret ? 'FerretDB' : mongo.kind})`,
  atomicConditionalUpdates: !ferret,
  // A collection per store keeps counts such as sweepExpired's exact.
  createStore: async (options) => {
    collections += 1;
    return new MongoDocumentStore({ client, dbName: mongo.dbName, collectionName: `sync_documents_${collections}`, ...options });
  },
});

describe(`MongoDocumentStore specifics (${ferret ? 'FerretDB' : mongo.kind})`, () => {
  it('creates a unique (realm, service, id) index and a TTL index on expiresAt, or warns and sweeps where TTL is refused', async () => {
    const logged: DocumentStoreLogEntry[] = [];
    const store = new MongoDocumentStore({ client, dbName: mongo.dbName, logger: (entry) => logged.push(entry) });
    try {
      await store.ready();
      const indexes = await client.db(mongo.dbName).collection('sync_documents').indexes();
      expect(indexes).toContainEqual(expect.objectContaining({ name: 'realm_service_id_unique', key: { realm: 1, service: 1, id: 1 }, unique: true }));
      const ttl = indexes.find((index) => index.name === 'expiresAt_ttl');
      if (ferret) {
        // FerretDB answers createIndex with expireAfterSeconds with code 238 (NotImplemented).
        expect(ttl).toBeUndefined();
        expect(logged).toStrictEqual([expect.objectContaining({ level: 'warn', message: expect.stringContaining('TTL') as unknown })]);
      } else {
        expect(ttl).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
        expect(logged).toStrictEqual([]);
      }
    } finally {
      await store.close();
    }
  });

  it('stores keys escaped and nested arrays wrapped, so any JSON works on every MongoDB-compatible server', async () => {
    const store = new MongoDocumentStore({ client, dbName: mongo.dbName, collectionName: 'escaped_keys' });
    const realm = uniqueRealm();
    try {
      const data = {
        'example.com': { $ref: 1, '50%': 2 },
        polygon: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      };
      await store.create(realm, 'notes', { id: 'a', data });
      const raw = await client.db(mongo.dbName).collection('escaped_keys').findOne({ realm, id: 'a' });
      expect(raw?.['data']).toStrictEqual({
        'example%2Ecom': { '%24ref': 1, '50%25': 2 },
        polygon: [{ '%A': [{ '%A': [0, 0] }, { '%A': [1, 1] }] }],
      });
      expect((await store.get(realm, 'notes', 'a')).data).toStrictEqual(data);
    } finally {
      await store.close();
    }
  });

  it('shares documents between two stores on one collection (two nodes), and never closes a client it was given', async () => {
    const nodeA = new MongoDocumentStore({ client, dbName: mongo.dbName, collectionName: 'two_nodes' });
    const otherClient = new MongoClient(mongo.url);
    const nodeB = new MongoDocumentStore({ client: otherClient, dbName: mongo.dbName, collectionName: 'two_nodes' });
    const realm = uniqueRealm();
    try {
      await nodeA.create(realm, 'notes', { id: 'a', data: { from: 'A' } });
      await nodeB.write(realm, 'notes', 'a', (doc) => ({ data: { ...doc.data, by: 'B' } }), { expectedRevision: 1 });
      expect(await nodeA.get(realm, 'notes', 'a')).toMatchObject({ revision: 2, data: { from: 'A', by: 'B' } });
    } finally {
      await nodeA.close();
      await nodeB.close();
    }
    // Both clients still work after the stores closed.
    expect(await client.db(mongo.dbName).collection('two_nodes').countDocuments({ realm })).toBe(1);
    expect(await otherClient.db(mongo.dbName).collection('two_nodes').countDocuments({ realm })).toBe(1);
    await otherClient.close();
  });

  it.runIf(!ferret)(
    `loses no update across two nodes: 50 increments through two stores with their own clients end at 50${
      ferret ? ' [needs atomic conditional updates: not run on FerretDB, issue #3040]' : ''
    }`,
    async () => {
      const otherClient = new MongoClient(mongo.url);
      const nodes = [
        new MongoDocumentStore({ client, dbName: mongo.dbName, collectionName: 'two_node_counter' }),
        new MongoDocumentStore({ client: otherClient, dbName: mongo.dbName, collectionName: 'two_node_counter' }),
      ] as const;
      const realm = uniqueRealm();
      try {
        await nodes[0].create(realm, 'notes', { id: 'n', data: { n: 0 } });
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 === 0 ? nodes[0] : nodes[1]).write(realm, 'notes', 'n', (doc) => ({ data: { n: (doc.data['n'] as number) + 1 } })),
          ),
        );
        expect(await nodes[1].get(realm, 'notes', 'n')).toMatchObject({ revision: 51, data: { n: 50 } });
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
        await otherClient.close();
      }
    },
  );

  it('maps an unreachable server to UNAVAILABLE without leaking driver messages', async () => {
    const store = new MongoDocumentStore({
      url: 'mongodb://127.0.0.1:9/',
      clientOptions: { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 },
    });
    try {
      const err = await expectRejection(store.get(uniqueRealm(), 'notes', 'a'), UnavailableError, 'UNAVAILABLE');
      expect(err.message).toBe('Document storage is unavailable');
      expect(JSON.stringify(err.toJSON())).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|Server selection/i);
      expect(err.cause).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('maps a server refusal to INTERNAL without leaking its message', async () => {
    // An invalid database name makes the server refuse the index creation.
    const store = new MongoDocumentStore({ client, dbName: 'bad$name' });
    try {
      const err = await expectRejection(store.get(uniqueRealm(), 'notes', 'a'), InternalError, 'INTERNAL');
      expect(err.message).toBe('Document storage failed');
    } finally {
      await store.close();
    }
  });
});
