import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEventsStatus, DatabaseMapping, RealtimeEvent } from '../../shared/index.js';
import { MongoDocumentStore } from '../../server/index.js';
import { startMongo, type MongoTestServer } from '../support/mongodb.js';
import { startPostgres, type PostgresTestServer } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect } from '../support/wait.js';
import { restApi, type Api } from '../support/webhook-api.js';

/**
 * Database events from a real PostgreSQL (wal_level = logical) through logical replication:
 * row changes become events with the mapped payload; a restart of the platform mid-stream loses
 * and repeats nothing; a slot the platform stopped reading keeps the changes and is caught up.
 */

let postgres: PostgresTestServer;
let db: pg.Client;

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  await db.query(`CREATE TABLE sessions (id serial PRIMARY KEY, status text NOT NULL, ended_at timestamptz, tenant text, note text, score int8)`);
  await db.query('ALTER TABLE sessions REPLICA IDENTITY FULL');
  await db.query('CREATE TABLE ticks (n int PRIMARY KEY)');
}, 60_000);

afterAll(async () => {
  await db?.end();
  await postgres?.stop();
});

/** A server reading the test database through its own slot and publication; with `mongo`, its mappings and positions live there. */
async function platform(names: { slot: string; publication: string }, mongo?: MongoTestServer): Promise<TestServer> {
  return startTestServer({
    databaseEvents: { postgres: { url: postgres.url, ...names, lagIntervalMs: 200 } },
    ...(mongo === undefined ? {} : { documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }) }),
  });
}

function uniqueNames(): { slot: string; publication: string } {
  const suffix = randomBytes(4).toString('hex');
  return { slot: `s_${suffix}`, publication: `p_${suffix}` };
}

/** Every event a server publishes, as it publishes them (before any delivery). */
function published(t: TestServer) {
  const events: RealtimeEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  t.server.services.publisher.onPublished((event) => {
    events.push(event);
    for (const waiter of [...waiters])
      if (events.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  return {
    events,
    until: (count: number) => new Promise<void>((resolve) => (events.length >= count ? resolve() : waiters.push({ count, resolve }))),
  };
}

describe('database events from PostgreSQL', () => {
  let t: TestServer;
  let admin: Api;

  beforeAll(async () => {
    t = await platform(uniqueNames());
    admin = restApi(t, await t.token({ sub: 'ops', realm: 'demo', permissions: ['admin'] }));
  }, 60_000);
  afterAll(() => t?.close());

  it('turns inserts, updates and deletes into events with the mapped payload; triggerColumns and when hold back the rest', async () => {
    const created = await admin<DatabaseMapping>('POST', '/database/mappings', {
      table: 'sessions',
      topic: 'session.status',
      events: ['insert', 'update', 'delete'],
      triggerColumns: ['status', 'ended_at'],
      payload: { sessionId: '$row.id', status: '$row.status', endedAt: '$row.ended_at', was: '$old.status', kind: 'session' },
      when: { or: [{ changed: 'status' }, { changed: 'ended_at' }] },
      environment: 'development',
    });
    expect(created).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^map_/), realm: 'demo', active: true, environment: 'development' } });
    const subscriber = t.client({ token: await t.token({ sub: 'viewer', realm: 'demo' }) });
    subscriber.subscribe({ topic: 'session.status' });
    await subscriber.ready();
    const received = collect(subscriber, 'event:session.status');

    const { rows } = await db.query<{ id: number }>("INSERT INTO sessions (status) VALUES ('open') RETURNING id");
    const id = rows[0]?.id;
    await db.query("UPDATE sessions SET note = 'only a note' WHERE id = $1", [id]);
    await db.query("UPDATE sessions SET status = 'ended', ended_at = '2026-01-02T03:04:05Z' WHERE id = $1", [id]);
    await db.query('DELETE FROM sessions WHERE id = $1', [id]);
    const events = await received.until(3);

    expect(events.map((event) => [event.type, event.payload])).toEqual([
      ['database.insert', { sessionId: id, status: 'open', endedAt: null, was: null, kind: 'session' }],
      ['database.update', { sessionId: id, status: 'ended', endedAt: '2026-01-02T03:04:05.000Z', was: 'open', kind: 'session' }],
      ['database.delete', { sessionId: id, status: 'ended', endedAt: '2026-01-02T03:04:05.000Z', was: 'ended', kind: 'session' }],
    ]);
    expect(events[0]).toMatchObject({ source: 'database', topic: 'session.status', metadata: { realm: 'demo', table: 'sessions', operation: 'insert' } });
    const mapping = await admin<DatabaseMapping>('GET', `/database/mappings/${created.body.id}`);
    expect(mapping.body.stats).toMatchObject({ delivered: 3, skipped: 1, failed: 0 });
    await admin('DELETE', `/database/mappings/${created.body.id}`);
  });

  it("counts a payload its topic schema refuses as the mapping's last error, and publishes nothing for it", async () => {
    await admin('POST', '/topics', { name: 'session.scored' });
    await admin('POST', '/schemas/session.scored', { schema: { type: 'object', required: ['score'], properties: { score: { type: 'number' } } } });
    await admin('PATCH', '/topics/session.scored', { activeSchemaVersion: 1 });
    const created = await admin<DatabaseMapping>('POST', '/database/mappings', {
      table: 'sessions',
      topic: 'session.scored',
      events: ['insert'],
      payload: { score: '$row.score' },
    });
    const subscriber = t.client({ token: await t.token({ sub: 'viewer', realm: 'demo' }) });
    subscriber.subscribe({ topic: 'session.scored' });
    await subscriber.ready();
    const received = collect(subscriber, 'event:session.scored');

    await db.query("INSERT INTO sessions (status, score) VALUES ('open', NULL)"); // score null: refused
    await db.query("INSERT INTO sessions (status, score) VALUES ('open', 42)");
    const [event] = await received.until(1);
    expect(event?.payload).toEqual({ score: 42 });

    const { body } = await admin<DatabaseMapping>('GET', `/database/mappings/${created.body.id}`);
    expect(body.stats).toMatchObject({ delivered: 1, failed: 1, lastError: { message: expect.stringContaining('schema of "session.scored"') } });
    expect(received.values).toHaveLength(1);
    const status = await admin<DatabaseEventsStatus>('GET', '/database/mappings/status');
    expect(status.body.sources).toEqual([expect.objectContaining({ kind: 'postgres', state: 'streaming', lagBytes: expect.any(Number) })]);
    expect(status.body.mappings).toEqual([expect.objectContaining({ id: created.body.id, stats: expect.objectContaining({ failed: 1 }) })]);
    await admin('DELETE', `/database/mappings/${created.body.id}`);
  });
});

