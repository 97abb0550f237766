import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult, BatchResult, ErrorShape, RealtimeEvent } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let raw: Socket;

beforeAll(async () => {
  t = await startTestServer({
    limits: { maxPayloadBytes: 1024, maxBatchEntries: 10, maxBatchBytes: 4096 },
    rateLimits: { publishes: { perConnection: 3 } },
  });
  raw = await t.rawSocket(await t.token({ sub: 'alice', realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } } }));
});
afterAll(() => t.close());

function batch(entries: unknown[]): Promise<AckResult<BatchResult>> {
  return raw.timeout(5000).emitWithAck('batch', { entries }) as Promise<AckResult<BatchResult>>;
}

async function results(entries: unknown[]): Promise<(AckResult<unknown> | null)[]> {
  const answer = await batch(entries);
  if (!answer.ok) throw new Error(`batch refused: ${answer.error.message}`);
  return answer.data.results;
}

function errorOf(result: AckResult<unknown> | null | undefined): ErrorShape {
  if (result === null || result === undefined || result.ok) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.error;
}

describe('batch (server)', () => {
  it('serves every entry in order through its own operation, one bad entry failing alone', async () => {
    const answers = await results([
      { event: 'topic:publish', request: { topic: 'chat.one', payload: { n: 1 } } },
      { event: 'topic:publish', request: { topic: 'orders.secret', payload: { n: 2 } } },
      { event: 'topic:publish', request: { topic: 'Bad Topic', payload: {} } },
      { event: 'record:explode', request: {} },
      { event: 'sys:ping', request: {} },
    ]);
    expect(answers).toHaveLength(5);
    expect(answers[0]).toMatchObject({ ok: true, data: { topic: 'chat.one', payload: { n: 1 } } });
    expect(errorOf(answers[1]).code).toBe('FORBIDDEN');
    expect(errorOf(answers[2])).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/topic/) });
    expect(errorOf(answers[3])).toMatchObject({ code: 'INVALID_ARGUMENT', details: { event: 'record:explode' } });
    expect(answers[4]).toMatchObject({ ok: true, data: { time: expect.any(Number) } });
  });

  it('counts each entry against the rate limits, as if sent alone', async () => {
    const other = await t.rawSocket(await t.token({ sub: 'bob', realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } } }));
    const answer = (await other.timeout(5000).emitWithAck('batch', {
      entries: Array.from({ length: 10 }, (_, n) => ({ event: 'topic:publish', request: { topic: 'chat.rate', payload: { n } } })),
    })) as AckResult<BatchResult>;
    if (!answer.ok) throw new Error('refused');
    // 3 per second plus a reserve of the same size: the first 6 pass, the rest are refused, in order.
    expect(answer.data.results.map((result) => result?.ok)).toEqual([true, true, true, true, true, true, false, false, false, false]);
    expect(errorOf(answer.data.results[6])).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } });
    other.disconnect();
  });

  it('checks each entry’s shape and size as if sent alone: too deep, __proto__, over the payload limit', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i += 1) deep = { a: deep };
    const answers = await results([
      { event: 'topic:publish', request: { topic: 'chat.deep', payload: deep } },
      JSON.parse('{"event":"topic:publish","request":{"topic":"chat.x","payload":{"__proto__":{"admin":true}}}}'),
      { event: 'topic:publish', request: { topic: 'chat.big', payload: { text: 'x'.repeat(2000) } } },
      { event: 'batch', request: { entries: [] } },
      { event: 'sys:ping', request: {} },
    ]);
    expect(errorOf(answers[0])).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit: 64 } });
    expect(errorOf(answers[1]).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(answers[2])).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 1024 } });
    expect(errorOf(answers[3]).message).toMatch(/cannot hold a batch/);
    expect(answers[4]).toMatchObject({ ok: true });
  });

  it('refuses a batch over maxBatchEntries or maxBatchBytes whole, before serving any entry', async () => {
    const received: RealtimeEvent[] = [];
    const subscribed = (await raw.timeout(5000).emitWithAck('subscribe', { subscriptionId: 'sub_1', topic: 'chat.bound' })) as AckResult<unknown>;
    expect(subscribed.ok).toBe(true);
    raw.on('event', (event: RealtimeEvent) => received.push(event));
    const tooMany = await batch(Array.from({ length: 11 }, () => ({ event: 'sys:ping', request: {} })));
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED', details: { limit: 10, entries: 11 } } });
    const tooBig = await batch([
      { event: 'topic:publish', request: { topic: 'chat.bound', payload: { text: 'x'.repeat(900) } } },
      ...Array.from({ length: 4 }, () => ({ event: 'sys:ping', request: { pad: 'y'.repeat(900) } })),
    ]);
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', details: { limit: 4096 } } });
    // The connection is usable, and the refused batch published nothing.
    expect(await results([{ event: 'topic:publish', request: { topic: 'chat.bound', payload: { n: 'after' } } }])).toMatchObject([{ ok: true }]);
    await expect.poll(() => received.map((event) => event.payload)).toEqual([{ n: 'after' }]);
  });

  it('serves ack: false entries without an answer slot; their errors come as protocol:error', async () => {
    const errors: ErrorShape[] = [];
    const onError = (error: ErrorShape): void => void errors.push(error);
    raw.on('protocol:error', onError);
    const answers = await results([
      { event: 'topic:publish', request: { topic: 'chat.fire', payload: {} }, ack: false },
      { event: 'topic:publish', request: { topic: 'orders.secret', payload: {} }, ack: false },
      { event: 'sys:ping', request: {} },
    ]);
    expect(answers[0]).toBeNull();
    expect(answers[1]).toBeNull();
    expect(answers[2]).toMatchObject({ ok: true });
    await expect.poll(() => errors.map((error) => error.code)).toEqual(['FORBIDDEN']);
    expect(errors[0]?.details).toMatchObject({ event: 'topic:publish' });
    raw.off('protocol:error', onError);
  });

  it('answers a malformed batch with INVALID_ARGUMENT and keeps the connection', async () => {
    for (const bad of [null, [], { entries: 'x' }, { entries: [], extra: 1 }]) {
      const answer = (await raw.timeout(5000).emitWithAck('batch', bad)) as AckResult<unknown>;
      expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    const answers = await results([{ event: 'sys:ping' }, 'not an entry', { event: 'sys:ping', request: {}, extra: 1 }]);
    expect(answers[0]).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } }); // sys:ping needs {}
    expect(errorOf(answers[1]).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(answers[2]).message).toMatch(/unknown field "extra"/);
    expect(raw.connected).toBe(true);
  });
});
