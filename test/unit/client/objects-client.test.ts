import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../../client/realtime-client.js';
import type { FeedUpdate } from '../../../client/objects/feed.js';
import {
  ErrorCode,
  InvalidArgumentError,
  LimitExceededError,
  type FeedData,
  type PubsubMessage,
  type RealmObject,
  type RealtimeError,
} from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../../support/fake-realtime-server.js';
import { eventually } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let client: RealtimeClient | undefined;
let nextServerId = 1;

beforeEach(async () => {
  nextServerId = 1;
  server = await startFakeRealtimeServer();
  for (const event of ['objects:subscribe', 'areas:subscribe', 'realms:subscribe', 'pubsub:subscribe']) {
    server.handle(event, (request) => request.ok({ subscriptionId: `srv_${nextServerId++}`, realm: 'default' }));
  }
  server.handle('feed:update', (request) => request.ok({ subscriptionId: (request.payload as { subscriptionId: string }).subscriptionId, realm: 'default' }));
  server.handle('feed:cancel', (request) => request.ok(request.payload));
  server.handle('pubsub:unsubscribe', (request) => request.ok(request.payload));
});

afterEach(async () => {
  client?.destroy();
  client = undefined;
  await server.close();
});

function makeClient(options: { maxObjectSubscriptions?: number } = {}): RealtimeClient {
  client = new RealtimeClient({
    url: server.url,
    token: 'not-a-jwt', // the fake accepts any token; the realm falls back to 'default'
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    requestTimeout: 2000,
    onWarning: () => undefined,
    ...options,
  });
  return client;
}

function rider(id: string, data: Record<string, unknown> = {}): RealmObject {
  return { id, label: id, location: null, data, connectionStatus: 'disconnected', createdAt: 1, updatedAt: 1 };
}

function frame(
  subscriptionId: string,
  kind: 'full' | 'delta',
  parts: Partial<Pick<FeedData<RealmObject>, 'added' | 'updated' | 'removed'>>,
): FeedData<RealmObject> {
  return { subscriptionId, kind, added: parts.added ?? {}, updated: parts.updated ?? {}, removed: parts.removed ?? {} };
}

