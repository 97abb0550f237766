import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import type { ChannelMessage } from '../../shared/index.js';
import { startWebSocketBlocker, type WebSocketBlocker } from '../support/websocket-blocker.js';
import { nextSocketEvent } from '../support/socket-wait.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';

/**
 * HTTP long-polling, the documented fallback for networks that block WebSockets: everything a
 * client does works over it, and `transports: ['websocket', 'polling']` falls back to it.
 */
let t: TestServer;
let blocker: WebSocketBlocker;

beforeAll(async () => {
  t = await startTestServer();
  blocker = await startWebSocketBlocker(t.server.address().port);
});
afterAll(async () => {
  await t.close();
  await blocker.close();
});

/** The transport the server holds the connection of `userId` on. */
function serverTransports(userId: string): string[] {
  return [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal.userId === userId).map((socket) => socket.conn.transport.name);
}

/** Subscribe, receive an event, write a document, exchange a channel message: all over `client`. */
async function exercise(client: RealtimeClient, peer: RealtimeClient, name: string): Promise<void> {
  client.subscribe({ topic: 'poll.event', filter: { name } });
  await client.ready();
  const received = nextEvent(client, 'event:poll.event');
  await peer.publish('poll.event', { name, n: 1 });
  expect((await received).payload).toEqual({ name, n: 1 });

  const created = await client.sync.create('notes', { title: name }, `doc-${name}`);
  expect(created).toMatchObject({ revision: 1, data: { title: name } });
  const merged = await client.sync.merge('notes', `doc-${name}`, { done: true });
  expect(merged).toMatchObject({ revision: 2, data: { title: name, done: true } });
  expect((await peer.sync.get('notes', `doc-${name}`)).data).toEqual({ title: name, done: true });

  const channel = `chat:${name}`;
  await client.socketClient.joinChannel(channel);
  await peer.socketClient.joinChannel(channel);
  const fromPeer = nextSocketEvent(client.socketClient, 'message', (message: ChannelMessage) => message.channel === channel);
  await peer.socketClient.publish(channel, 'message', { text: 'to the poller' });
  expect((await fromPeer).data).toEqual({ text: 'to the poller' });
  const fromPoller = nextSocketEvent(peer.socketClient, 'message', (message: ChannelMessage) => message.channel === channel);
  await client.socketClient.publish(channel, 'message', { text: 'from the poller' });
  expect((await fromPoller).data).toEqual({ text: 'from the poller' });
}

describe('HTTP long-polling', () => {
  it("works end to end with transports: ['polling']", async () => {
    const peer = t.client({ token: await t.token({ sub: 'peer', realm: 'demo', permissions: ['service'] }) });
    const client = t.client({ token: await t.token({ sub: 'poller', realm: 'demo', permissions: ['service'] }), transports: ['polling'] });
    await exercise(client, peer, 'only-polling');
    expect(serverTransports('poller')).toEqual(['polling']);
  });

  it("falls back to polling with transports: ['websocket', 'polling'] where WebSockets are blocked", async () => {
    const peer = t.client({ token: await t.token({ sub: 'peer2', realm: 'demo', permissions: ['service'] }) });
    const client = t.client({
      url: blocker.url,
      token: await t.token({ sub: 'fallback', realm: 'demo', permissions: ['service'] }),
      transports: ['websocket', 'polling'],
    });
    await exercise(client, peer, 'fallback');
    expect(serverTransports('fallback')).toEqual(['polling']);
    expect(blocker.blockedUpgrades()).toBeGreaterThan(0);
  });

  it("upgrades to WebSocket with transports: ['polling', 'websocket'] where nothing blocks it", async () => {
    const client = t.client({ token: await t.token({ sub: 'upgrader', realm: 'demo' }), transports: ['polling', 'websocket'] });
    await client.ready();
    const upgraded = [...t.server.io.of('/').sockets.values()].find((socket) => socket.data.principal.userId === 'upgrader');
    expect(upgraded).toBeDefined();
    if (upgraded?.conn.transport.name !== 'websocket') await new Promise((resolve) => upgraded?.conn.once('upgrade', resolve));
    expect(serverTransports('upgrader')).toEqual(['websocket']);
  });
});
