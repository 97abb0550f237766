import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A client that stops reading (its TCP socket paused, as a stalled phone's is) must not make the
 * server keep everything published to it: past `maxQueuedBytesPerConnection` its connection is
 * closed, and a subscriber that reads gets every event meanwhile.
 */
const LIMIT = 256 * 1024;
const EVENTS = 300;
const BLOB = 'x'.repeat(60_000);

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({
    limits: { maxQueuedBytesPerConnection: LIMIT },
    rateLimits: { enabled: false },
    metrics: { public: true },
  });
});
afterAll(() => t.close());

async function slowConsumersClosed(): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith('realtime_slow_consumers_closed_total '));
  return Number(line?.split(' ')[1] ?? 0);
}

describe('the send queue bound', () => {
  it('closes a connection that does not read once its queue passes the limit, and keeps serving the others', async () => {
    const token = await t.token({ sub: 'reader', realm: 'demo', permissions: ['subscribe'] });
    const stalled: Socket = await t.rawSocket(token);
    const ack = await stalled.emitWithAck('subscribe', { topic: 'feed.big' });
    expect(ack).toMatchObject({ ok: true });
    // Stop reading: the bytes pile up in the kernel's buffers, then in the server's queue.
    (stalled.io.engine.transport as unknown as { ws: { _socket: { pause(): void } } }).ws._socket.pause();

    const healthy = t.client({ token });
    let received = 0;
    const all = new Promise<void>((resolve) =>
      healthy.on('event', () => {
        received += 1;
        if (received === EVENTS) resolve();
      }),
    );
    healthy.subscribe({ topic: 'feed.big' });
    await healthy.ready();

    const backend = await t.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });
    for (let seq = 0; seq < EVENTS; seq += 1) {
      const res = await fetch(`${t.url}/api/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${backend}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'feed.big', payload: { seq, blob: BLOB } }),
      });
      expect(res.status).toBe(201);
    }
    await all;
    expect(received).toBe(EVENTS);
    await expect.poll(slowConsumersClosed, { timeout: 10_000 }).toBe(1);
    // The server let go of it: only the healthy client is left.
    await expect.poll(() => t.server.io.of('/').sockets.size, { timeout: 10_000 }).toBe(1);
  });
});
