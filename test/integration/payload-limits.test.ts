import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayloadTooLargeError, type RealtimeClient } from '../../client/index.js';
import type { AckResult, ErrorShape } from '../../shared/index.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';

// Oversized and deeply nested payloads (issue 11, item 8) and `__proto__` keys (item 11): a typed
// refusal, the connection intact, nothing stored.

let t: TestServer;
let service: string;

beforeAll(async () => {
  t = await startTestServer({ limits: { maxPayloadBytes: 2048, maxPresenceStateBytes: 256 } });
  service = await t.token({ sub: 'svc', realm: 'demo', permissions: ['service'] });
});
afterAll(() => t.close());

/** `{ a: { a: ... { a: 1 } } }`, `levels` objects deep, built without recursion. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i += 1) value = { a: value };
  return value;
}

/** The same as JSON text, for depths that JSON.stringify cannot reach. */
function nestedJson(levels: number): string {
  return `${'{"a":'.repeat(levels - 1)}{"leaf":1}${'}'.repeat(levels - 1)}`;
}

async function connected(token = service): Promise<RealtimeClient> {
  const client = t.client({ token });
  await client.ready();
  return client;
}

function rest(path: string, body: string, token = service): Promise<Response> {
  return fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
  });
}

async function rawRequest(socket: Socket, event: string, payload: unknown): Promise<AckResult<unknown>> {
  return (await socket.timeout(5000).emitWithAck(event, payload)) as AckResult<unknown>;
}

let frameId = 900;

/**
 * Sends a request as a hand-written Socket.IO frame (`2<ackId>[event, payload]`) and resolves with
 * its acknowledgement: socket.io-client's own encoder recurses, and overflows its stack on the
 * depths these tests send.
 */
function rawFrame(socket: Socket, event: string, payloadJson: string): Promise<AckResult<unknown>> {
  const id = (frameId += 1);
  const engine = socket.io.engine;
  return new Promise((resolve) => {
    const onMessage = (data: unknown): void => {
      if (typeof data !== 'string' || !data.startsWith(`3${id}[`)) return;
      engine.off('message', onMessage);
      resolve((JSON.parse(data.slice(String(id).length + 1)) as [AckResult<unknown>])[0]);
    };
    engine.on('message', onMessage);
    engine.write(`2${id}[${JSON.stringify(event)},${payloadJson}]`);
  });
}

function errorOf(answer: AckResult<unknown>): ErrorShape {
  expect(answer.ok).toBe(false);
  if (answer.ok) throw new Error('unreachable');
  return answer.error;
}

