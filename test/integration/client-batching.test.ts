import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError, type RealtimeClientOptions } from '../../client/index.js';
import { toRealtimeError, type RealtimeEvent } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
/** The event of every frame each server-side connection received, by connection id. */
const frames = new Map<string, string[]>();

beforeAll(async () => {
  t = await startTestServer({ limits: { maxBatchEntries: 4 } });
  t.server.io.on('connection', (socket) => {
    const received: string[] = [];
    frames.set(socket.id, received);
    socket.onAny((event: string) => received.push(event));
  });
});
afterAll(() => t.close());

/** A connected client and the frames its connection sends from now on. */
async function connected(options: Partial<RealtimeClientOptions> = {}) {
  const client = t.client({
    token: await t.token({ sub: 'batcher', realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } } }),
    heartbeatInterval: 0,
    ...options,
  });
  await client.ready();
  const before = new Set(frames.keys());
  // The connection the client made is the newest one the server saw.
  const id = [...frames.keys()].at(-1) as string;
  expect(before.has(id)).toBe(true);
  const received = frames.get(id) as string[];
  received.length = 0;
  return { client, received };
}

function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: Error }> {
  return promise.then(
    (value) => ({ value }),
    (err: unknown) => ({ error: toRealtimeError(err) }),
  );
}

describe('client → server batching (outgoingMessageBufferTime)', () => {
  it('sends the requests of one synchronous run in one frame; each keeps its own result, error and order', async () => {
    const { client, received } = await connected();
    const seen: unknown[] = [];
    client.on('event:chat.order', (event) => seen.push(event.payload));
    client.subscribe({ topic: 'chat.order' });
    await client.ready();
    received.length = 0;
    const outcomes = await Promise.all([
      settle(client.publish('chat.order', { n: 1 })),
      settle(client.publish('orders.secret', { n: 2 })),
      settle(client.publish('chat.order', { n: 3 })),
      settle(client.publish('chat.order', { n: 4 })),
    ]);
    expect(received).toEqual(['batch']);
    expect((outcomes[0]?.value as RealtimeEvent).payload).toEqual({ n: 1 });
    expect(outcomes[1]?.error).toBeInstanceOf(ForbiddenError);
    expect((outcomes[2]?.value as RealtimeEvent).payload).toEqual({ n: 3 });
    expect((outcomes[3]?.value as RealtimeEvent).payload).toEqual({ n: 4 });
    // Served in the order they were made.
    await expect.poll(() => seen).toEqual([{ n: 1 }, { n: 3 }, { n: 4 }]);
  });

  it('sends one request alone as a plain frame', async () => {
    const { client, received } = await connected();
    await client.publish('chat.alone', {});
    expect(received).toEqual(['topic:publish']);
  });

  it('starts a new batch at the server’s maxBatchEntries', async () => {
    const { client, received } = await connected();
    const results = await Promise.all(Array.from({ length: 9 }, (_, n) => client.publish('chat.many', { n })));
    expect(received).toEqual(['batch', 'batch', 'topic:publish']);
    expect(results.map((event) => event.payload)).toEqual(Array.from({ length: 9 }, (_, n) => ({ n })));
  });

  it('with a window, collects requests of separate tasks into one frame; with 0, only those of one run', async () => {
    const windowed = await connected({ outgoingMessageBufferTime: 2000 });
    const first = windowed.client.publish('chat.window', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const second = windowed.client.publish('chat.window', { n: 2 });
    await Promise.all([first, second]);
    expect(windowed.received).toEqual(['batch']);

    const immediate = await connected();
    const a = immediate.client.publish('chat.window', { n: 1 });
    await new Promise((resolve) => setImmediate(resolve));
    const b = immediate.client.publish('chat.window', { n: 2 });
    await Promise.all([a, b]);
    expect(immediate.received).toEqual(['topic:publish', 'topic:publish']);
  });

  it('sends each request in its own frame with outgoingMessageBufferTime: false', async () => {
    const { client, received } = await connected({ outgoingMessageBufferTime: false });
    await Promise.all([client.publish('chat.off', { n: 1 }), client.publish('chat.off', { n: 2 })]);
    expect(received).toEqual(['topic:publish', 'topic:publish']);
  });

  it('batches subscriptions made in one run, and they deliver as before', async () => {
    const { client, received } = await connected();
    const events: RealtimeEvent[] = [];
    client.on('event:chat.resub', (event) => events.push(event));
    client.subscribe({ topic: 'chat.resub' });
    client.subscribe({ topic: 'chat.resub2' });
    await client.ready();
    expect(received).toEqual(['batch']);
    await client.publish('chat.resub', { n: 1 });
    await expect.poll(() => events.length).toBe(1);
  });

  it('starts a new batch at the server’s maxBatchBytes, and sends a request too big for any batch alone', async () => {
    const small = await startTestServer({ limits: { maxBatchBytes: 2048 } });
    const received: string[] = [];
    small.server.io.on('connection', (socket) => socket.onAny((event: string) => received.push(event)));
    try {
      const client = small.client({ token: await small.token({ realm: 'demo', permissions: ['service'] }), heartbeatInterval: 0 });
      await client.ready();
      const text = 'x'.repeat(800);
      const results = await Promise.all([
        ...Array.from({ length: 5 }, (_, n) => client.publish('chat.bytes', { n, text })),
        client.publish('chat.bytes', { n: 5, text: 'y'.repeat(3000) }),
      ]);
      // About 940 bytes each with the batch entry around it: two fit in 2048, the 3000-byte one goes alone, in order.
      expect(received).toEqual(['batch', 'batch', 'topic:publish', 'topic:publish']);
      expect(results.map((event) => event.payload.n)).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await small.close();
    }
  });
});
