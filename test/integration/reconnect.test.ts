import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent, stateReached } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** The server-side sockets of a user. */
async function serverSocketsOf(userId: string) {
  return [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal.userId === userId);
}

function publish(topic: string, payload: Record<string, unknown>) {
  return t.server.publish({ realm: 'demo', topic, source: 'api', type: 'test', payload });
}

describe('reconnection', () => {
  it('re-establishes subscriptions by itself after the server drops the connection', async () => {
    const client = t.client({ token: await t.token({ sub: 'dropped', realm: 'demo' }) });
    client.subscribe({ topic: 'feed.item', filter: { lane: 'a' } });
    await client.ready();
    const changes = collect(client, 'connection');

    for (const socket of await serverSocketsOf('dropped')) socket.disconnect(true);
    await stateReached(client, 'reconnecting');
    await client.ready();
    const events = collect(client, 'event');
    const sentinel = nextEvent(client, 'event', (event) => event.payload.n === 2);
    publish('feed.item', { lane: 'b', n: 1 });
    publish('feed.item', { lane: 'a', n: 2 });
    await sentinel;

    expect(events.values.map((event) => event.payload.n)).toEqual([2]);
    expect(changes.values.map((change) => change.state)).toEqual(['reconnecting', 'connected']);
    expect(changes.values[0]).toMatchObject({ reason: 'io server disconnect', attempt: 1 });
  });

  it('recovers from a broken transport the same way', async () => {
    const client = t.client({ token: await t.token({ sub: 'cut', realm: 'demo' }) });
    client.subscribe({ topic: 'feed.cut' });
    await client.ready();
    for (const socket of await serverSocketsOf('cut')) socket.conn.close();
    await stateReached(client, 'reconnecting');
    await client.ready();
    const received = nextEvent(client, 'event:feed.cut');
    publish('feed.cut', { n: 1 });
    expect((await received).payload).toEqual({ n: 1 });
    expect(await serverSocketsOf('cut')).toHaveLength(1);
  });

  it('keeps subscriptions across disconnect() and connect(), without duplicates', async () => {
    const client = t.client({ token: await t.token({ sub: 'manual', realm: 'demo' }) });
    client.subscribe({ topic: 'feed.manual' });
    await client.ready();
    client.disconnect();
    expect(client.state).toBe('disconnected');
    client.subscribe({ topic: 'feed.later' });
    client.connect();
    await client.ready();
    const events = collect(client, 'event');
    publish('feed.manual', { n: 1 });
    publish('feed.later', { n: 2 });
    await events.until(2);
    const sentinel = nextEvent(client, 'event', (event) => event.payload.n === 3);
    publish('feed.manual', { n: 3 });
    await sentinel;
    expect(events.values.map((event) => event.payload.n)).toEqual([1, 2, 3]);
  });

  it('queues requests made while reconnecting and sends them once connected', async () => {
    const client = t.client({ token: await t.token({ sub: 'queued', realm: 'demo', permissions: ['service'] }) });
    client.subscribe({ topic: 'feed.queued' });
    await client.ready();
    for (const socket of await serverSocketsOf('queued')) socket.disconnect(true);
    await stateReached(client, 'reconnecting');
    const received = nextEvent(client, 'event:feed.queued');
    const published = await client.publish('feed.queued', { n: 1 });
    expect((await received).id).toBe(published.id);
  });

  it('fails requests at once while deliberately disconnected', async () => {
    const client = t.client({ token: await t.token({ sub: 'offline', realm: 'demo', permissions: ['service'] }), autoConnect: false });
    await expect(client.publish('feed.offline', {})).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('gives up after reconnectionAttempts and reports UNAVAILABLE', async () => {
    const client = t.client({
      token: await t.token({ realm: 'demo' }),
      url: 'http://127.0.0.1:1',
      reconnectionAttempts: 2,
      reconnectionDelay: 10,
      autoConnect: false,
    });
    const changes = collect(client, 'connection');
    client.connect();
    const error = await nextEvent(client, 'error');
    expect(error.code).toBe('UNAVAILABLE');
    expect(client.state).toBe('disconnected');
    expect(changes.values.map((change) => change.state)).toEqual(['connecting', 'reconnecting', 'reconnecting', 'disconnected']);
    expect(changes.values.at(-1)).toMatchObject({ reason: 'reconnect_failed' });
  });

  it('destroy() closes the connection, rejects later calls and stops all delivery', async () => {
    const client = t.client({ token: await t.token({ sub: 'destroyed', realm: 'demo' }) });
    client.subscribe({ topic: 'feed.destroyed' });
    await client.ready();
    client.destroy();
    expect(client.state).toBe('disconnected');
    expect(() => client.subscribe({ topic: 'feed.destroyed' })).toThrow(/destroyed/);
    await expect(client.ready()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect.poll(async () => (await serverSocketsOf('destroyed')).length).toBe(0);
  });
});