describe('oversized payloads', () => {
  it('refuses a publish above the socket frame limit with PAYLOAD_TOO_LARGE, and stays connected', async () => {
    const client = await connected();
    const errors: unknown[] = [];
    client.on('error', (err) => errors.push(err));
    const huge = { blob: 'x'.repeat(1_500_000) };
    const refusal = await client.publish('big.one', huge).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(PayloadTooLargeError);
    expect(refusal).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 2048 } });
    expect(client.state).toBe('connected');
    // The same connection still works.
    const event = await client.publish('big.one', { small: true });
    expect(event.payload).toEqual({ small: true });
    expect(client.state).toBe('connected');
    expect(errors).toEqual([]);
  });

  it('checks every kind of request against the limits the server announced at connect', async () => {
    const client = await connected();
    const sc = client.socketClient;
    await sc.joinChannel('room');
    await expect(sc.publish('room', 'e', 'x'.repeat(3000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 2048 } });
    await expect(sc.directMessage({ userId: 'svc' }, 'e', 'x'.repeat(3000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(sc.joinChannel('room2', { state: { bio: 'x'.repeat(300) } })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { limit: 256 },
    });
    await expect(sc.updatePresence('room', { bio: 'x'.repeat(300) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // A sync write larger than a socket frame: refused before sending, not a disconnect.
    await expect(client.sync.create('notes', { blob: 'x'.repeat(1_500_000) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(client.state).toBe('connected');
    await sc.publish('room', 'e', 'fine');
  });

  it('keeps the transport limit as the last guard for clients that do not check', async () => {
    const raw = await t.rawSocket(service);
    const closed = new Promise<string>((resolve) => raw.once('disconnect', resolve));
    raw.emit('topic:publish', { topic: 'big.raw', payload: { blob: 'x'.repeat(1_500_000) } });
    expect(await closed).toBe('transport close');
  });
});

describe('deeply nested payloads', () => {
  let d: TestServer;
  let token: string;
  beforeAll(async () => {
    d = await startTestServer(); // the default limits: 64 KiB payloads, 64 levels
    token = await d.token({ sub: 'svc', realm: 'demo', permissions: ['service'] });
  });
  afterAll(() => d.close());

  const deepRest = (path: string, body: string) =>
    fetch(`${d.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });

  it('answers a REST body nested beyond the limit with 400 INVALID_ARGUMENT, not 500', async () => {
    for (const levels of [70, 5000, 20_000]) {
      const response = await deepRest('/api/events', `{"topic":"deep.rest","payload":${nestedJson(levels)}}`);
      expect(response.status, `${levels} levels`).toBe(400);
      const body = (await response.json()) as { code: string; details: { depth: number; limit: number } };
      expect(body).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit: 64, depth: 65 } });
    }
    // Within the limit it is an ordinary payload.
    const ok = await deepRest('/api/events', JSON.stringify({ topic: 'deep.rest', payload: nested(60) }));
    expect(ok.status).toBe(201);
  });

  it('refuses binary attachments in any request (a filter, presence state, data): payloads are JSON', async () => {
    const raw = await d.rawSocket(token);
    const cases: Array<[string, unknown]> = [
      ['subscribe', { subscriptionId: 's1', topic: 'bin.topic', filter: new Uint8Array(0) }],
      ['channel:join', { channel: 'bin', state: { k: new Uint8Array(4) } }],
      ['topic:publish', { topic: 'bin.topic', payload: { blob: Buffer.from('x') } }],
      ['sync:create', { service: 'notes', data: { blob: new ArrayBuffer(8) } }],
    ];
    for (const [event, payload] of cases) {
      const answer = await rawRequest(raw, event, payload);
      expect(answer, event).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/binary data is not a JSON value/) },
      });
    }
    expect(raw.connected).toBe(true);
    expect((await rawRequest(raw, 'subscribe', { subscriptionId: 's2', topic: 'bin.topic', filter: { k: 1 } })).ok).toBe(true);
  });

  it('answers a socket request nested beyond the limit with INVALID_ARGUMENT, connection intact', async () => {
    const raw = await d.rawSocket(token);
    for (const levels of [70, 5000, 50_000]) {
      const error = errorOf(await rawFrame(raw, 'topic:publish', `{"topic":"deep.socket","payload":${nestedJson(levels)}}`));
      expect(error, `${levels} levels`).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit: 64, depth: 65 } });
    }
    const deep = nestedJson(5000);
    expect(errorOf(await rawFrame(raw, 'sync:create', `{"service":"notes","data":${deep}}`)).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(await rawFrame(raw, 'channel:publish', `{"channel":"c","event":"e","data":${deep}}`)).code).toBe('INVALID_ARGUMENT');
    expect(errorOf(await rawFrame(raw, 'no:such-event', deep)).code).toBe('INVALID_ARGUMENT');
    // Without an acknowledgement, the refusal comes as protocol:error.
    const notice = new Promise<ErrorShape>((resolve) => raw.once('protocol:error', resolve));
    raw.io.engine.write(`2["topic:publish",{"topic":"deep.socket","payload":${deep}}]`);
    expect(await notice).toMatchObject({ code: 'INVALID_ARGUMENT', details: { event: 'topic:publish', limit: 64 } });
    expect(raw.connected).toBe(true);
    const answer = await rawRequest(raw, 'topic:publish', { topic: 'deep.socket', payload: nested(10) });
    expect(answer.ok).toBe(true);
  });

  it('never stores a refused message: a resubscription from before it replays nothing', async () => {
    const listener = d.client({ token });
    listener.subscribe({ topic: 'deep.history' });
    await listener.ready();
    const raw = await d.rawSocket(token);
    expect(errorOf(await rawFrame(raw, 'topic:publish', `{"topic":"deep.history","payload":${nestedJson(3000)}}`)).code).toBe('INVALID_ARGUMENT');
    expect((await deepRest('/api/events', `{"topic":"deep.history","payload":${nestedJson(3000)}}`)).status).toBe(400);
    const first = nextEvent(listener, 'event:deep.history');
    await listener.publish('deep.history', { marker: 1 });
    const marker = await first;
    expect(marker.payload).toEqual({ marker: 1 });
    // A subscriber resuming from the start of the stream gets the marker and nothing else.
    const late = await d.rawSocket(token);
    const replayed: unknown[] = [];
    late.on('event', (event: { payload: unknown }) => replayed.push(event.payload));
    const since = { epoch: marker.metadata.epoch!, offset: '0-0' };
    const answer = await rawRequest(late, 'subscribe', { topic: 'deep.history', since });
    expect(answer).toMatchObject({ ok: true, data: { recovered: true } });
    expect(replayed).toEqual([{ marker: 1 }]);
  });

  it('checks depth in the client before sending, cycles included', async () => {
    const client = await connected();
    await expect(client.publish('deep.client', nested(100))).rejects.toMatchObject({
      name: 'InvalidArgumentError',
      code: 'INVALID_ARGUMENT',
      details: { limit: 64 },
    });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    await expect(client.publish('deep.client', cyclic)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(client.state).toBe('connected');
  });
});

describe('deeply nested payloads in cluster mode', () => {
  let redis: RedisTestServer;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    a = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix } });
    b = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix }, auth: { secret: a.secret } });
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await redis.stop();
  });

  it('refuses a message nested 3,000 levels (the MessagePack encoder overflowed) and stores nothing', async () => {
    const token = await a.token({ sub: 'svc', realm: 'demo', permissions: ['service'] });
    const listener = await b.rawSocket(token);
    const live: unknown[] = [];
    const liveMarker = new Promise<void>((resolve) =>
      listener.on('event', (event: { payload: { marker?: number } }) => {
        live.push(event.payload);
        if (event.payload.marker === 1) resolve();
      }),
    );
    expect((await rawRequest(listener, 'subscribe', { topic: 'deep.cluster' })).ok).toBe(true);

    const publisher = await a.rawSocket(token);
    const refused = await rawFrame(publisher, 'topic:publish', `{"topic":"deep.cluster","payload":${nestedJson(3000)}}`);
    expect(errorOf(refused)).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit: 64 } });
    const marker = await rawRequest(publisher, 'topic:publish', { topic: 'deep.cluster', payload: { marker: 1 } });
    expect(marker.ok).toBe(true);
    const epoch = (marker as { data: { metadata: { epoch: string } } }).data.metadata.epoch;

    const late = await b.rawSocket(token);
    const replayed: unknown[] = [];
    late.on('event', (event: { payload: unknown }) => replayed.push(event.payload));
    const answer = await rawRequest(late, 'subscribe', { topic: 'deep.cluster', since: { epoch, offset: '0-0' } });
    expect(answer).toMatchObject({ ok: true, data: { recovered: true } });
    expect(replayed).toEqual([{ marker: 1 }]);
    await liveMarker;
    expect(live).toEqual([{ marker: 1 }]);
  });
});

describe('__proto__ keys', () => {
  it('refuses a top-level __proto__ key in document data instead of dropping it', async () => {
    const response = await rest('/api/sync/notes/documents', '{"data":{"__proto__":{"polluted":true},"title":"x"}}');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { code: string; message: string; details: { issues: { path: string }[] } };
    expect(body.code).toBe('INVALID_ARGUMENT');
    expect(body.details.issues[0]?.path).toBe('/data/__proto__');
    expect(body.message).toContain('__proto__');

    const raw = await t.rawSocket(service);
    // Sent as an own key, as JSON.parse makes it (an object literal would set the prototype).
    const data = JSON.parse('{"__proto__":{"polluted":true},"title":"x"}') as Record<string, unknown>;
    const error = errorOf(await rawRequest(raw, 'sync:create', { service: 'notes', data }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', details: { issues: [{ path: '/data/__proto__' }] } });
  });

  it('refuses __proto__ at any depth and in any request: payloads, filters, bodies', async () => {
    const raw = await t.rawSocket(service);
    const payload = JSON.parse('{"a":{"b":[{"__proto__":1}]}}') as Record<string, unknown>;
    expect(errorOf(await rawRequest(raw, 'topic:publish', { topic: 'p.q', payload }))).toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { issues: [{ path: '/payload/a/b/0/__proto__' }] },
    });
    // A filter whose only key would vanish would match everything.
    const filter = JSON.parse('{"__proto__":"x"}') as Record<string, unknown>;
    expect(errorOf(await rawRequest(raw, 'subscribe', { topic: 'p.q', filter })).code).toBe('INVALID_ARGUMENT');
    const response = await rest('/api/events', '{"topic":"p.q","payload":{"__proto__":{"x":1}}}');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { details: { issues: { path: string }[] } }).details.issues[0]?.path).toBe('/payload/__proto__');
  });
});
