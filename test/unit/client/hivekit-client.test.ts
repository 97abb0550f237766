import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import HivekitClient from '../../../client/hivekit/index.js';
import { ErrorCode, type FeedData, type RealmObject } from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../../support/fake-realtime-server.js';
import { eventually } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let client: HivekitClient | undefined;
let nextId = 1;

const REALM = { id: 'london', label: 'London', data: { tz: 'Europe/London' }, createdAt: 1, updatedAt: 1 };
const LOGIN = { userId: 'u1', realms: ['london'], expiresAt: Date.now() + 3_600_000, serverVersion: '9.9.9', serverBuildDate: '2026-12-01T00:00:00.000Z' };

beforeEach(async () => {
  nextId = 1;
  server = await startFakeRealtimeServer();
  server.handle('auth:login', (request) => {
    const { token } = request.payload as { token: string };
    if (token === 'good') request.ok(LOGIN);
    else request.fail({ code: ErrorCode.AUTH_FAILED, message: 'signature is invalid' });
  });
  server.handle('realm:get', (request) => request.ok(REALM));
  for (const event of ['objects:subscribe', 'realms:subscribe', 'pubsub:subscribe']) {
    server.handle(event, (request) => request.ok({ subscriptionId: `srv_${nextId++}`, realm: 'london' }));
  }
  server.handle('feed:update', (request) => request.ok({ subscriptionId: (request.payload as { subscriptionId: string }).subscriptionId, realm: 'london' }));
});

afterEach(async () => {
  if (client !== undefined && client.connectionStatus !== 'disconnected') await client.disconnect();
  client = undefined;
  await server.close();
});

function makeClient(options: Record<string, unknown> = {}): { client: HivekitClient; statuses: string[]; errors: [string, string][] } {
  const c = new HivekitClient({ logErrors: false, reconnectInterval: 20, heartbeatInterval: 0, ...options });
  client = c;
  const statuses: string[] = [];
  const errors: [string, string][] = [];
  c.on('connectionStatusChanged', (status: string) => void statuses.push(status));
  c.on('error', (message: string, type: string) => void errors.push([message, type]));
  return { client: c, statuses, errors };
}

