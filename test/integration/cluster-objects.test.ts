import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedSubscribeResult, RealmObject } from '../../shared/index.js';
import { MemoryObjectStore } from '../../server/index.js';
import { feedRecorder, idsOf, ok, pubsubRecorder } from '../support/object-wire.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// Two in-process nodes sharing one Redis (adapter, presence) and one object store, as a cluster
// shares its MongoDB: an object written on A reaches feeds on B through 'objects:change'.
let redis: RedisTestServer;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  redis = await startRedis();
  const store = new MemoryObjectStore();
  a = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix }, objects: { store } });
  b = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix }, objects: { store }, auth: { secret: a.secret } });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

async function socketOn(node: TestServer, claims: Record<string, unknown>): Promise<Socket> {
  return node.rawSocket(await a.token(claims));
}

describe('objects across nodes (Redis)', () => {
  it('an object set on node A reaches a feed on node B, moving into and out of its circle', async () => {
    const writer = await socketOn(a, { sub: 'w', realm: 'c1', permissions: ['service'] });
    const reader = await socketOn(b, { sub: 'r', realm: 'c1' });
    const frames = feedRecorder<RealmObject>(reader);
    await ok<FeedSubscribeResult>(reader, 'objects:subscribe', { realm: 'c1', shape: { cx: -0.12, cy: 51.5, r: 1000 }, executeImmediately: true });
    await frames.until((data) => data.kind === 'full');
    await ok(writer, 'object:set', { realm: 'c1', id: 'van', location: { latitude: 51.5, longitude: -0.12 } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: ['van'], updated: [], removed: [] });
    await ok(writer, 'object:set', { realm: 'c1', id: 'van', location: { latitude: 52, longitude: -0.12 } });
    expect(idsOf(await frames.next())).toEqual({ kind: 'delta', added: [], updated: [], removed: ['van'] });
  });

  it('carries pub/sub messages across nodes, once per connection', async () => {
    const publisher = await socketOn(a, { sub: 'p', realm: 'c2', permissions: ['service'] });
    const listener = await socketOn(b, { sub: 'l', realm: 'c2' });
    const messages = pubsubRecorder(listener);
    await ok(listener, 'pubsub:subscribe', { realm: 'c2', event: 'alert', idPattern: '*' });
    await ok(listener, 'pubsub:subscribe', { realm: 'c2', event: 'alert', idPattern: 'bike/*' });
    await ok(publisher, 'pubsub:publish', { realm: 'c2', event: 'alert', id: 'bike/1', data: { n: 1 } });
    await ok(publisher, 'pubsub:publish', { realm: 'c2', event: 'alert', id: 'bike/2', data: { n: 2 } });
    await messages.until((message) => message.id === 'bike/2');
    expect(messages.values.map((message) => message.id)).toEqual(['bike/1', 'bike/2']);
  });

  it('a provider connecting to node A changes the status a subscriber on node B sees', async () => {
    const backend = await socketOn(a, { sub: 'bk', realm: 'c3', permissions: ['service'] });
    await ok(backend, 'object:set', { realm: 'c3', id: 'riders/1', data: {} });
    const watcher = await socketOn(b, { sub: 'wt', realm: 'c3' });
    const messages = pubsubRecorder(watcher);
    const frames = feedRecorder<RealmObject>(watcher);
    await ok(watcher, 'pubsub:subscribe', { realm: 'c3', event: 'connectionStatusChanged', idPattern: 'riders/*' });
    await ok(watcher, 'objects:subscribe', { realm: 'c3' });
    const provider = await socketOn(a, { sub: 'dev', realm: 'c3', dpv: { c3: ['riders/*'] } });
    expect(await messages.next()).toEqual({ realm: 'c3', event: 'connectionStatusChanged', id: 'riders/1', data: { connectionStatus: 'connected' } });
    expect((await frames.next((data) => 'riders/1' in data.updated)).updated['riders/1']?.connectionStatus).toBe('connected');
    provider.disconnect();
    expect(await messages.next()).toEqual({ realm: 'c3', event: 'connectionStatusChanged', id: 'riders/1', data: { connectionStatus: 'disconnected' } });
  });
});
