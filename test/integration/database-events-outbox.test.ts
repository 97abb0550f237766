import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeRestClient } from '../../client/index.js';
import type { DatabaseEventsStatus, DatabaseMapping, RealtimeEvent } from '../../shared/index.js';
import { startMongo, type MongoTestServer } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect } from '../support/wait.js';
import { restApi, type Api } from '../support/webhook-api.js';

/**
 * Database events from a MongoDB-compatible server without change streams (FerretDB, or a
 * standalone mongod): the application writes `{ table, operation, row, old? }` to the outbox with
 * its change, the platform publishes and removes each; two nodes tailing one outbox publish each
 * document once; and the mappings' REST API keeps realms apart.
 */

let mongo: MongoTestServer;
let client: MongoClient;
let outbox: Collection;

beforeAll(async () => {
  mongo = await startMongo();
  client = new MongoClient(mongo.url);
  outbox = client.db(mongo.dbName).collection('realtime_outbox');
}, 120_000);
afterAll(async () => {
  await client?.close();
  await mongo?.stop();
});

function node(): Promise<TestServer> {
  return startTestServer({ databaseEvents: { mongodb: { url: mongo.url, dbName: mongo.dbName, pollMs: 20, leaseMs: 2000 } } });
}

describe('database events from a MongoDB outbox', () => {
  let t: TestServer;
  let admin: Api;

  beforeAll(async () => {
    t = await node();
    admin = restApi(t, await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }));
  }, 60_000);
  afterAll(() => t?.close());

  it('publishes each outbox document through its mapping, in order, and removes it once published', async () => {
    const { body: mapping } = await admin<DatabaseMapping>('POST', '/database/mappings', {
      table: 'orders',
      topic: 'order.updated',
      events: ['insert', 'update'],
      payload: { orderId: '$row._id', status: '$row.status', was: '$old.status' },
      when: { ne: ['$row.status', 'draft'] },
    });
    const subscriber = t.client({ token: await t.token({ sub: 'viewer', realm: 'shop' }) });
    subscriber.subscribe({ topic: 'order.updated', filter: { status: { in: ['new', 'paid'] } } });
    await subscriber.ready();
    const received = collect(subscriber, 'event:order.updated');

    await outbox.insertMany([
      { table: 'orders', operation: 'insert', row: { _id: 'o1', status: 'draft' } },
      { table: 'orders', operation: 'insert', row: { _id: 'o2', status: 'new' } },
      { table: 'orders', operation: 'update', row: { _id: 'o2', status: 'shipped' }, old: { _id: 'o2', status: 'new' } },
      { table: 'orders', operation: 'update', row: { _id: 'o2', status: 'paid' }, old: { _id: 'o2', status: 'shipped' } },
      { table: 'orders', operation: 'nonsense', row: { _id: 'o3' } },
    ]);
    const events = await received.until(2);
    expect(events.map((event: RealtimeEvent) => [event.type, event.payload])).toEqual([
      ['database.insert', { orderId: 'o2', status: 'new', was: null }],
      ['database.update', { orderId: 'o2', status: 'paid', was: 'shipped' }],
    ]);
    expect(events[0]).toMatchObject({ source: 'database', metadata: { realm: 'shop', table: 'orders', operation: 'insert' } });

    const status = await waitForStatus(admin, (s) => s.mappings[0]?.stats.delivered === 3 && s.sources[0]?.pending === 0);
    expect(status.sources).toEqual([expect.objectContaining({ kind: 'mongodb-outbox', state: 'streaming', collection: 'realtime_outbox', pending: 0 })]);
    expect(status.mappings[0]?.stats).toMatchObject({ delivered: 3, skipped: 1 });
    // The bad document is kept, marked, never published.
    expect(await outbox.find({}, { projection: { _id: 0 } }).toArray()).toEqual([
      { table: 'orders', operation: 'nonsense', row: { _id: 'o3' }, _failed: 'operation must be insert, update or delete' },
    ]);
    await outbox.deleteMany({});
    await admin('DELETE', `/database/mappings/${mapping.id}`);
  });

  it("keeps realms apart: admins see and change only their realm's mappings, and a realm from a column needs a platform admin", async () => {
    const other = restApi(t, await t.token({ sub: 'rival', realm: 'rival', permissions: ['admin'] }));
    const viewer = restApi(t, await t.token({ sub: 'viewer', realm: 'shop' }));
    const platform = restApi(t, await t.token({ sub: 'root', realms: ['*'], permissions: ['admin'] }));
    const body = { table: 'orders', topic: 'order.updated', events: ['insert'], payload: { id: '$row._id' } };

    const { body: mine } = await admin<DatabaseMapping>('POST', '/database/mappings', body);
    expect((await viewer('POST', '/database/mappings', body)).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await other('GET', `/database/mappings/${mine.id}`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await other('DELETE', `/database/mappings/${mine.id}`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await other<{ items: unknown[] }>('GET', '/database/mappings')).body.items).toEqual([]);
    expect((await admin<{ items: DatabaseMapping[] }>('GET', '/database/mappings/topic/order.updated')).body.items.map((m) => m.id)).toEqual([mine.id]);
    expect((await admin('PATCH', `/database/mappings/${mine.id}`, { realm: 'rival' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await admin('PATCH', `/database/mappings/${mine.id}`, { active: false, triggerColumns: ['status'] })).toMatchObject({
      status: 200,
      body: { active: false, triggerColumns: ['status'] },
    });
    expect((await admin<DatabaseMapping>('PATCH', `/database/mappings/${mine.id}`, { triggerColumns: null })).body).not.toHaveProperty('triggerColumns');

    expect((await admin('POST', '/database/mappings', { ...body, realm: '$row.tenant' })).body).toMatchObject({ code: 'FORBIDDEN' });
    const perTenant = await platform<DatabaseMapping>('POST', '/database/mappings', { ...body, realm: '$row.tenant' });
    expect(perTenant).toMatchObject({ status: 201, body: { realm: '$row.tenant' } });
    expect((await admin('GET', `/database/mappings/${perTenant.body.id}`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await platform<{ items: DatabaseMapping[] }>('GET', '/database/mappings')).body.items.map((m) => m.id).sort()).toEqual(
      [mine.id, perTenant.body.id].sort(),
    );

    expect((await admin('POST', '/database/mappings', { ...body, payload: { id: '$rows.id' } })).body).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { issues: [expect.objectContaining({ path: 'payload.id' })] },
    });
    expect((await admin('POST', '/database/mappings', { ...body, when: { or: [{ changed: 'a' }, { eq: ['$row.a'] }] } })).body).toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await admin('DELETE', `/database/mappings/${mine.id}`);
    await platform('DELETE', `/database/mappings/${perTenant.body.id}`);
  });
});

describe('the REST client', () => {
  it('manages mappings and reads the status through rest.database', async () => {
    const t = await node();
    try {
      const rest = new RealtimeRestClient({ url: t.url, token: await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }) });
      const created = await rest.database.create({
        table: 'orders',
        topic: 'order.updated',
        events: ['update'],
        payload: { id: '$row._id' },
        description: 'orders',
      });
      expect(await rest.database.get(created.id)).toMatchObject({ id: created.id, realm: 'shop', description: 'orders', stats: { delivered: 0 } });
      expect((await rest.database.update(created.id, { events: ['insert', 'update'] })).events).toEqual(['insert', 'update']);
      expect((await rest.database.list()).map((mapping) => mapping.id)).toEqual([created.id]);
      expect((await rest.database.forTopic('order.updated')).map((mapping) => mapping.id)).toEqual([created.id]);
      expect((await rest.database.status()).sources).toEqual([expect.objectContaining({ kind: 'mongodb-outbox' })]);
      await rest.database.delete(created.id);
      await expect(rest.database.get(created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await t.close();
    }
  });
});

describe('two nodes tailing one outbox', () => {
  it('publish each document once: one node holds the lease, and the other takes over when it stops', async () => {
    const [a, b] = [await node(), await node()];
    try {
      // Each node has its own (in-memory) platform store here, so each is given the mapping.
      for (const t of [a, b]) {
        const api = restApi(t, await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }));
        await api('POST', '/database/mappings', { table: 'ticks', topic: 'tick.added', events: ['insert'], payload: { n: '$row.n' } });
      }
      const seen: number[] = [];
      const waiters: (() => void)[] = [];
      for (const t of [a, b]) {
        t.server.services.publisher.onPublished((event) => {
          seen.push((event.payload as { n: number }).n);
          waiters.splice(0).forEach((wake) => wake());
        });
      }
      const until = async (count: number) => {
        while (seen.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      };
      await outbox.insertMany(Array.from({ length: 50 }, (_, index) => ({ table: 'ticks', operation: 'insert', row: { n: index + 1 } })));
      await until(50);
      const statuses = await Promise.all(
        [a, b].map(
          async (t) =>
            (await restApi(t, await t.token({ sub: 'root', realms: ['*'], permissions: ['admin'] }))<DatabaseEventsStatus>('GET', '/database/mappings/status'))
              .body.sources[0]?.state,
        ),
      );
      expect(statuses.sort()).toEqual(['standby', 'streaming']);
      const leader = statuses[0] === 'streaming' ? a : b;
      await leader.close();
      await outbox.insertMany(Array.from({ length: 50 }, (_, index) => ({ table: 'ticks', operation: 'insert', row: { n: index + 51 } })));
      await until(100);
      expect(seen).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});

/** Reads the status until `done` holds (the outbox count and the counters settle after the last delete). */
async function waitForStatus(api: Api, done: (status: DatabaseEventsStatus) => boolean): Promise<DatabaseEventsStatus> {
  for (;;) {
    const { body } = await api<DatabaseEventsStatus>('GET', '/database/mappings/status');
    if (done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
