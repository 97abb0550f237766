import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult, ErrorShape, LoginResult, RealtimeEvent, SessionOpened } from '../../shared/index.js';
import type { ConnectionEvent } from '../../server/gateway/realtime-gateway.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
const opened: Socket[] = [];

beforeAll(async () => {
  t = await startTestServer({ limits: { loginTimeoutMs: 400, maxLoginAttempts: 3 } });
});
afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
});
afterAll(() => t.close());

/** A raw Socket.IO client that opens without a token; resolves with it and its `session:opened`. */
function tokenless(auth: Record<string, unknown> = {}): Promise<{ socket: Socket; session: SessionOpened }> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(t.url, { transports: ['websocket'], auth, forceNew: true, reconnection: false });
    opened.push(socket);
    socket.once('session:opened', (session: SessionOpened) => resolve({ socket, session }));
    socket.once('connect_error', reject);
  });
}

function send(socket: Socket, event: string, request: unknown): Promise<AckResult<unknown>> {
  return socket.timeout(5000).emitWithAck(event, request) as Promise<AckResult<unknown>>;
}

function closed(socket: Socket): Promise<string> {
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

describe('login after connect (auth:login)', () => {
  it('opens a connection without a token quarantined: every request but auth:login is AUTH_FAILED, and nothing happens', async () => {
    const connections: ConnectionEvent[] = [];
    const off = t.server.gateway.onConnectionEvent((change) => connections.push(change));
    const { socket, session } = await tokenless();
    expect(session.user).toBeUndefined();
    expect(session).toMatchObject({ serverVersion: '0.1.0', serverBuildDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    for (const [event, request] of [
      ['subscribe', { topic: 'chat.message' }],
      ['topic:publish', { topic: 'chat.message', payload: {} }],
      ['presence:status', { id: 'x' }],
      ['sys:ping', {}],
      ['batch', { entries: [{ event: 'sys:ping', request: {} }] }],
      ['record:explode', {}],
    ] as const) {
      const answer = await send(socket, event, request);
      expect(answer, event).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED', message: expect.stringMatching(/Log in first/) } });
    }
    expect(connections).toEqual([]);
    expect(await t.server.gateway.presence.userConnections('demo', 'alice')).toEqual([]);
    off();
  });

  it('after a login, the connection is like one that sent its token in the handshake', async () => {
    const connections: ConnectionEvent[] = [];
    const off = t.server.gateway.onConnectionEvent((change) => connections.push(change));
    const { socket } = await tokenless();
    const token = await t.token({ sub: 'lena', realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } } });
    const login = (await send(socket, 'auth:login', { token })) as AckResult<LoginResult>;
    expect(login).toMatchObject({ ok: true, data: { userId: 'lena', realms: ['demo'], expiresAt: expect.any(Number), serverVersion: '0.1.0' } });
    expect(connections.map(({ type, principal }) => [type, principal.userId])).toEqual([['connect', 'lena']]);
    expect((await t.server.gateway.presence.userConnections('demo', 'lena')).map((record) => record.connectionId)).toEqual([socket.id]);
    const events: RealtimeEvent[] = [];
    socket.on('event', (event: RealtimeEvent) => events.push(event));
    expect(await send(socket, 'subscribe', { subscriptionId: 'sub_1', topic: 'chat.message' })).toMatchObject({ ok: true });
    expect(await send(socket, 'topic:publish', { topic: 'chat.message', payload: { text: 'hi' } })).toMatchObject({ ok: true });
    await expect.poll(() => events.map((event) => event.payload)).toEqual([{ text: 'hi' }]);
    // Permissions are the token's: outside them, FORBIDDEN as usual.
    expect(await send(socket, 'topic:publish', { topic: 'orders.x', payload: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // A second login is a conflict; auth:refresh is the way to swap tokens.
    expect(await send(socket, 'auth:login', { token })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const gone = closed(socket);
    socket.disconnect();
    await gone;
    await expect.poll(() => connections.map(({ type }) => type)).toEqual(['connect', 'disconnect']);
    await expect.poll(() => t.server.gateway.presence.userConnections('demo', 'lena')).toEqual([]);
    off();
  });

  it('makes a data provider of its dpv only once it logs in, and until it leaves', async () => {
    const { socket } = await tokenless();
    const status = async (): Promise<string> => {
      const response = await fetch(`${t.url}/api/presence/objects/probe/login`, {
        headers: { authorization: `Bearer ${await t.token({ sub: 'backend', realm: 'dp', permissions: ['service'] })}` },
      });
      return ((await response.json()) as { connectionStatus: string }).connectionStatus;
    };
    expect(await status()).toBe('disconnected');
    const token = await t.token({ sub: 'device', realm: 'dp', dpv: { dp: ['probe/login'] } });
    expect(await send(socket, 'auth:login', { token })).toMatchObject({ ok: true });
    expect(await status()).toBe('connected');
    socket.disconnect();
    await expect.poll(status).toBe('disconnected');
  });

  it('answers a bad token AUTH_FAILED and lets the connection try again', async () => {
    const { socket } = await tokenless();
    expect(await send(socket, 'auth:login', { token: 'not-a-jwt' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await send(socket, 'auth:login', {})).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await send(socket, 'auth:login', { token: await t.token({ realm: 'demo' }) })).toMatchObject({ ok: true, data: { userId: 'alice' } });
  });

  it('closes the connection at the last of maxLoginAttempts failed logins, answering TOO_MANY_AUTH_ATTEMPTS', async () => {
    const { socket } = await tokenless();
    const notices: ErrorShape[] = [];
    socket.on('auth:expired', (notice: ErrorShape) => notices.push(notice));
    const gone = closed(socket);
    expect(await send(socket, 'auth:login', { token: 'bad-1' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await send(socket, 'auth:login', { token: 'bad-2' })).toMatchObject({ ok: false, error: { code: 'AUTH_FAILED' } });
    expect(await send(socket, 'auth:login', { token: 'bad-3' })).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_AUTH_ATTEMPTS', details: { attempts: 3, limit: 3 } },
    });
    expect(await gone).toBe('io server disconnect');
    expect(notices.map((notice) => notice.code)).toEqual(['TOO_MANY_AUTH_ATTEMPTS']);
  });

  it('closes a connection that does not log in within loginTimeoutMs, telling it AUTH_FAILED first', async () => {
    const { socket } = await tokenless();
    const notice = new Promise<ErrorShape>((resolve) => socket.once('auth:expired', resolve));
    const gone = closed(socket);
    expect(await notice).toMatchObject({ code: 'AUTH_FAILED', message: 'No auth:login within 400 ms' });
    expect(await gone).toBe('io server disconnect');
  });

  it('still refuses a handshake whose token is bad (only a missing token is quarantined)', async () => {
    const refusal = await new Promise<Error & { data?: ErrorShape }>((resolve) => {
      const socket = ioClient(t.url, { transports: ['websocket'], auth: { token: 'garbage' }, forceNew: true, reconnection: false });
      opened.push(socket);
      socket.once('connect_error', resolve);
    });
    expect(refusal.data?.code).toBe('AUTH_FAILED');
  });

  it('applies the connection limit of the user at login', async () => {
    const limited = await startTestServer({ rateLimits: { connectionsPerUser: 1, connectionRetryAfterMs: 300 } });
    try {
      const token = await limited.token({ sub: 'solo', realm: 'demo' });
      await limited.rawSocket(token);
      const socket = ioClient(limited.url, { transports: ['websocket'], forceNew: true, reconnection: false });
      opened.push(socket);
      await new Promise((resolve) => socket.once('session:opened', resolve));
      const gone = closed(socket);
      expect(await send(socket, 'auth:login', { token })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfterMs: 300 } } });
      expect(await gone).toBe('io server disconnect');
    } finally {
      await limited.close();
    }
  });

  it('refuses tokenless handshakes beyond maxPendingLogins with RATE_LIMITED', async () => {
    const small = await startTestServer({ limits: { maxPendingLogins: 2 } });
    try {
      const open = (): Promise<Error & { data?: ErrorShape }> | Promise<unknown> =>
        new Promise((resolve) => {
          const socket = ioClient(small.url, { transports: ['websocket'], forceNew: true, reconnection: false });
          opened.push(socket);
          socket.once('session:opened', resolve);
          socket.once('connect_error', resolve);
        });
      await open();
      await open();
      const third = (await open()) as Error & { data?: ErrorShape };
      expect(third.data).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 2, retryAfterMs: expect.any(Number) } });
      // A handshake with a token is not a pending login.
      await small.rawSocket(await small.token({ realm: 'demo' }));
    } finally {
      await small.close();
    }
  });
});
