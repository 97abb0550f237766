import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../client/index.js';
import type { DocumentStore } from '../../server/sync/document-store.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import { MongoDocumentStore } from '../../server/sync/mongo-document-store.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// Issue 11, item 9: `sync.update(fn)` under contention retries with jittered backoff until its
// deadline instead of giving up after a few attempts. FerretDB's conditional updates are not
// atomic (FerretDB issue #3040), so the counting cases run on the embedded store and on real
// MongoDB only, as in sync.test.ts.

const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
afterAll(() => mongo.stop());

const stores: { name: string; atomic: boolean; create: () => DocumentStore }[] = [
  { name: 'embedded store', atomic: true, create: () => new MemoryDocumentStore() },
  {
    name: `MongoDB store (${ferret ? 'FerretDB' : mongo.kind})`,
    atomic: !ferret,
    create: () => new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }),
  },
];

describe.each(stores)('update(fn) under contention on the $name', ({ atomic, create }) => {
  const realm = 'contention';
  const note = atomic ? '' : ' [needs atomic conditional updates: not run on FerretDB, issue #3040]';
  let t: TestServer;
  let token: string;

  beforeAll(async () => {
    // A contention test, not a rate test: 10,000 updates (and every conflicting attempt) in one
    // realm within seconds is far past the per-realm `writes` limit, which would only slow it.
    t = await startTestServer({ documents: create(), rateLimits: { writes: { perConnection: 0, perUser: 0, perRealm: 0 } } });
    token = await t.token({ sub: 'writer', realm, permissions: ['service'] });
  });
  afterAll(() => t.close());

  const increment = (data: Record<string, unknown>) => ({ n: (data.n as number) + 1 });

  it.runIf(atomic)(`50 concurrent update(fn) calls from two clients all succeed with the default options${note}`, async () => {
    const clients = [t.client({ token }), t.client({ token })];
    await clients[0]!.sync.create('counters', { n: 0 }, 'pair');
    await Promise.all(clients.flatMap((client) => Array.from({ length: 25 }, () => client.sync.update('counters', 'pair', increment))));
    expect(await clients[0]!.sync.get('counters', 'pair')).toMatchObject({ revision: 51, data: { n: 50 } });
  });

  it.runIf(atomic)(
    `100 writers × 100 updates on one document end at revision 10,001 and value 10,000${note}`,
    async () => {
      // 4 connections × 25 writers, each writer doing 100 sequential update(fn) calls.
      const clients = Array.from({ length: 4 }, () => t.client({ token }));
      await clients[0]!.sync.create('counters', { n: 0 }, 'hot');
      await Promise.all(
        clients.flatMap((client) =>
          Array.from({ length: 25 }, async () => {
            for (let i = 0; i < 100; i += 1) await client.sync.update('counters', 'hot', increment);
          }),
        ),
      );
      expect(await clients[0]!.sync.get('counters', 'hot')).toMatchObject({ revision: 10_001, data: { n: 10_000 } });
    },
    120_000,
  );

  it('gives up with the last CONFLICT once its deadline has passed', async () => {
    const client = t.client({ token });
    await client.sync.create('counters', { n: 0 }, 'stubborn');
    const other = t.client({ token });
    // Every attempt loses: another writer bumps the document from inside fn.
    const error = await client.sync
      .update(
        'counters',
        'stubborn',
        async (data) => {
          await other.sync.merge('counters', 'stubborn', { other: Math.random() });
          return increment(data);
        },
        { timeout: 300 },
      )
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConflictError);
    expect((await client.sync.get('counters', 'stubborn')).data.n).toBe(0);
  });
});
