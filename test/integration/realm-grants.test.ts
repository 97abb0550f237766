import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import { RedisPresenceStore } from '../../server/presence/redis-presence-store.js';
import type { RealtimeEvent } from '../../shared/index.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { restApi } from '../support/webhook-api.js';
import { collectSocketEvents } from '../support/socket-wait.js';
import { collect } from '../support/wait.js';

// Which realms a token grants, and which rights it has in each (issue 11, item 2), with the
// in-memory presence store and with the Redis one.

let redis: RedisTestServer;
const connections: Redis[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  const [first] = connections;
  if (first !== undefined) {
    for await (const keys of first.scanStream({ match: `${redis.keyPrefix}-*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length > 0) await first.del(...keys);
    }
  }
  for (const connection of connections) connection.disconnect();
  await redis.stop();
});

async function redisStore(): Promise<RedisPresenceStore> {
  const connection = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await connection.connect();
  connections.push(connection);
  return new RedisPresenceStore(connection, `${redis.keyPrefix}-${connections.length}`);
}

/** Seeds a document in `realm` with an admin of that realm (once: tests may share a document). */
async function seedDocument(t: TestServer, realm: string, service: string, id: string): Promise<void> {
  const admin = t.client({ token: await t.token({ sub: `seed-${realm}`, realm, permissions: ['admin'] }) });
  await admin.sync.create(service, { seeded: true }, id).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'ALREADY_EXISTS') throw err;
  });
  admin.destroy();
}

describe.each([
  ['memory presence store', async () => startTestServer({ webhooks: { allowPrivateNetworks: true } })],
  ['Redis presence store', async () => startTestServer({ webhooks: { allowPrivateNetworks: true }, presenceStore: await redisStore() })],
])('realm grants (%s)', (_label, start) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await start();
  });
  afterAll(() => t.close());

  const client = async (claims: TestClaims): Promise<RealtimeClient> => {
    const created = t.client({ token: await t.token(claims) });
    await created.ready();
    return created;
  };

  describe('a `*` key of dpv or per grants no realm', () => {
    it.each<[string, TestClaims]>([
      ['dpv {"*": [...]}', { sub: 'device-dpv', realm: 'london', dpv: { '*': ['riders/*'] } }],
      ['per {"*": {...}}', { sub: 'device-per', realm: 'london', per: { '*': { 'doc/*': 'R', 'channel/*': 'RP' } } }],
    ])('a london token with %s cannot read paris documents or join paris channels', async (_shape, claims) => {
      await seedDocument(t, 'paris', 'notes', 'secret');
      const device = await client(claims);
      expect(device.realmId).toBe('london');
      const paris = device.realm('paris');
      await expect(paris.sync.get('notes', 'secret')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { realm: 'paris' } });
      await expect(paris.socketClient.joinChannel('ops')).rejects.toMatchObject({ code: 'FORBIDDEN', details: { realm: 'paris' } });
      expect(device.connected).toBe(true);
    });

    it('realms ["*"] still grants every realm', async () => {
      await seedDocument(t, 'paris', 'notes', 'open');
      const everywhere = await client({ sub: 'roamer', realms: ['*'], dpv: { '*': ['riders/*'] } });
      await expect(everywhere.realm('paris').sync.get('notes', 'open')).resolves.toMatchObject({ id: 'open' });
      await expect(everywhere.realm('rome').socketClient.joinChannel('ops')).resolves.toMatchObject({ channel: 'ops' });
    });
  });

  describe('roles apply only in the realms that realm/realms grant', () => {
    const claims: TestClaims = { sub: 'london-admin', realm: 'london', permissions: ['admin'], per: { paris: { 'doc/notes/x': 'R' } } };

    it('an admin of london with read on one paris document cannot delete paris documents, but reads that one', async () => {
      await seedDocument(t, 'paris', 'notes', 'x');
      await seedDocument(t, 'paris', 'notes', 'y');
      const admin = await client(claims);
      // `realm` is the home (default) realm; paris, named only in per, is used by naming it.
      expect(admin.realmId).toBe('london');
      const paris = admin.realm('paris');
      await expect(paris.sync.get('notes', 'x')).resolves.toMatchObject({ id: 'x', data: { seeded: true } });
      await expect(paris.sync.delete('notes', 'y')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(paris.sync.delete('notes', 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(paris.sync.get('notes', 'y')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      // Still an admin at home.
      await expect(admin.sync.create('notes', { mine: true }, 'home')).resolves.toMatchObject({ id: 'home' });
    });

    it('an admin of london with read on one paris document cannot register a paris webhook', async () => {
      const api = restApi(t, await t.token(claims));
      const refused = await api('POST', '/webhooks', { realm: 'paris', url: 'http://127.0.0.1:9/hook' });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
      const listed = await api('GET', '/webhooks?realm=paris');
      expect(listed.status).toBe(403);
      expect((await api('GET', '/webhooks?realm=london')).status).toBe(200);
    });
  });

  describe('dpv {"*": [...]} provides in every realm the token may use', () => {
    it('makes riders/1 connected in london for a token with realm london', async () => {
      // Hivekit-shaped tokens: a realm plus dpv `*`. The realm stays the client's default realm.
      const watcher = await client({ sub: 'dispatcher', realm: 'dp-london', permissions: ['service'], dpv: { '*': ['dispatch/1'] } });
      expect(watcher.realmId).toBe('dp-london');
      watcher.subscribe({ topic: 'presence.status' });
      await watcher.ready();
      const events = collect(watcher, 'event:presence.status');

      const fleet = await client({ sub: 'fleet-proxy', realm: 'dp-london', dpv: { '*': ['riders/*'] } });
      expect(fleet.realmId).toBe('dp-london');
      await events.until(1);
      expect(events.values.map((event: RealtimeEvent) => [event.type, event.payload, event.metadata.realm])).toEqual([
        ['connectionStatusChanged', { id: 'riders/*', connectionStatus: 'connected' }, 'dp-london'],
      ]);
      expect(await watcher.connectionStatus('riders/1')).toBe('connected');

      fleet.disconnect();
      await events.until(2);
      expect(events.values[1]?.payload).toEqual({ id: 'riders/*', connectionStatus: 'disconnected' });
      expect(await watcher.connectionStatus('riders/1')).toBe('disconnected');
    });

    it('provides nothing in a realm the token does not grant (a dpv key is no grant)', async () => {
      const parisWatcher = await client({ sub: 'paris-dispatcher', realm: 'dp-paris', permissions: ['service'] });
      await client({ sub: 'london-device', realm: 'dp-home', dpv: { 'dp-paris': ['bikes/*'], 'dp-home': ['bikes/1'] } });
      const homeWatcher = await client({ sub: 'home-dispatcher', realm: 'dp-home', permissions: ['service'] });
      expect(await homeWatcher.connectionStatus('bikes/1')).toBe('connected');
      expect(await parisWatcher.connectionStatus('bikes/1')).toBe('disconnected');
    });

    it('provides in the realms a realms ["*"] token names as dpv keys', async () => {
      await client({ sub: 'all-realms-device', realms: ['*'], dpv: { 'dp-named': ['vans/*'] } });
      const watcher = await client({ sub: 'named-dispatcher', realm: 'dp-named', permissions: ['service'] });
      expect(await watcher.connectionStatus('vans/1')).toBe('connected');
    });
  });

  describe('a realm named __proto__', () => {
    it('registers data providers there: dpv {"__proto__": [...]} and dpv {"*": [...]}', async () => {
      const watcher = await client({ sub: 'proto-watcher', realm: '__proto__', permissions: ['service'] });
      watcher.subscribe({ topic: 'presence.status' });
      await watcher.ready();
      const events = collect(watcher, 'event:presence.status');
      // JSON.parse keeps `__proto__` an ordinary key (an object literal would set the prototype).
      await client({ sub: 'proto-device', realm: '__proto__', dpv: JSON.parse('{"__proto__": ["x/*"]}') as Record<string, string[]> });
      await client({ sub: 'proto-fleet', realm: '__proto__', dpv: { '*': ['y/*'] } });
      await events.until(2);
      expect(events.values.map((event: RealtimeEvent) => [event.payload, event.metadata.realm])).toEqual([
        [{ id: 'x/*', connectionStatus: 'connected' }, '__proto__'],
        [{ id: 'y/*', connectionStatus: 'connected' }, '__proto__'],
      ]);
      expect(await watcher.connectionStatus('x/1')).toBe('connected');
      expect(await watcher.connectionStatus('y/1')).toBe('connected');
    });

    it('keeps providing in the other realms of a token that also grants __proto__', async () => {
      await client({ sub: 'proto-multi', realms: ['dp-beside', '__proto__'], dpv: { 'dp-beside': ['trams/*'] } });
      const watcher = await client({ sub: 'beside-watcher', realm: 'dp-beside', permissions: ['service'] });
      expect(await watcher.connectionStatus('trams/1')).toBe('connected');
    });

    it('keeps a `__proto__` key of per as grants in that realm', async () => {
      await seedDocument(t, '__proto__', 'notes', 'p');
      const per = JSON.parse('{"__proto__": {"doc/notes/p": "R"}}') as Record<string, Record<string, string>>;
      const reader = await client({ sub: 'proto-reader', per });
      expect(reader.realmId).toBe('__proto__');
      await expect(reader.sync.get('notes', 'p')).resolves.toMatchObject({ id: 'p' });
    });
  });

  describe('ill-formed Unicode ids', () => {
    it('refuses a token whose sub holds a lone surrogate, and keeps U+FFFD a user of its own', async () => {
      const lone = t.client({ token: await t.token({ sub: 'a\uD800', realm: 'utf' }) });
      await expect(lone.ready()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      lone.destroy();

      const replacement = await client({ sub: 'a\uFFFD', realm: 'utf' });
      const sender = await client({ sub: 'utf-sender', realm: 'utf' });
      const inbox = collectSocketEvents(replacement.socketClient, 'direct');
      await expect(sender.socketClient.directMessage({ userId: 'a\uFFFD' }, 'hello')).resolves.toEqual({ recipients: 1 });
      await inbox.until(1);
      await expect(sender.socketClient.directMessage({ userId: 'a\uD800' }, 'hello')).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(sender.connected).toBe(true);
    });
  });
});