describe('HivekitClient against a fake server', () => {
  it('connect opens a quarantined connection, authenticate logs it in; states and server info as Hivekit has them', async () => {
    const { client: c, statuses } = makeClient();
    await c.connect(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    expect(c.connectionStatus).toBe('connected');
    expect(server.handshakes[0]?.token).toBeUndefined();
    await c.authenticate('good');
    expect(c.connectionStatus).toBe('authenticated');
    expect((await server.nextRequest('auth:login', 1)).payload).toEqual({ token: 'good' });
    expect(statuses).toEqual(['connecting', 'connected', 'authenticated']);
    // What the server announced for this connection (the fake's session:opened).
    expect(c.serverVersion).toBe('fake');
    expect(c.serverBuildDate).toBe('2026-01-01T00:00:00.000Z');
    expect(c.getURL()).toBe(`${server.url.replace('http', 'ws')}/api/v1/ws`);
    await c.disconnect();
    expect(statuses.slice(3)).toEqual(['disconnecting', 'disconnected']);
    await expect(c.disconnect()).rejects.toMatchObject({ message: 'client not connected' });
  });

  it('authenticate rejects with { message, code: 401 } for a bad token and before connect', async () => {
    const { client: c } = makeClient();
    await expect(c.authenticate('good')).rejects.toMatchObject({ message: expect.stringMatching(/Did you call .connect\(\)/) });
    await c.connect(server.url);
    await expect(c.authenticate('bad')).rejects.toEqual({ message: 'signature is invalid', code: 401 });
    expect(c.connectionStatus).toBe('connected');
    await c.authenticate('good');
    expect(c.connectionStatus).toBe('authenticated');
  });

  it('a dropped connection comes back by itself: disconnected, connecting, connected, authenticated, subscriptions re-sent', async () => {
    const { client: c, statuses, errors } = makeClient();
    await c.connect(server.url);
    await c.authenticate('good');
    const realm = await c.realm.get('london');
    const seen: unknown[] = [];
    await realm.pubsub.subscribe('alert', (data: unknown, id: string) => void seen.push([id, data]));
    statuses.length = 0;
    server.dropTransport();
    await eventually(() => c.connectionStatus === 'authenticated' && statuses.length >= 4);
    expect(statuses).toEqual(['disconnected', 'connecting', 'connected', 'authenticated']);
    expect(errors.map(([, type]) => type)).toContain('disconnected_retrying');
    await server.nextRequest('pubsub:subscribe', 2);
    expect(server.requestsOf('pubsub:subscribe')[1]?.payload).toEqual({ realm: 'london', event: 'alert', idPattern: '*' });
    server.emit('pubsub:message', { realm: 'london', event: 'alert', id: 'riders/1', data: { n: 1 } });
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([['riders/1', { n: 1 }]]);
  });

  it('logErrors (the default) writes what reaches the error event to the logger, with its type', async () => {
    const logged: unknown[][] = [];
    const c = new HivekitClient(
      { reconnectInterval: 20, heartbeatInterval: 0 },
      { logger: { log: () => undefined, error: (...values) => void logged.push(values) } },
    );
    client = c;
    const heard: unknown[] = [];
    c.on('error', (message: string, type: string, details: unknown) => void heard.push([message, type, details]));
    await c.connect(server.url);
    await c.authenticate('good');
    server.emit('protocol:error', { code: ErrorCode.FORBIDDEN, message: 'no U on object/riders/1', details: { event: 'object:set' } });
    await eventually(() => heard.length === 1);
    expect(heard[0]).toEqual(['no U on object/riders/1', 'server_error', { message: 'no U on object/riders/1', code: 403 }]);
    expect(logged).toEqual([['[hivekit]', 'server_error', 'no U on object/riders/1']]);
  });

  it('gives up after maxReconnectAttempts with max_reconnect_attempts_exceeded', async () => {
    const { client: c, errors } = makeClient({ maxReconnectAttempts: 2 });
    await c.connect(server.url);
    await c.authenticate('good');
    server.refuseHandshakes({ code: ErrorCode.UNAVAILABLE, message: 'going away' });
    server.disconnect();
    await eventually(() => c.connectionStatus === 'disconnected' && errors.some(([, type]) => type === 'max_reconnect_attempts_exceeded'));
    client = undefined;
  });

  it('realm.object: calls become platform requests; set asks for no answer; a subscription delivers (objectsById, changes, type)', async () => {
    const { client: c } = makeClient();
    await c.connect(server.url);
    await c.authenticate('good');
    const realm = await c.realm.get('london');
    expect(realm.getData()).toEqual({ tz: 'Europe/London' });
    expect(realm.getData('tz')).toBe('Europe/London');
    expect(realm.object.set('riders/1', { location: { latitude: '51.5', longitude: '-0.12' } })).toBeUndefined();
    const set = await server.nextRequest('object:set', 1);
    expect(set.payload).toEqual({ realm: 'london', id: 'riders/1', location: { latitude: 51.5, longitude: -0.12 } });
    const subscription = await realm.object.subscribe({ attribute: 'type="bike"', shape: { west: -1, north: 52, east: 1, south: 51 } });
    expect(subscription.realmId).toBe('london');
    expect((await server.nextRequest('objects:subscribe', 1)).payload).toEqual({
      realm: 'london',
      executeImmediately: true,
      where: ['type="bike"'],
      shape: { west: -1, north: 52, east: 1, south: 51 },
    });
    const updates: unknown[] = [];
    subscription.on(
      'update',
      (objects, changes, type) => void updates.push([Object.keys(objects), Object.keys(changes.added), Object.keys(changes.removed), type]),
    );
    const rider = (id: string): RealmObject => ({ id, label: '', location: null, data: {}, connectionStatus: 'disconnected', createdAt: 1, updatedAt: 1 });
    const frame = (kind: 'full' | 'delta', added: string[], removed: string[] = []): FeedData<RealmObject> => ({
      subscriptionId: 'srv_2',
      kind,
      added: Object.fromEntries(added.map((id) => [id, rider(id)])),
      updated: {},
      removed: Object.fromEntries(removed.map((id) => [id, rider(id)])),
    });
    server.emit('feed:data', frame('full', ['riders/1', 'riders/2']));
    server.emit('feed:data', frame('delta', ['riders/3'], ['riders/1']));
    await eventually(() => updates.length === 2);
    expect(updates).toEqual([
      [['riders/1', 'riders/2'], ['riders/1', 'riders/2'], [], 'full'],
      [['riders/2', 'riders/3'], ['riders/3'], ['riders/1'], 'delta'],
    ]);
    const late: unknown[] = [];
    subscription.on('update', (objects, _changes, type) => void late.push([Object.keys(objects), type]));
    await eventually(() => late.length === 1);
    expect(late).toEqual([[['riders/2', 'riders/3'], 'full']]);
    await subscription.update({ where: [] });
    expect((await server.nextRequest('feed:update', 1)).payload).toEqual({ subscriptionId: 'srv_2', where: [] });
    await expect(realm.object.subscribe({ colour: 'red' })).rejects.toEqual({ message: 'unknown field "colour"', code: 400 });
  });

  it('outgoingMessageBufferTime batches what is sent within it into one frame', async () => {
    const { client: c } = makeClient({ outgoingMessageBufferTime: 30 });
    await c.connect(server.url);
    await c.authenticate('good');
    const realm = await c.realm.get('london');
    const before = server.frames.length;
    for (let i = 0; i < 5; i += 1) realm.object.set(`riders/${i}`, { data: { i } });
    await server.nextRequest('object:set', 5);
    expect(server.frames.slice(before)).toEqual(['batch']);
  });

  it('reports heartbeats as ping, and pubsub callbacks are per event and pattern', async () => {
    const { client: c } = makeClient({ heartbeatInterval: 100 });
    const pings: number[] = [];
    c.on('ping', (ms: number) => void pings.push(ms));
    await c.connect(server.url);
    await c.authenticate('good');
    await eventually(() => pings.length >= 1, 3000, 'a ping');
    expect(typeof c.ping).toBe('number');
    const realm = await c.realm.get('london');
    const a = (): void => undefined;
    const b = (): void => undefined;
    await realm.pubsub.subscribe('alert', 'riders/*', a);
    await realm.pubsub.subscribe('alert', 'riders/*', b);
    expect(server.requestsOf('pubsub:subscribe')).toHaveLength(1);
    await expect(realm.pubsub.unsubscribe('alert', 'cars/*')).rejects.toEqual({ message: 'no subscription with that id pattern', code: 400 });
    server.handle('pubsub:unsubscribe', (request) => request.ok(request.payload));
    await realm.pubsub.unsubscribe('alert', 'riders/*', a);
    expect(server.requestsOf('pubsub:unsubscribe')).toHaveLength(0);
    await realm.pubsub.unsubscribe('alert', 'riders/*');
    expect(server.requestsOf('pubsub:unsubscribe')).toHaveLength(1);
  });
});