describe('restarts and a slot that falls behind', () => {
  let mongo: MongoTestServer;
  beforeAll(async () => {
    mongo = await startMongo();
  }, 120_000);
  afterAll(() => mongo?.stop());

  it('a restart mid-stream loses and repeats nothing; rows written while no platform reads are delivered after, and the slot catches up', async () => {
    const names = uniqueNames();
    const first = await platform(names, mongo);
    const admin = restApi(first, await first.token({ sub: 'ops', realm: 'demo', permissions: ['admin'] }));
    await admin('POST', '/database/mappings', { table: 'ticks', topic: 'tick.added', events: ['insert'], payload: { n: '$row.n' } });
    const before = published(first);

    // A writer commits rows one transaction at a time while the platform restarts under it.
    const total = 300;
    const writer = (async () => {
      for (let n = 1; n <= total; n += 1) {
        await db.query('INSERT INTO ticks (n) VALUES ($1)', [n]);
      }
    })();
    await before.until(50);
    await first.close();
    const publishedBeforeRestart = before.events.length;
    // No platform reads the slot now: it holds what is committed meanwhile.
    await writer;
    const lag = await db.query<{ lag: string }>(
      'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1',
      [names.slot],
    );
    expect(Number(lag.rows[0]?.lag)).toBeGreaterThan(0);

    const second = await platform(names, mongo);
    const after = published(second);
    const ops = restApi(second, await second.token({ sub: 'ops', realm: 'demo', permissions: ['admin'] }));
    await after.until(total - before.events.length);
    const seen = [...before.events, ...after.events].map((event) => (event.payload as { n: number }).n);
    expect(seen).toEqual(Array.from({ length: total }, (_, index) => index + 1));
    expect(publishedBeforeRestart).toBeLessThan(total); // the restart did happen mid-stream
    expect(after.events.length).toBeGreaterThan(0);

    // Caught up: the slot's confirmed position reaches the last commit (acknowledged after publishing).
    const status = await waitForStatus(ops, (s) => (s.sources[0]?.lagBytes ?? Infinity) < Number(lag.rows[0]?.lag));
    expect(status.sources[0]).toMatchObject({ kind: 'postgres', state: 'streaming', slot: names.slot });
    await second.close();
  }, 60_000);
});

/** Reads the status until `done` holds (the slot's lag is measured by PostgreSQL, after the acknowledgement it receives). */
async function waitForStatus(api: Api, done: (status: DatabaseEventsStatus) => boolean): Promise<DatabaseEventsStatus> {
  for (;;) {
    const { body } = await api<DatabaseEventsStatus>('GET', '/database/mappings/status');
    if (done(body)) return body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
