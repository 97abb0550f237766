import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../shared/index.js';
import { RawEngineSocket, type WirePacket } from '../support/raw-engine-socket.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect } from '../support/wait.js';

/**
 * Batched frames (README "Batched frames"): what the server sends one connection within a turn of
 * its event loop travels in one websocket frame for clients that ask (`batch=1`), counted here on
 * the wire with a hand-written client over a raw `ws` websocket.
 */
let t: TestServer;
let token: string;
const sockets: RawEngineSocket[] = [];

beforeAll(async () => {
  t = await startTestServer();
  token = await t.token({ sub: 'reader', realm: 'demo', permissions: ['service'] });
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t.close();
});

async function rawSocket(server: TestServer, batch: boolean): Promise<RawEngineSocket> {
  const socket = await RawEngineSocket.connect(
    server.url,
    server === t ? token : await server.token({ sub: 'reader', realm: 'demo', permissions: ['service'] }),
    { batch },
  );
  sockets.push(socket);
  return socket;
}

async function subscribe(socket: RawEngineSocket, topic: string): Promise<void> {
  expect(await socket.request('subscribe', { subscriptionId: 'sub_1', topic })).toMatchObject({ ok: true });
}

/** Publishes `count` events on `topic` from the server, all in one turn of its event loop. */
function publishMany(
  server: TestServer,
  topic: string,
  count: number,
  payload: (n: number) => Record<string, unknown> = (n) => ({ n }),
): Promise<RealtimeEvent[]> {
  return Promise.all(
    Array.from({ length: count }, (_, n) => server.server.publish({ realm: 'demo', topic, source: 'api', type: 'test.batch', payload: payload(n) })),
  );
}

function payloadsOf(socket: RawEngineSocket): unknown[] {
  return socket.events('event').map((event) => (event as RealtimeEvent).payload);
}

function eventFrames(frames: string[]): string[] {
  return frames.filter((frame) => frame.includes('["event"'));
}