describe('RealtimeClient objects, areas, realms and pub/sub against a fake server', () => {
  it('sends each call as its event, in the client realm, and refuses a bad request before sending it', async () => {
    server.handle('object:create', (request) => request.ok(rider('riders/7')));
    server.handle('object:list', (request) => request.ok({ objects: {} }));
    server.handle('object:history', (request) => request.ok({ entries: [] }));
    server.handle('realm:search', (request) => request.ok({ results: [] }));
    const c = makeClient();
    await c.objects.create('riders/7', { label: 'Ada', data: { type: 'bike' } });
    await c.objects.list({ where: ['type="bike"'], field: ['type'] });
    await c.objects.history('riders/7', { start: new Date(1000), end: '2026-12-02T06:00:00.000Z' });
    await c.realm('london').search('bike', { fields: ['label'] });
    expect(server.requests.map((r) => [r.event, r.payload])).toEqual([
      ['object:create', { realm: 'default', id: 'riders/7', label: 'Ada', data: { type: 'bike' } }],
      ['object:list', { realm: 'default', where: ['type="bike"'], field: ['type'] }],
      ['object:history', { realm: 'default', id: 'riders/7', start: 1000, end: '2026-12-02T06:00:00.000Z' }],
      ['realm:search', { realm: 'london', query: 'bike', fields: ['label'] }],
    ]);
    await expect(c.objects.get('riders/*')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(c.areas.create('zone', { shape: { cx: 0, cy: 0 } as never })).rejects.toThrow(/unknown shape data/);
    expect(server.requests).toHaveLength(4);
  });

  it('object.set is fire-and-forget: no acknowledgement asked, and a refusal arrives on the client error event', async () => {
    const c = makeClient();
    const errors: RealtimeError[] = [];
    c.on('error', (error) => errors.push(error));
    c.objects.set('riders/7', { location: { latitude: 51.5, longitude: -0.12 } });
    const sent = await server.nextRequest('object:set', 1);
    expect(sent.payload).toEqual({ realm: 'default', id: 'riders/7', location: { latitude: 51.5, longitude: -0.12 } });
    sent.reply({ ok: true, data: null }); // no ack function was sent: nothing happens
    server.emit('protocol:error', { code: ErrorCode.FORBIDDEN, message: 'no U on object/riders/7', details: { event: 'object:set' } });
    await eventually(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { event: 'object:set' } });
    expect(() => c.objects.set('riders/7', { location: { latitude: 91, longitude: 0 } })).toThrow(InvalidArgumentError);
  });

  it('a feed keeps the current set: a full replaces it, deltas patch it, and a frame sent before the ack is not lost', async () => {
    server.handle('objects:subscribe', (request) => {
      request.socket.emit('feed:data', frame('srv_a', 'full', { added: { 'riders/1': rider('riders/1'), 'riders/2': rider('riders/2') } }));
      request.ok({ subscriptionId: 'srv_a', realm: 'default' });
    });
    const c = makeClient();
    const updates: FeedUpdate<RealmObject>[] = [];
    const feed = await c.objects.subscribe({ where: ['type="bike"'] }, (update) => updates.push(update));
    expect((await server.nextRequest('objects:subscribe', 1)).payload).toEqual({ realm: 'default', executeImmediately: true, where: ['type="bike"'] });
    await eventually(() => updates.length === 1);
    expect([...feed.items.keys()]).toEqual(['riders/1', 'riders/2']);
    server.emit(
      'feed:data',
      frame('srv_a', 'delta', {
        added: { 'riders/3': rider('riders/3') },
        updated: { 'riders/1': rider('riders/1', { charge: 0.5 }) },
        removed: { 'riders/2': rider('riders/2') },
      }),
    );
    await eventually(() => updates.length === 2);
    expect([...feed.items.keys()].sort()).toEqual(['riders/1', 'riders/3']);
    expect(feed.items.get('riders/1')?.data).toEqual({ charge: 0.5 });
    expect(updates[1]).toMatchObject({ kind: 'delta', removed: { 'riders/2': { id: 'riders/2' } } });

    await feed.update({ shape: { cx: 0, cy: 0, r: 100 } });
    expect((await server.nextRequest('feed:update', 1)).payload).toEqual({ subscriptionId: 'srv_a', shape: { cx: 0, cy: 0, r: 100 } });
    expect(feed.criteria).toEqual({ shape: { cx: 0, cy: 0, r: 100 } });
    await feed.cancel();
    expect((await server.nextRequest('feed:cancel', 1)).payload).toEqual({ subscriptionId: 'srv_a' });
    server.emit('feed:data', frame('srv_a', 'full', {}));
    server.emit('protocol:error', { code: 'INVALID_ARGUMENT', message: 'marker' });
    await new Promise<void>((resolve) => c.on('error', () => resolve()));
    expect(updates).toHaveLength(2);
    expect(feed.isCancelled).toBe(true);
  });

  it('after a reconnect every feed subscribes again with executeImmediately, and the fresh full replaces the stale set', async () => {
    const c = makeClient();
    const feed = await c.objects.subscribe({ executeImmediately: false, area: 'zone-1' });
    const areas = await c.areas.subscribe();
    const realms = await c.realms.subscribe();
    server.emit('feed:data', frame('srv_1', 'full', { added: { 'riders/1': rider('riders/1') } }));
    await eventually(() => feed.items.size === 1);

    server.dropTransport();
    const again = await server.nextRequest('objects:subscribe', 2);
    await server.nextRequest('areas:subscribe', 2);
    await server.nextRequest('realms:subscribe', 2);
    expect(again.payload).toEqual({ realm: 'default', executeImmediately: true, area: 'zone-1' });
    expect(server.requestsOf('realms:subscribe')[1]?.payload).toEqual({ executeImmediately: true });
    await eventually(() => server.requestsOf('realms:subscribe')[1]?.answered === true);
    server.emit('feed:data', frame('srv_1', 'delta', { added: { 'riders/9': rider('riders/9') } })); // the old id: ignored
    server.emit('feed:data', frame('srv_4', 'full', { added: { 'riders/2': rider('riders/2') } }));
    await eventually(() => feed.items.has('riders/2'));
    expect([...feed.items.keys()]).toEqual(['riders/2']);
    expect(areas.isCancelled || realms.isCancelled).toBe(false);
  });

  it('pub/sub: one server subscription per event and pattern, messages to every matching handler, unsubscribed with the last', async () => {
    const c = makeClient();
    const a: PubsubMessage[] = [];
    const b: PubsubMessage[] = [];
    const all: PubsubMessage[] = [];
    const offA = await c.pubsub.subscribe('alert', 'riders/*', (m) => a.push(m));
    const offB = await c.pubsub.subscribe('alert', 'riders/*', (m) => b.push(m));
    await c.pubsub.subscribe('alert', '*', (m) => all.push(m));
    expect(server.requestsOf('pubsub:subscribe').map((r) => r.payload)).toEqual([
      { realm: 'default', event: 'alert', idPattern: 'riders/*' },
      { realm: 'default', event: 'alert', idPattern: '*' },
    ]);
    server.emit('pubsub:message', { realm: 'default', event: 'alert', id: 'riders/7', data: { n: 1 } });
    server.emit('pubsub:message', { realm: 'default', event: 'alert', id: 'cars/1', data: { n: 2 } });
    server.emit('pubsub:message', { realm: 'other', event: 'alert', id: 'riders/7', data: { n: 3 } });
    server.emit('pubsub:message', { realm: 'default', event: 'other', id: 'riders/7', data: { n: 4 } });
    await eventually(() => all.length === 2);
    expect(a.map((m) => m.data)).toEqual([{ n: 1 }]);
    expect(b.map((m) => m.data)).toEqual([{ n: 1 }]);
    expect(all.map((m) => m.id)).toEqual(['riders/7', 'cars/1']);

    server.dropTransport();
    await server.nextRequest('pubsub:subscribe', 4);
    expect(await offA()).toBe(true);
    expect(server.requestsOf('pubsub:unsubscribe')).toHaveLength(0);
    await offB(); // while its resubscription may still be in flight: it is ended either way
    expect((await server.nextRequest('pubsub:unsubscribe', 1)).payload).toEqual({ subscriptionId: 'srv_3' });
  });

  it('bounds the feeds and pub/sub subscriptions one client holds (maxObjectSubscriptions)', async () => {
    const c = makeClient({ maxObjectSubscriptions: 2 });
    const feed = await c.objects.subscribe();
    await c.pubsub.subscribe('alert', '*', () => undefined);
    await expect(c.areas.subscribe()).rejects.toBeInstanceOf(LimitExceededError);
    await expect(c.pubsub.subscribe('other', '*', () => undefined)).rejects.toMatchObject({ code: ErrorCode.LIMIT_EXCEEDED, details: { limit: 2 } });
    await c.pubsub.subscribe('alert', '*', () => undefined); // a second handler shares the subscription
    await feed.cancel();
    await c.areas.subscribe();
    expect(server.requestsOf('areas:subscribe')).toHaveLength(1);
  });

  it('a feed the server refuses on resubscribe ends and is reported with its feed id', async () => {
    const c = makeClient();
    const errors: RealtimeError[] = [];
    c.on('error', (error) => errors.push(error));
    const feed = await c.objects.subscribe();
    server.handle('objects:subscribe', (request) => request.fail({ code: ErrorCode.FORBIDDEN, message: 'no R' }));
    server.dropTransport();
    await eventually(() => errors.length === 1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.FORBIDDEN, details: { feedId: feed.id } });
    expect(feed.isCancelled).toBe(true);
  });
});
