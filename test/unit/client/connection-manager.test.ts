import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthError, ErrorCode, LimitExceededError, UnavailableError } from '../../../shared/index.js';
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

function managers(options: Parameters<typeof createManagers>[1] = {}): ManagerHarness {
  harness = createManagers(server.url, options);
  return harness;
}

describe('ConnectionManager against a fake server', () => {
  it('goes connecting → connected only once session:opened arrives, and takes its limits', async () => {
    server.sessionLimits = false;
    const m = managers();
    m.connection.connect();
    expect(m.connection.state).toBe('connecting');
    await server.waitFor(() => server.sockets.length === 1);
    await sleep(50);
    expect(m.connection.state).toBe('connecting'); // Socket.IO is connected, the session is not
    expect(m.opens).toBe(0);
    server.openSession(server.socket, { maxPayloadBytes: 123 });
    await m.until('connected');
    expect(m.states()).toEqual(['connecting', 'connected']);
    expect(m.changes[1]).toMatchObject({ state: 'connected', previousState: 'connecting', reason: 'connect' });
    expect(m.connection.limits.maxPayloadBytes).toBe(123);
    expect(m.opens).toBe(1);
    expect(server.handshakes[0]?.token).toBe('token-1');
  });

  it('treats a repeated session:opened as new limits only (no second open)', async () => {
    const m = managers();
    m.connection.connect();
    await m.until('connected');
    server.openSession(server.socket, { maxPayloadDepth: 7 });
    await sleep(50);
    expect(m.opens).toBe(1);
    expect(m.states()).toEqual(['connecting', 'connected']);
    expect(m.connection.limits.maxPayloadDepth).toBe(7);
  });

  it('connect() is single-flight: calling it again while connecting or connected makes no new handshake', async () => {
    const m = managers();
    m.connection.connect();
    m.connection.connect();
    await m.until('connected');
    m.connection.connect();
    await sleep(50);
    expect(server.handshakes).toHaveLength(1);
    expect(m.states()).toEqual(['connecting', 'connected']);
  });

  it.each([
    ['a dropped transport', 'transport close', (s: FakeRealtimeServer) => s.dropTransport()],
    ['a server-side disconnect', 'io server disconnect', (s: FakeRealtimeServer) => s.disconnect()],
  ])('reconnects after %s, with one handshake per attempt', async (_name, reason, lose) => {
    const m = managers({ reconnectionDelay: 30 });
    m.connection.connect();
    await m.until('connected');
    lose(server);
    await m.until('reconnecting');
    await eventually(() => m.opens === 2, 5000, 'second open');
    expect(m.states()).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    expect(m.changes[2]).toMatchObject({ state: 'reconnecting', previousState: 'connected', reason, attempt: 1 });
    expect(server.handshakes).toHaveLength(2);
    expect(server.handshakes[1]!.at - server.handshakes[0]!.at).toBeGreaterThanOrEqual(30);
  });

  it('reconnects when the transport drops after the handshake but before session:opened', async () => {
    server.sessionLimits = false;
    const m = managers({ reconnectionDelay: 20 });
    m.connection.connect();
    await server.waitFor(() => server.sockets.length === 1);
    server.sessionLimits = {};
    server.dropTransport();
    await m.until('connected');
    expect(m.states()).toEqual(['connecting', 'reconnecting', 'connected']);
    expect(m.changes[1]).toMatchObject({ previousState: 'connecting', reason: 'transport close', attempt: 1 });
    expect(m.opens).toBe(1);
  });

  it('backs off exponentially up to reconnectionDelayMax, then gives up after reconnectionAttempts', async () => {
    const m = managers({ reconnectionDelay: 40, reconnectionDelayMax: 100, reconnectionAttempts: 4 });
    server.refuseHandshakes({ code: ErrorCode.UNAVAILABLE, message: 'node draining' });
    m.connection.connect();
    await m.until('disconnected', 5000);
    // The first attempt and four retries.
    expect(server.handshakes).toHaveLength(5);
    const gaps = server.handshakes.slice(1).map((h, i) => h.at - server.handshakes[i]!.at);
    // randomizationFactor 0: 40, 80, then 160 and 320 capped to 100 (timers fire no earlier than asked).
    expect(gaps[0]).toBeGreaterThanOrEqual(40 - 2);
    expect(gaps[1]).toBeGreaterThanOrEqual(80 - 2);
    expect(gaps[2]).toBeGreaterThanOrEqual(100 - 2);
    expect(gaps[3]).toBeGreaterThanOrEqual(100 - 2);
    expect(gaps[3]).toBeLessThan(260); // uncapped it would be 320
    const reconnecting = m.changes.filter((c) => c.state === 'reconnecting');
    expect(reconnecting.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(reconnecting.every((c) => c.reason === 'node draining')).toBe(true);
    const last = m.changes.at(-1)!;
    expect(last).toMatchObject({ state: 'disconnected', previousState: 'reconnecting', reason: 'reconnect_failed' });
    expect(last.error).toBeInstanceOf(UnavailableError);
    expect(last.error?.message).toBe('Could not reconnect after 4 attempts');
    expect(m.connection.lastError).toBe(last.error);
    expect(m.errors).toEqual([last.error]);
    await sleep(150);
    expect(server.handshakes).toHaveLength(5); // the loop stopped
  });

  it('stays within the jitter bounds with the default randomizationFactor', async () => {
    const m = managers({ reconnectionDelay: 60, reconnectionDelayMax: 1000, randomizationFactor: 0.5, reconnectionAttempts: 1 });
    server.refuseHandshakes({ code: ErrorCode.UNAVAILABLE, message: 'down' });
    m.connection.connect();
    await m.until('disconnected', 5000);
    const gap = server.handshakes[1]!.at - server.handshakes[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(30 - 2); // 60 × (1 − 0.5)
    expect(gap).toBeLessThan(90 + 110); // 60 × (1 + 0.5), plus scheduling slack
  });

  it.each([ErrorCode.AUTH_FAILED, ErrorCode.TOKEN_EXPIRED])('stops at once on a %s handshake refusal', async (code) => {
    const m = managers();
    server.refuseHandshakes({ code, message: 'no' });
    m.connection.connect();
    await m.until('disconnected');
    await sleep(100);
    expect(server.handshakes).toHaveLength(1);
    expect(m.states()).toEqual(['connecting', 'disconnected']);
    const last = m.changes.at(-1)!;
    expect(last.reason).toBe(code);
    expect(last.error).toBeInstanceOf(AuthError);
    expect(last.error?.code).toBe(code);
    expect(m.connection.lastError?.code).toBe(code);
  });

  it('stops when the server says auth:expired and then disconnects', async () => {
    const m = managers();
    m.connection.connect();
    await m.until('connected');
    server.emit('auth:expired', { code: ErrorCode.TOKEN_EXPIRED, message: 'token expired' });
    await sleep(20);
    server.disconnect();
    await m.until('disconnected');
    await sleep(100);
    expect(server.handshakes).toHaveLength(1);
    expect(m.changes.at(-1)).toMatchObject({ state: 'disconnected', reason: ErrorCode.TOKEN_EXPIRED });
    expect(m.connection.lastError).toBeInstanceOf(AuthError);
  });

  it('waits retryAfterMs after a RATE_LIMITED handshake and does not use up attempts', async () => {
    const m = managers({ reconnectionDelay: 10, reconnectionDelayMax: 20, reconnectionAttempts: 1 });
    // Three refusals with a wait, more than reconnectionAttempts allows for failures, then accept.
    server.onHandshake((_h, index) =>
      index < 3 ? { code: ErrorCode.RATE_LIMITED, message: 'too many connections', details: { retryAfterMs: 80 } } : undefined,
    );
    m.connection.connect();
    await m.until('connected', 5000);
    expect(server.handshakes).toHaveLength(4);
    for (let i = 1; i < 4; i++) expect(server.handshakes[i]!.at - server.handshakes[i - 1]!.at).toBeGreaterThanOrEqual(80 - 2);
    const reconnecting = m.changes.filter((c) => c.state === 'reconnecting');
    expect(reconnecting).toHaveLength(3);
    // Attempts do not grow while rate-limited, and the refusal is carried on the change.
    expect(reconnecting.map((c) => c.attempt)).toEqual([1, 1, 1]);
    for (const change of reconnecting) {
      expect(change.error).toBeInstanceOf(LimitExceededError);
      expect(change.error?.code).toBe(ErrorCode.RATE_LIMITED);
    }
  });

  it('ignores a handshake answer that arrives after disconnect() (stale callbacks)', async () => {
    const m = managers();
    let release: (value: undefined) => void = () => undefined;
    server.onHandshake(() => new Promise((resolve) => (release = resolve)));
    m.connection.connect();
    await server.handshakeCount(1);
    m.connection.disconnect();
    expect(m.states()).toEqual(['connecting', 'disconnected']);
    release(undefined);
    await sleep(100);
    expect(m.connection.state).toBe('disconnected');
    expect(m.opens).toBe(0);
    expect(m.errors).toEqual([]);
  });

  it('disconnect() while reconnecting cancels the pending attempt', async () => {
    const m = managers({ reconnectionDelay: 100, reconnectionDelayMax: 100 });
    m.connection.connect();
    await m.until('connected');
    server.dropTransport();
    await m.until('reconnecting');
    m.connection.disconnect();
    await sleep(200);
    expect(server.handshakes).toHaveLength(1);
    expect(m.states()).toEqual(['connecting', 'connected', 'reconnecting', 'disconnected']);
    expect(m.changes.at(-1)).toMatchObject({ reason: 'client disconnect' });
    expect(m.connection.lastError).toBeUndefined();
  });

  it('does not reconnect when reconnection is off', async () => {
    const m = managers({ reconnection: false });
    m.connection.connect();
    await m.until('connected');
    server.dropTransport();
    await m.until('disconnected');
    await sleep(100);
    expect(server.handshakes).toHaveLength(1);
    expect(m.changes.at(-1)).toMatchObject({ state: 'disconnected', reason: 'transport close' });
    expect(m.connection.lastError?.code).toBe(ErrorCode.UNAVAILABLE);
  });

  it('reads the token at every handshake', async () => {
    let token = 'first';
    const m = managers({ getToken: () => token, reconnectionDelay: 10 });
    m.connection.connect();
    await m.until('connected');
    token = 'second';
    server.dropTransport();
    await eventually(() => m.opens === 2);
    expect(server.handshakes.map((h) => h.token)).toEqual(['first', 'second']);
  });

  it('a connect() after giving up starts a fresh loop with all attempts', async () => {
    const m = managers({ reconnectionAttempts: 1, reconnectionDelay: 10 });
    server.refuseHandshakes({ code: ErrorCode.UNAVAILABLE, message: 'down' });
    m.connection.connect();
    await m.until('disconnected');
    expect(server.handshakes).toHaveLength(2);
    server.acceptHandshakes();
    m.connection.connect();
    await m.until('connected');
    expect(m.connection.lastError).toBeUndefined();
    expect(m.states().slice(-2)).toEqual(['connecting', 'connected']);
  });

  it('destroy() stops everything and connect() then throws', async () => {
    const m = managers();
    m.connection.connect();
    await m.until('connected');
    m.connection.destroy();
    await server.waitFor(() => server.sockets.length === 0);
    expect(m.connection.state).toBe('disconnected');
    expect(() => m.connection.connect()).toThrow(UnavailableError);
  });

  // `connectTimeout` bounds the whole attempt, not only the transport's opening: a handshake the
  // server never answers (a hung auth middleware) used to leave the client connecting for good.
  it('times out a handshake the server never answers and retries', async () => {
    const m = managers({ connectTimeout: 100 });
    server.onHandshake(() => new Promise(() => undefined));
    m.connection.connect();
    await m.until('reconnecting', 800);
    expect(m.changes.at(-1)).toMatchObject({ state: 'reconnecting', reason: 'connect timeout' });
  });
});
