import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AckResult, LoginResult, RealtimeEvent, SessionOpened } from '../../shared/index.js';
import { NO_EXPIRY_MS } from '../../server/auth/auth-hook.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect } from '../support/wait.js';

/**
 * `auth:login { params }` against a real HTTP auth hook (node:http on port 0): what the hook
 * answers is what the connection may do; refusals are counted, a hook that is down or slow is
 * `UNAVAILABLE` and leaves the connection waiting for another try; the params are never logged.
 */
const PASSWORD = 'sesame-in-the-logs?';
let t: TestServer;
let hook: Server;
const hookRequests: { authData: Record<string, unknown>; connectionData: Record<string, unknown> }[] = [];
const heldResponses: ServerResponse[] = [];
const logLines: string[] = [];
const opened: Socket[] = [];

/** The hook: `{ user, password }` → the user on PASSWORD; `{ mode }` → 503 or no answer at all. */
function answer(_req: IncomingMessage, res: ServerResponse, body: string): void {
  const request = JSON.parse(body) as (typeof hookRequests)[number];
  hookRequests.push(request);
  const { authData } = request;
  if (authData.mode === 'down') {
    res.writeHead(503).end('maintenance');
    return;
  }
  if (authData.mode === 'slow') {
    heldResponses.push(res);
    return;
  }
  const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  if (authData.user === 'lena' && authData.password === PASSWORD) {
    json(200, { userId: 'lena', realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } }, clientData: { plan: 'pro' } });
    return;
  }
  if (authData.user === 'broken') {
    json(200, { userId: '', realm: 'demo' });
    return;
  }
  json(401, { clientData: { hint: 'wrong password' } });
}

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => answer(req, res, body));
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString());
      callback();
    },
  });
  t = await startTestServer({
    logger: pino({ level: 'trace' }, destination),
    limits: { maxLoginAttempts: 3 },
    authHook: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/auth`, timeoutMs: 300 },
  });
});
afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
});
afterAll(async () => {
  for (const res of heldResponses.splice(0)) res.end();
  await t.close();
  await new Promise((resolve) => hook.close(resolve));
});

function tokenless(url = t.url): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { 'user-agent': 'hook-test', 'x-secret': 'no' },
    });
    opened.push(socket);
    socket.once('session:opened', (_session: SessionOpened) => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function send(socket: Socket, event: string, request: unknown): Promise<AckResult<unknown>> {
  return socket.timeout(5000).emitWithAck(event, request) as Promise<AckResult<unknown>>;
}

describe('auth:login { params } through the auth hook', () => {
  it('logs in as the hook answers: its clientData comes back, its permissions and no more apply', async () => {
    const socket = await tokenless();
    const login = (await send(socket, 'auth:login', { params: { user: 'lena', password: PASSWORD } })) as AckResult<LoginResult>;
    expect(login).toMatchObject({ ok: true, data: { userId: 'lena', realms: ['demo'], expiresAt: NO_EXPIRY_MS, clientData: { plan: 'pro' } } });
    expect(hookRequests.at(-1)?.connectionData).toEqual({ remoteAddress: expect.any(String), headers: { 'user-agent': 'hook-test' } });
    const events: RealtimeEvent[] = [];
    socket.on('event', (event: RealtimeEvent) => events.push(event));
    expect(await send(socket, 'subscribe', { subscriptionId: 'sub_1', topic: 'chat.message' })).toMatchObject({ ok: true });
    expect(await send(socket, 'topic:publish', { topic: 'chat.message', payload: { text: 'hi' } })).toMatchObject({ ok: true });
    await expect.poll(() => events.map((event) => event.payload)).toEqual([{ text: 'hi' }]);
    expect(await send(socket, 'topic:publish', { topic: 'orders.x', payload: {} })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('RealtimeClient.login({ params }) answers clientData, and logs in with the params again after a reconnect', async () => {
    const client = t.client({ heartbeatInterval: 0 });
    try {
      const result = await client.login({ params: { user: 'lena', password: PASSWORD } });
      expect(result).toMatchObject({ userId: 'lena', realms: ['demo'], clientData: { plan: 'pro' } });
      expect(client.realmId).toBe('demo');
      client.subscribe({ topic: 'chat.again' });
      await client.ready();
      const asked = hookRequests.length;
      const states = collect(client, 'connection');
      for (const socket of t.server.io.of('/').sockets.values()) if (socket.data.principal?.userId === 'lena') socket.conn.close();
      await expect.poll(() => states.values.map((change) => change.state)).toEqual(['reconnecting', 'awaiting-login', 'connected']);
      expect(hookRequests.length).toBe(asked + 1);
      const events: RealtimeEvent[] = [];
      client.on('event:chat.again', (event) => events.push(event));
      await client.publish('chat.again', { n: 1 });
      await expect.poll(() => events.length).toBe(1);
    } finally {
      client.destroy();
    }
  });

  it('counts refusals: AUTH_FAILED with the hook’s clientData, then TOO_MANY_AUTH_ATTEMPTS and the connection closes', async () => {
    const socket = await tokenless();
    const wrong = { params: { user: 'lena', password: 'guess' } };
    for (let attempt = 1; attempt < 3; attempt += 1) {
      expect(await send(socket, 'auth:login', wrong)).toMatchObject({
        ok: false,
        error: { code: 'AUTH_FAILED', details: { clientData: { hint: 'wrong password' } } },
      });
    }
    // An answer that is no valid principal is a refusal too.
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    expect(await send(socket, 'auth:login', { params: { user: 'broken' } })).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_AUTH_ATTEMPTS', details: { attempts: 3, limit: 3 } },
    });
    await closed;
  });

  it('answers UNAVAILABLE when the hook fails or is slow, without counting it; the connection can log in after', async () => {
    const socket = await tokenless();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await send(socket, 'auth:login', { params: { mode: 'down' } })).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    }
    expect(await send(socket, 'auth:login', { params: { mode: 'slow' } })).toMatchObject({
      ok: false,
      error: { code: 'UNAVAILABLE', message: expect.stringMatching(/did not answer within 300 ms/) },
    });
    expect(await send(socket, 'auth:login', { params: { user: 'lena', password: PASSWORD } })).toMatchObject({ ok: true, data: { userId: 'lena' } });
  });

  it('refuses params with AUTH_FAILED on a server without a hook', async () => {
    const bare = await startTestServer();
    try {
      const socket = await tokenless(bare.url);
      expect(await send(socket, 'auth:login', { params: { user: 'lena', password: PASSWORD } })).toMatchObject({
        ok: false,
        error: { code: 'AUTH_FAILED', message: 'This server has no auth hook; log in with { token }' },
      });
    } finally {
      await bare.close();
    }
  });

  it('never writes the params to the log', () => {
    expect(hookRequests.filter((request) => request.authData.password === PASSWORD).length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((line) => line.includes(PASSWORD))).toEqual([]);
  });
});
