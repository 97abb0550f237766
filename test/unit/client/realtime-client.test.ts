import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../../client/realtime-client.js';
import type { ConnectionChange } from '../../../client/connection-state.js';
import { ErrorCode, ForbiddenError, type ChannelJoinRequest, type RealtimeError, type RealtimeEvent, type SubscribeRequest } from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../../support/fake-realtime-server.js';
import { eventually, sleep } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let client: RealtimeClient | undefined;

beforeEach(async () => {
  server = await startFakeRealtimeServer();
  server.handle('subscribe', (request) => {
    const payload = request.payload as SubscribeRequest;
    if (payload.topic === 'order.secret') {
      request.fail({ code: ErrorCode.FORBIDDEN, message: 'no read' });
      return;
    }
    request.ok({
      subscriptionId: payload.subscriptionId,
      realm: payload.realm,
      topic: payload.topic,
      position: { epoch: 'e1', offset: '1-0' },
      ...(payload.since === undefined ? {} : { recovered: true }),
    });
  });
});

afterEach(async () => {
  client?.destroy();
  client = undefined;
  await server.close();
});

function makeClient(): RealtimeClient {
  client = new RealtimeClient({
    url: server.url,
    token: 'not-a-jwt', // the fake accepts any token; the realm falls back to 'default'
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    requestTimeout: 2000,
    onWarning: () => undefined,
  });
  return client;
}

function event(offset: string, payload: Record<string, unknown> = {}): RealtimeEvent {
  return {
    id: `evt_${offset}`,
    topic: 'order.updated',
    source: 'api',
    type: 'order.updated',
    payload,
    metadata: { timestamp: Date.now(), realm: 'default', epoch: 'e1', offset },
  } as RealtimeEvent;
}

describe('RealtimeClient against a fake server', () => {
  it('reports connection changes in order and ready() waits for the subscriptions', async () => {
    const c = makeClient();
    const changes: ConnectionChange[] = [];
    c.on('connection', (change) => changes.push(change));
    c.subscribe({ topic: 'order.updated' });
    await c.ready();
    expect(c.connected).toBe(true);
    expect(changes.map((change) => change.state)).toEqual(['connected']); // 'connecting' was emitted in the constructor
    expect(server.requestsOf('subscribe')).toHaveLength(1);
  });

  it('delivers events once, and resumes after a reconnect from the last event it saw', async () => {
    const c = makeClient();
    const seen: string[] = [];
    const resubscribed: unknown[] = [];
    c.on('event:order.updated', (e) => seen.push(e.id));
    c.on('resubscribed', (notice) => resubscribed.push(notice));
    const id = c.subscribe({ topic: 'order.updated' });
    await c.ready();
    server.emit('event', event('2-0'));
    server.emit('event', event('3-0'));
    server.emit('event', event('3-0')); // a duplicate is dropped
    await eventually(() => seen.length === 2);
    await sleep(30);
    expect(seen).toEqual(['evt_2-0', 'evt_3-0']);
    server.dropTransport();
    const again = await server.nextRequest('subscribe', 2);
    expect((again.payload as SubscribeRequest).since).toEqual({ epoch: 'e1', offset: '3-0' });
    await eventually(() => resubscribed.length === 1);
    expect(resubscribed).toEqual([{ subscriptionId: id, realm: 'default', topic: 'order.updated', recovered: true }]);
  });

  it('ready() rejects with a refused subscription, which is also reported on error with its id', async () => {
    const c = makeClient();
    const errors: RealtimeError[] = [];
    c.on('error', (error) => errors.push(error));
    const id = c.subscribe({ topic: 'order.secret' });
    await expect(c.ready()).rejects.toBeInstanceOf(ForbiddenError);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.details).toMatchObject({ subscriptionId: id });
  });

  it('ready() rejects with the AuthError of a refused handshake', async () => {
    server.refuseHandshakes({ code: ErrorCode.AUTH_FAILED, message: 'bad token' });
    const c = makeClient();
    c.on('error', () => undefined);
    await expect(c.ready()).rejects.toMatchObject({ code: ErrorCode.AUTH_FAILED });
    expect(c.state).toBe('disconnected');
  });

  it('sends resubscriptions before the requests queued while reconnecting', async () => {
    const c = makeClient();
    c.subscribe({ topic: 'order.updated' });
    await c.ready();
    server.handle('topic:publish', (request) => request.ok(event('9-0')));
    server.dropTransport();
    await eventually(() => c.state === 'reconnecting');
    const published = c.publish('order.updated', { id: 1 });
    await published;
    const order = server.requests.slice(1).map((request) => request.event);
    expect(order).toEqual(['subscribe', 'topic:publish']);
  });

  it('resubscribes topics, then re-joins channels, then sends the requests queued while reconnecting', async () => {
    server.handle('channel:join', (request) => {
      const payload = request.payload as ChannelJoinRequest;
      request.ok({
        realm: 'default',
        channel: payload.channel,
        member: { userId: 'u', connectionId: 'c', joinedAt: 0, state: {} },
        presence: true,
        members: [],
        position: { epoch: 'e1', offset: '4-0' },
        ...(payload.since === undefined ? {} : { recovered: true }),
      });
    });
    server.handle('topic:publish', (request) => request.ok(event('9-0')));
    const c = makeClient();
    c.subscribe({ topic: 'order.updated' });
    await c.ready();
    await c.socketClient.joinChannel('lobby');
    const rejoined = new Promise((resolve) => c.socketClient.on('rejoined', resolve));
    const before = server.requests.length;
    server.dropTransport();
    await eventually(() => c.state === 'reconnecting');
    await c.publish('order.updated', { id: 1 });
    expect(server.requests.slice(before).map((request) => request.event)).toEqual(['subscribe', 'channel:join', 'topic:publish']);
    expect((server.requestsOf('channel:join')[1]?.payload as ChannelJoinRequest).since).toEqual({ epoch: 'e1', offset: '4-0' });
    expect(await rejoined).toEqual({ channel: 'lobby', recovered: true });
  });
});