describe('batched frames', () => {
  it('packs the events of one turn into fewer frames than events, in order', async () => {
    const socket = await rawSocket(t, true);
    await subscribe(socket, 'batch.order');
    const before = socket.frames.length;
    await publishMany(t, 'batch.order', 50);
    await socket.until(() => payloadsOf(socket).length >= 50);

    expect(payloadsOf(socket)).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
    const frames = socket.frames.slice(before);
    expect(frames.length).toBeLessThan(10);
    expect(frames.some((frame) => frame.includes('\x1e'))).toBe(true);
  });

  it('sends one packet per frame to a client that did not ask (no batch query)', async () => {
    const socket = await rawSocket(t, false);
    await subscribe(socket, 'batch.plain');
    const before = socket.frames.length;
    await publishMany(t, 'batch.plain', 20);
    await socket.until(() => payloadsOf(socket).length >= 20);

    expect(payloadsOf(socket)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
    const frames = eventFrames(socket.frames.slice(before));
    expect(frames).toHaveLength(20);
    expect(frames.every((frame) => !frame.includes('\x1e'))).toBe(true);
  });

  it('keeps acks and events in the order the server sent them', async () => {
    const socket = await rawSocket(t, true);
    await subscribe(socket, 'batch.acks');
    const start = socket.packets.length;
    // Each publish is delivered (to this subscriber too) before it is acknowledged.
    const acks = await Promise.all(Array.from({ length: 10 }, (_, n) => socket.request('topic:publish', { topic: 'batch.acks', payload: { n } })));
    await socket.until(() => payloadsOf(socket).length >= 10);

    expect(acks.every((ack) => (ack as { ok: boolean }).ok)).toBe(true);
    const sequence = socket.packets.slice(start).map((packet: WirePacket) => {
      if (packet.type === '3') return `ack${/^3(\d+)/.exec(packet.text)?.[1] ?? '?'}`;
      return `event${String(((JSON.parse(packet.text.slice(1)) as [string, RealtimeEvent])[1].payload as { n: number }).n)}`;
    });
    const ids = sequence.filter((entry) => entry.startsWith('ack')).map((entry) => Number(entry.slice(3)));
    const events = sequence.filter((entry) => entry.startsWith('event')).map((entry) => Number(entry.slice(5)));
    expect(events).toEqual([...Array(10).keys()]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    // The event of publish n arrives before its ack (request ids follow n: the first request was the subscribe).
    for (let n = 0; n < 10; n += 1) expect(sequence.indexOf(`event${n}`)).toBeLessThan(sequence.indexOf(`ack${n + 1}`));
  });

  it('splits a batch above the frame bound (maxHttpBufferSize) into frames within it', async () => {
    const socket = await rawSocket(t, true);
    await subscribe(socket, 'batch.large');
    const before = socket.frames.length;
    const text = 'x'.repeat(50_000);
    await publishMany(t, 'batch.large', 30, (n) => ({ n, text }));
    await socket.until(() => payloadsOf(socket).length >= 30);

    expect(payloadsOf(socket).map((payload) => (payload as { n: number }).n)).toEqual([...Array(30).keys()]);
    const frames = eventFrames(socket.frames.slice(before));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeLessThan(30);
    for (const frame of frames) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(1_000_000);
  });

  it('writes what was queued before a server-side disconnect in the same turn', async () => {
    const socket = await rawSocket(t, true);
    await subscribe(socket, 'batch.bye');
    const [serverSocket] = [...t.server.io.of('/').sockets.values()]
      .filter((candidate) => candidate.handshake.query.batch === '1' && candidate.rooms.size > 1)
      .slice(-1);
    expect(serverSocket).toBeDefined();
    await publishMany(t, 'batch.bye', 20);
    serverSocket?.disconnect(true);
    await socket.until(() => socket.isClosed);

    expect(payloadsOf(socket)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
    expect(socket.packets.at(-1)?.type).toBe('1');
  });

  it('waits windowMs for more when configured', async () => {
    const server = await startTestServer({ batching: { windowMs: 300 } });
    try {
      const socket = await rawSocket(server, true);
      await subscribe(socket, 'batch.window');
      const before = socket.frames.length;
      await publishMany(server, 'batch.window', 1);
      // A later turn, well inside the window: travels with the first.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await server.server.publish({ realm: 'demo', topic: 'batch.window', source: 'api', type: 'test.batch', payload: { n: 1 } });
      await socket.until(() => payloadsOf(socket).length >= 2);

      expect(payloadsOf(socket)).toEqual([{ n: 0 }, { n: 1 }]);
      expect(eventFrames(socket.frames.slice(before))).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  /** Keeps the (in-process) server's event loop busy for `ms`, as a loaded server's is. */
  function spin(ms: number): void {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy
    }
  }

  /**
   * After a busy spell, publishes three events 20 ms apart; resolves with the frames the last two
   * came in (the first may go at once: nothing was sent just before it).
   */
  async function eventsCloseBehindAfterBusySpell(server: TestServer, topic: string): Promise<string[]> {
    const socket = await rawSocket(server, true);
    await subscribe(socket, topic);
    // The next decision reads the loop's utilisation since its last reading (the connect): nearly all busy.
    spin(400);
    for (let n = 0; n < 3; n += 1) {
      if (n > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await server.server.publish({ realm: 'demo', topic, source: 'api', type: 'test.batch', payload: { n } });
    }
    await socket.until(() => payloadsOf(socket).length >= 3);
    expect(payloadsOf(socket)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    return eventFrames(socket.frames).filter((frame) => frame.includes('"n":1') || frame.includes('"n":2'));
  }

  it('while its event loop is busy, lets an event close behind another wait up to busyWindowMs for more', async () => {
    const server = await startTestServer({ batching: { busyWindowMs: 500 } });
    try {
      // The second event is within the busy window of the first: it waits, and the third joins it.
      expect(await eventsCloseBehindAfterBusySpell(server, 'batch.busy')).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('with busyWindowMs: 0 never waits, busy or not', async () => {
    const server = await startTestServer({ batching: { busyWindowMs: 0 } });
    try {
      expect(await eventsCloseBehindAfterBusySpell(server, 'batch.turn')).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('sends one packet per frame to everyone with batching: false', async () => {
    const server = await startTestServer({ batching: false });
    try {
      const socket = await rawSocket(server, true);
      await subscribe(socket, 'batch.off');
      const before = socket.frames.length;
      await publishMany(server, 'batch.off', 20);
      await socket.until(() => payloadsOf(socket).length >= 20);

      expect(payloadsOf(socket)).toEqual(Array.from({ length: 20 }, (_, n) => ({ n })));
      expect(eventFrames(socket.frames.slice(before))).toHaveLength(20);
    } finally {
      await server.close();
    }
  });

  it('rejects a window outside 0..1000 ms', async () => {
    await expect(startTestServer({ batching: { windowMs: 5000 } })).rejects.toThrow(/windowMs/);
    await expect(startTestServer({ batching: { busyWindowMs: -1 } })).rejects.toThrow(/busyWindowMs/);
  });
});

describe('clients and batched frames', () => {
  it('RealtimeClient asks for batched frames by default and unpacks them in order', async () => {
    const client = t.client({ token: await t.token({ sub: 'batched-client', realm: 'demo' }) });
    const received = collect(client, 'event:batch.client');
    client.subscribe({ topic: 'batch.client' });
    await client.ready();
    await publishMany(t, 'batch.client', 40);
    const events = await received.until(40);

    expect(events.map((event) => event.payload)).toEqual(Array.from({ length: 40 }, (_, n) => ({ n })));
    const [serverSocket] = [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal?.userId === 'batched-client');
    expect(serverSocket?.handshake.query.batch).toBe('1');
  });

  it('RealtimeClient with batchedFrames: false does not ask', async () => {
    const client = t.client({ token: await t.token({ sub: 'unbatched-client', realm: 'demo' }), batchedFrames: false });
    const received = collect(client, 'event:batch.unbatched');
    client.subscribe({ topic: 'batch.unbatched' });
    await client.ready();
    await publishMany(t, 'batch.unbatched', 10);

    expect((await received.until(10)).map((event) => event.payload)).toEqual(Array.from({ length: 10 }, (_, n) => ({ n })));
    const [serverSocket] = [...t.server.io.of('/').sockets.values()].filter((socket) => socket.data.principal?.userId === 'unbatched-client');
    expect(serverSocket?.handshake.query.batch).toBeUndefined();
  });

  it('RealtimeClient upgrading from polling ends on the batched websocket', async () => {
    const client = t.client({ token: await t.token({ sub: 'upgrading-client', realm: 'demo' }), transports: ['polling', 'websocket'] });
    const received = collect(client, 'event:batch.upgrade');
    client.subscribe({ topic: 'batch.upgrade' });
    await client.ready();
    const serverSocket = [...t.server.io.of('/').sockets.values()].find((socket) => socket.data.principal?.userId === 'upgrading-client');
    if (serverSocket === undefined) throw new Error('no server socket');
    if (serverSocket.conn.transport.name !== 'websocket') await new Promise((resolve) => serverSocket.conn.once('upgrade', resolve));
    await publishMany(t, 'batch.upgrade', 30);

    expect((await received.until(30)).map((event) => event.payload)).toEqual(Array.from({ length: 30 }, (_, n) => ({ n })));
    expect(serverSocket.conn.transport.name).toBe('websocket');
  });

  it('a plain socket.io-client still works and receives every event in order', async () => {
    const socket = await t.rawSocket(await t.token({ sub: 'plain', realm: 'demo' }));
    const payloads: unknown[] = [];
    const all = new Promise<void>((resolve) =>
      socket.on('event', (event: RealtimeEvent) => {
        if (payloads.push(event.payload) === 25) resolve();
      }),
    );
    const ack = (await socket.emitWithAck('subscribe', { subscriptionId: 'sub_1', topic: 'batch.sio' })) as { ok: boolean };
    expect(ack.ok).toBe(true);
    await publishMany(t, 'batch.sio', 25);
    await all;

    expect(payloads).toEqual(Array.from({ length: 25 }, (_, n) => ({ n })));
  });
});
