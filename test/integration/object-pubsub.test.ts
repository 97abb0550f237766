import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedSubscribeResult, PubsubSubscribeResult, RealmObject } from '../../shared/index.js';
import { feedRecorder, idsOf, ok, pubsubRecorder, request } from '../support/object-wire.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let backend: Socket;

beforeAll(async () => {
  t = await startTestServer({ objects: { limits: { maxPubsubPerConnection: 2 } } });
  backend = await t.rawSocket(await t.token({ sub: 'backend', realms: ['*'], permissions: ['service'] }));
});
afterAll(() => t.close());

describe('realm pub/sub', () => {
  it('routes by event name and id pattern, once per connection however many subscriptions match', async () => {
    const listener = await t.rawSocket(await t.token({ sub: 'l', realm: 'p1' }));
    const messages = pubsubRecorder(listener);
    await ok(listener, 'pubsub:subscribe', { realm: 'p1', event: 'alert', idPattern: 'bike/*' });
    await ok(listener, 'pubsub:subscribe', { realm: 'p1', event: 'alert', idPattern: '*' });
    expect(await request(listener, 'pubsub:subscribe', { realm: 'p1', event: 'x', idPattern: '*' })).toMatchObject({
      ok: false,
      error: { code: 'LIMIT_EXCEEDED' },
    });
    const other = await t.rawSocket(await t.token({ sub: 'o', realm: 'p1' }));
    const otherMessages = pubsubRecorder(other);
    await ok(other, 'pubsub:subscribe', { realm: 'p1', event: 'alert', idPattern: 'scooter/*' });

    await ok(backend, 'pubsub:publish', { realm: 'p1', event: 'other', id: 'bike/1', data: 0 });
    await ok(backend, 'pubsub:publish', { realm: 'p2', event: 'alert', id: 'bike/1', data: 'other realm' });
    await ok(backend, 'pubsub:publish', { realm: 'p1', event: 'alert', id: 'bike/1', data: { n: 1 } });
    await ok(backend, 'pubsub:publish', { realm: 'p1', event: 'alert', id: 'scooter/1', data: { n: 2 } });
    await messages.until((message) => message.id === 'scooter/1');
    expect(messages.values).toEqual([
      { realm: 'p1', event: 'alert', id: 'bike/1', data: { n: 1 } },
      { realm: 'p1', event: 'alert', id: 'scooter/1', data: { n: 2 } },
    ]);
    await otherMessages.until(() => true);
    expect(otherMessages.values).toEqual([{ realm: 'p1', event: 'alert', id: 'scooter/1', data: { n: 2 } }]);

    // Hivekit's publish(event, data) goes to id '*': subscriptions to '*' hear it, narrower ones do not.
    await ok(backend, 'pubsub:publish', { realm: 'p1', event: 'alert', id: '*', data: { n: 3 } });
    await ok(backend, 'pubsub:publish', { realm: 'p1', event: 'alert', id: 'scooter/2', data: { n: 4 } });
    await otherMessages.until((message) => message.id === 'scooter/2');
    expect(otherMessages.values.map((message) => message.id)).toEqual(['scooter/1', 'scooter/2']);
    await messages.until((message) => message.id === 'scooter/2');
    expect(messages.values.map((message) => message.id)).toEqual(['bike/1', 'scooter/1', '*', 'scooter/2']);
  });

  it('needs C on object/<id> to publish, delivers only to readers of object/<id>, and unsubscribes', async () => {
    const reader = await t.rawSocket(await t.token({ sub: 'r', per: { p3: { 'public/*': 'R' } } }));
    const messages = pubsubRecorder(reader);
    const { subscriptionId } = await ok<PubsubSubscribeResult>(reader, 'pubsub:subscribe', { realm: 'p3', event: 'alert', idPattern: '*' });
    expect(await request(reader, 'pubsub:publish', { realm: 'p3', event: 'alert', id: 'public/1', data: 1 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await ok(backend, 'pubsub:publish', { realm: 'p3', event: 'alert', id: 'secret/1', data: 1 });
    await ok(backend, 'pubsub:publish', { realm: 'p3', event: 'alert', id: 'public/1', data: 2 });
    await messages.until(() => true);
    expect(messages.values.map((message) => message.id)).toEqual(['public/1']);
    expect(await ok(reader, 'pubsub:unsubscribe', { subscriptionId })).toEqual({ subscriptionId });
    expect(await request(reader, 'pubsub:unsubscribe', { subscriptionId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('connectionStatusChanged', () => {
  it('lets the seed-002 token subscribe to deliveryRiders/* and receive each rider’s status', async () => {
    const john = await t.rawSocket(
      await t.token({
        sub: 'johndoe-123',
        per: { london: { 'deliveryRiders/*': 'R', 'deliveryRides/johndoe-123': 'CU' } },
        dpv: { london: ['deliveryRides/johndoe-123'] },
      }),
    );
    const messages = pubsubRecorder(john);
    await ok(john, 'pubsub:subscribe', { realm: 'london', event: 'connectionStatusChanged', idPattern: 'deliveryRiders/*' });
    const rider = await t.rawSocket(await t.token({ sub: 'rider-7', realm: 'london', dpv: { london: ['deliveryRiders/7'] } }));
    expect(await messages.next()).toEqual({
      realm: 'london',
      event: 'connectionStatusChanged',
      id: 'deliveryRiders/7',
      data: { connectionStatus: 'connected' },
    });
    rider.disconnect();
    expect(await messages.next()).toEqual({
      realm: 'london',
      event: 'connectionStatusChanged',
      id: 'deliveryRiders/7',
      data: { connectionStatus: 'disconnected' },
    });
  });

  it('publishes one message per object a wildcard provider covers, and feeds see each as updated', async () => {
    await ok(backend, 'object:set', { realm: 'p4', id: 'fleet/a', data: {} });
    await ok(backend, 'object:set', { realm: 'p4', id: 'fleet/b', data: {} });
    await ok(backend, 'object:set', { realm: 'p4', id: 'other/c', data: {} });
    const watcher = await t.rawSocket(await t.token({ sub: 'w', realm: 'p4' }));
    const messages = pubsubRecorder(watcher);
    const frames = feedRecorder<RealmObject>(watcher);
    await ok(watcher, 'pubsub:subscribe', { realm: 'p4', event: 'connectionStatusChanged', idPattern: '*' });
    const { subscriptionId } = await ok<FeedSubscribeResult>(watcher, 'objects:subscribe', { realm: 'p4', executeImmediately: true });
    expect(idsOf(await frames.until((data) => data.kind === 'full')).added).toEqual(['fleet/a', 'fleet/b', 'other/c']);

    const bulk = await t.rawSocket(await t.token({ sub: 'bulk', realm: 'p4', dpv: { p4: ['fleet/*'] } }));
    await messages.until((message) => message.id === 'fleet/b');
    expect(messages.values.map((message) => `${message.id} ${(message.data as { connectionStatus: string }).connectionStatus}`).sort()).toEqual([
      'fleet/a connected',
      'fleet/b connected',
    ]);
    const a = await frames.next((data) => 'fleet/a' in data.updated);
    expect(a).toMatchObject({ subscriptionId, kind: 'delta' });
    expect(a.updated['fleet/a']?.connectionStatus).toBe('connected');
    expect(await ok<RealmObject>(watcher, 'object:get', { realm: 'p4', id: 'fleet/b' })).toMatchObject({ connectionStatus: 'connected' });

    bulk.disconnect();
    await messages.until((message) => message.id === 'fleet/b' && (message.data as { connectionStatus: string }).connectionStatus === 'disconnected');
    await messages.until((message) => message.id === 'fleet/a' && (message.data as { connectionStatus: string }).connectionStatus === 'disconnected');
    expect(messages.values.filter((message) => message.id === 'other/c')).toEqual([]);
  });
});
