import { randomBytes } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import express from 'express';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { RealtimeClient } from '../../client/index.js';
import { createRealtimeServer, signToken, type RealtimeServer } from '../../server/index.js';
import type { RealtimeEvent } from '../../shared/index.js';
import { nextEvent } from '../support/wait.js';

/**
 * A host application embeds the platform: its own Express app and http.Server (which it listens
 * on), our REST routes mounted under `/rt`, Socket.IO on the host's server, and a WebSocket
 * endpoint of the host's own on `/host-ws`. The host's routes, 404s and upgrades stay the host's;
 * closing the platform leaves the host's server listening.
 */
const secret = randomBytes(32).toString('base64url');
let host: HttpServer;
let hostUrl: string;
let realtime: RealtimeServer;
let hostSockets: WebSocketServer;
let serviceToken: string;
const clients: RealtimeClient[] = [];
/** Every TCP connection the host accepted (closeAllConnections() does not see upgraded ones). */
const hostConnections = new Set<Socket>();

beforeAll(async () => {
  const hostApp = express();
  hostApp.get('/host-only/hello', (_req, res) => {
    res.json({ from: 'host' });
  });
  // Created with the host's handler before the platform attaches (see the `httpServer` option).
  host = createServer(hostApp);
  host.on('connection', (socket) => {
    hostConnections.add(socket);
    socket.once('close', () => hostConnections.delete(socket));
  });
  realtime = createRealtimeServer({
    httpServer: host,
    auth: { secret },
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  hostApp.use('/rt', realtime.app);
  hostApp.use((_req, res) => {
    res.status(404).type('text/plain').send('host 404');
  });
  hostSockets = new WebSocketServer({ noServer: true });
  hostSockets.on('connection', (socket) => socket.send('hello from host'));
  host.on('upgrade', (req, socket, head) => {
    if (req.url !== '/host-ws') return;
    hostSockets.handleUpgrade(req, socket, head, (ws) => hostSockets.emit('connection', ws, req));
  });
  await realtime.start();
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  serviceToken = await signToken({ sub: 'backend', secret, claims: { realm: 'demo', permissions: ['service'] } });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await realtime.close();
  // ws 8 leaves open connections open on close(), and closeAllConnections() does not see upgraded
  // sockets: without this, host.close() waited for the /host-ws sockets until the hook timed out.
  for (const socket of hostSockets.clients) socket.terminate();
  hostSockets.close();
  host.closeAllConnections();
  // After realtime.close() a client of the detach test retries (every 50-200 ms) against the host,
  // whose upgrade listener leaves non-/host-ws upgrades alone: one in flight when that client was
  // destroyed stays open, and host.close() would wait for it forever.
  for (const socket of hostConnections) socket.destroy();
  await new Promise<void>((resolve) => host.close(() => resolve()));
});

function client(token: string): RealtimeClient {
  const created = new RealtimeClient({ url: hostUrl, token, reconnectionDelay: 50, reconnectionDelayMax: 200 });
  clients.push(created);
  return created;
}

describe('embedded in a host app', () => {
  it("leaves the host's routes to the host", async () => {
    const response = await fetch(`${hostUrl}/host-only/hello`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ from: 'host' });
  });

  it('answers /health and /ready under the prefix', async () => {
    const health = await fetch(`${hostUrl}/rt/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hostUrl}/rt/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('serves the REST API under the prefix with a token, and a client on the default Socket.IO path gets its events', async () => {
    const subscriber = client(await signToken({ sub: 'bob', secret, claims: { realm: 'demo' } }));
    subscriber.subscribe({ topic: 'order.updated' });
    await subscriber.ready();
    const received = nextEvent(subscriber, 'event');
    const response = await fetch(`${hostUrl}/rt/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'order.updated', payload: { orderId: 7 } }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as RealtimeEvent;
    expect(created).toMatchObject({ topic: 'order.updated', payload: { orderId: 7 } });
    expect(await received).toEqual(created);
  });

  it('answers unknown /rt/api/* and /rt/auth/* paths with its typed 404', async () => {
    const api = await fetch(`${hostUrl}/rt/api/x`, { headers: { authorization: `Bearer ${serviceToken}` } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ code: 'NOT_FOUND' });
    const auth = await fetch(`${hostUrl}/rt/auth/x`);
    expect(auth.status).toBe(404);
    expect(await auth.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it("leaves unknown paths outside its own to the host's 404", async () => {
    for (const path of ['/host-only', '/host-only/missing', '/rt/other']) {
      const response = await fetch(`${hostUrl}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe('host 404');
    }
  });

  it("leaves WebSocket upgrades on the host's paths to the host", async () => {
    const socket = new WebSocket(`${hostUrl.replace('http', 'ws')}/host-ws`);
    const greeting = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data.toString()));
      socket.once('error', reject);
    });
    expect(greeting).toBe('hello from host');
    socket.close();
  });

  it("serves the plain WebSocket protocol on /ws of the host's server", async () => {
    const socket = new WebSocket(`${hostUrl.replace('http', 'ws')}/ws?token=${serviceToken}`);
    const opened = await new Promise<{ type: string; data: { user: { userId: string } } }>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as never));
      socket.once('error', reject);
    });
    expect(opened).toMatchObject({ type: 'session:opened', data: { user: { userId: 'backend' } } });
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.close();
    await closed;
  });

  it('refuses listen(): the host listens', async () => {
    await expect(realtime.listen()).rejects.toThrow(/start\(\)/);
  });
});

describe('closing an embedded server', () => {
  it("detaches from the host's server without closing it", async () => {
    const connected = client(serviceToken);
    await connected.ready();
    await realtime.close();
    expect(host.listening).toBe(true);
    // Only the host's own upgrade listener is left (Socket.IO's and /ws's are gone).
    expect(host.listeners('upgrade')).toHaveLength(1);
    // The host's routes and its upgrade handler still work, and requests Socket.IO answered are the host's now.
    const response = await fetch(`${hostUrl}/host-only/hello`);
    expect(await response.json()).toEqual({ from: 'host' });
    const socketIo = await fetch(`${hostUrl}/socket.io/?EIO=4&transport=polling`);
    expect(await socketIo.text()).toBe('host 404');
    const socket = new WebSocket(`${hostUrl.replace('http', 'ws')}/host-ws`);
    const greeting = await new Promise<string>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data.toString()));
      socket.once('error', reject);
    });
    expect(greeting).toBe('hello from host');
    socket.close();
  });
});

describe('embedded with its own Socket.IO path, closed with a drain', () => {
  it('serves clients that pass the same `path`, and drains without closing the host server', async () => {
    const hostApp = express();
    hostApp.get('/ping', (_req, res) => {
      res.send('pong');
    });
    const other = createServer(hostApp);
    const embedded = createRealtimeServer({
      httpServer: other,
      socketPath: '/rt/socket.io',
      auth: { secret },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
    hostApp.use('/rt', embedded.app);
    await embedded.start();
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const url = embedded.address().url;
    const pathClient = new RealtimeClient({ url, token: serviceToken, path: '/rt/socket.io', reconnection: false });
    clients.push(pathClient);
    await pathClient.ready();
    // The default path is not Socket.IO's here: the host answers it.
    expect((await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).status).toBe(404);

    await embedded.close({ drainTimeoutMs: 2_000 });
    expect(other.listening).toBe(true);
    expect(await (await fetch(`${url}/ping`)).text()).toBe('pong');
    other.closeAllConnections();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  });
});
