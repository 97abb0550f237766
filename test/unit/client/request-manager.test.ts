import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode, ForbiddenError, PayloadTooLargeError, UnavailableError, toRealtimeError } from '../../../shared/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../../support/fake-realtime-server.js';
import { createManagers, eventually, sleep, type ManagerHarness } from '../../support/client-managers.js';

let server: FakeRealtimeServer;
let harness: ManagerHarness | undefined;

beforeEach(async () => {
  server = await startFakeRealtimeServer();
});

afterEach(async () => {
  harness?.destroy();
  harness = undefined;
  await server.close();
});

function managers(options: Parameters<typeof createManagers>[1] = {}, bufferTime?: number): ManagerHarness {
  harness = createManagers(server.url, { ...options, ...(bufferTime === undefined ? {} : { bufferTime }) });
  return harness;
}

/** Settles a promise into `{ value }` or `{ error }` so tests can assert on either. */
async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: ReturnType<typeof toRealtimeError> }> {
  try {
    return { value: await promise };
  } catch (err) {
    return { error: toRealtimeError(err) };
  }
}

const publish = { topic: 'order.updated', payload: { id: 1 } };

describe('RequestManager batching and fire-and-forget', () => {
  it('sends a fire-and-forget request without an acknowledgement, in a batch as an ack: false entry', async () => {
    const m = managers();
    server.handle('topic:publish', (request) => request.ok({ id: 'evt' }));
    m.connection.connect();
    await m.until('connected');
    m.requests.send('topic:publish', publish);
    await server.waitFor(() => server.frames.length === 1);
    expect(server.frames).toEqual(['topic:publish']);
    m.requests.send('topic:publish', { ...publish, payload: { id: 2 } });
    const answered = m.requests.request('topic:publish', { ...publish, payload: { id: 3 } });
    await expect(answered).resolves.toEqual({ id: 'evt' });
    expect(server.frames).toEqual(['topic:publish', 'batch']);
    expect(server.requestsOf('topic:publish').map((request) => [(request.payload as { payload: { id: number } }).payload.id, request.wantsAnswer])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
  });

  it('checks a fire-and-forget request when it is made: a bad one throws, one while disconnected throws UNAVAILABLE', () => {
    const m = managers();
    expect(() => m.requests.send('topic:publish', { topic: 'Bad Topic', payload: {} })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => m.requests.send('topic:publish', publish)).toThrow(UnavailableError);
  });

  it('fails a request still waiting in the outbox when the connection goes, as not sent', async () => {
    const m = managers({}, 10_000);
    m.connection.connect();
    await m.until('connected');
    const pending = settle(m.requests.request('topic:publish', publish));
    m.connection.disconnect();
    const { error } = await pending;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(server.requestsOf('topic:publish')).toHaveLength(0);
  });
});

describe('RequestManager against a fake server', () => {
  it('resolves with the acknowledged data and rejects with the typed error of a refusal', async () => {
    const m = managers();
    server.handle('topic:publish', (request) => {
      const { payload } = request.payload as { payload: { id: number } };
      if (payload.id === 1) request.ok({ id: 'evt_1' });
      else request.fail({ code: ErrorCode.FORBIDDEN, message: 'no publish', details: { topic: 'order.updated' } });
    });
    m.connection.connect();
    await m.until('connected');
    await expect(m.requests.request('topic:publish', publish)).resolves.toEqual({ id: 'evt_1' });
    const refused = await settle(m.requests.request('topic:publish', { ...publish, payload: { id: 2 } }));
    expect(refused.error).toBeInstanceOf(ForbiddenError);
    expect(refused.error?.details).toEqual({ topic: 'order.updated' });
  });

  it('queues requests made while connecting and sends them, in order, once the session opens', async () => {
    server.sessionLimits = false;
    const m = managers();
    server.handle('topic:publish', (request) => request.ok({ n: (request.payload as { payload: { id: number } }).payload.id }));
    m.connection.connect();
    const first = m.requests.request('topic:publish', { ...publish, payload: { id: 1 } });
    const second = m.requests.request('topic:publish', { ...publish, payload: { id: 2 } });
    await server.waitFor(() => server.sockets.length === 1);
    await sleep(50);
    expect(server.requestsOf('topic:publish')).toHaveLength(0); // nothing before session:opened
    server.openSession();
    await expect(first).resolves.toEqual({ n: 1 });
    await expect(second).resolves.toEqual({ n: 2 });
    expect(server.requestsOf('topic:publish').map((r) => (r.payload as { payload: { id: number } }).payload.id)).toEqual([1, 2]);
  });

  it('queues requests made while reconnecting and sends them after the reconnect', async () => {
    const m = managers({ reconnectionDelay: 100, reconnectionDelayMax: 100 });
    server.handle('topic:publish', (request) => request.ok({ ok: true }));
    m.connection.connect();
    await m.until('connected');
    server.dropTransport();
    await m.until('reconnecting');
    const queued = m.requests.request('topic:publish', publish);
    await expect(queued).resolves.toEqual({ ok: true });
    expect(server.requestsOf('topic:publish')).toHaveLength(1);
    expect(server.requestsOf('topic:publish')[0]!.socket).toBe(server.socket); // on the new connection
    expect(m.opens).toBe(2);
  });

  it('refuses a request its schema refuses at once, with the issues the server would list, and sends nothing', async () => {
    const m = managers();
    m.connection.connect();
    await m.until('connected');
    const bad = settle(m.requests.request('topic:publish', { topic: 'Not A Topic', payload: [] as unknown as Record<string, unknown> }));
    const { error } = await bad;
    expect(error).toMatchObject({ code: ErrorCode.INVALID_ARGUMENT, message: expect.stringMatching(/^Invalid topic:publish request: topic: /) });
    expect((error?.details as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual(['topic', 'payload']);
    await sleep(30);
    expect(server.requestsOf('topic:publish')).toHaveLength(0);
  });

  it('checks a queued request against the limits the server announced, not sending it when too large', async () => {
    server.sessionLimits = { maxPayloadBytes: 16 };
    const m = managers();
    m.connection.connect();
    const tooLarge = settle(m.requests.request('topic:publish', { ...publish, payload: { text: 'x'.repeat(100) } }));
    await m.until('connected');
    expect((await tooLarge).error).toBeInstanceOf(PayloadTooLargeError);
    await sleep(30);
    expect(server.requestsOf('topic:publish')).toHaveLength(0);
    expect(m.connection.state).toBe('connected');
  });

  it.each([
    ['the transport drops', (s: FakeRealtimeServer) => s.dropTransport()],
    ['the server disconnects', (s: FakeRealtimeServer) => s.disconnect()],
  ])('fails an in-flight request with UNAVAILABLE when %s, and does not re-send it', async (_name, lose) => {
    const m = managers({ reconnectionDelay: 20 });
    m.connection.connect();
    await m.until('connected');
    const inFlight = settle(m.requests.request('topic:publish', publish)); // held by the fake
    await server.nextRequest('topic:publish', 1);
    lose(server);
    const { error } = await inFlight;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error?.code).toBe(ErrorCode.UNAVAILABLE);
    expect(error?.message).toMatch(/may or may not have taken effect/);
    await eventually(() => m.opens === 2);
    await sleep(50);
    expect(server.requestsOf('topic:publish')).toHaveLength(1);
  });

  it('fails with TIMEOUT when the server holds the answer past requestTimeout', async () => {
    const m = managers({ requestTimeout: 80 });
    m.connection.connect();
    await m.until('connected');
    const started = Date.now();
    const { error } = await settle(m.requests.request('topic:publish', publish));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error?.code).toBe(ErrorCode.TIMEOUT);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80 - 2);
    expect(m.connection.state).toBe('connected'); // a slow answer does not end the connection
  });

  it('fails with TIMEOUT when not connected within requestTimeout, and never sends it', async () => {
    server.sessionLimits = false;
    const m = managers({ requestTimeout: 80 });
    m.connection.connect();
    const { error } = await settle(m.requests.request('topic:publish', publish));
    expect(error?.code).toBe(ErrorCode.TIMEOUT);
    expect(error?.message).toMatch(/Not connected within 80 ms/);
    server.openSession();
    await m.until('connected');
    await sleep(50);
    expect(server.requestsOf('topic:publish')).toHaveLength(0);
  });

  it('counts the time spent queued against the timeout of the sent request', async () => {
    server.sessionLimits = false;
    const m = managers({ requestTimeout: 200 });
    m.connection.connect();
    const started = Date.now();
    const pending = settle(m.requests.request('topic:publish', publish));
    await server.waitFor(() => server.sockets.length === 1);
    await sleep(120);
    server.openSession(); // the fake holds the request: it times out ~200 ms after it was made
    const { error } = await pending;
    expect(error?.code).toBe(ErrorCode.TIMEOUT);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(200 - 2);
    expect(elapsed).toBeLessThan(300);
  });

  it('rejects at once while disconnected, with the error that ended the connection when there is one', async () => {
    const m = managers();
    const never = await settle(m.requests.request('topic:publish', publish));
    expect(never.error).toBeInstanceOf(UnavailableError);
    expect(never.error?.message).toMatch(/call connect\(\)/);

    server.refuseHandshakes({ code: ErrorCode.AUTH_FAILED, message: 'bad token' });
    m.connection.connect();
    await m.until('disconnected');
    const after = await settle(m.requests.request('topic:publish', publish));
    expect(after.error).toBeInstanceOf(AuthError);
    expect(after.error).toBe(m.connection.lastError);
  });

  it('fails queued requests with the terminal error when the connection ends for good', async () => {
    const m = managers();
    server.refuseHandshakes({ code: ErrorCode.AUTH_FAILED, message: 'bad token' });
    m.connection.connect();
    const queued = settle(m.requests.request('topic:publish', publish));
    const { error } = await queued;
    expect(error).toBeInstanceOf(AuthError);
    expect(error?.code).toBe(ErrorCode.AUTH_FAILED);
  });

  it('fails queued requests when the user disconnects', async () => {
    const m = managers({ reconnectionDelay: 200, reconnectionDelayMax: 200 });
    m.connection.connect();
    await m.until('connected');
    server.dropTransport();
    await m.until('reconnecting');
    const queued = settle(m.requests.request('topic:publish', publish));
    m.connection.disconnect();
    const { error } = await queued;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error?.message).toMatch(/disconnected/);
  });
});
