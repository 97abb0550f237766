import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Odd URLs answer a typed 4xx and log nothing at error level: prototype names and bad
 * percent-encoding in route parameters, unknown `/api/*` routes without a token, and WebSocket
 * upgrades on paths other than Socket.IO's.
 */
let t: TestServer;
let token: string;
const lines: { level: number; msg?: string }[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as { level: number });
      callback();
    },
  });
  t = await startTestServer({ logger: pino({ level: 'trace' }, destination) });
  token = await t.token({ sub: 'backend', realm: 'demo', permissions: ['service'] });
});
afterAll(() => t.close());
beforeEach(() => {
  lines.length = 0;
});

/** What was logged at warn level or above. */
const loud = () => lines.filter((line) => line.level >= 40);

describe('odd paths', () => {
  it('answers 404 NOT_FOUND for /sdk/ names of Object.prototype members', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const response = await fetch(`${t.url}/sdk/${name}`);
      expect(response.status, name).toBe(404);
      expect(await response.json(), name).toMatchObject({ code: 'NOT_FOUND' });
    }
    expect(loud()).toEqual([]);
  });

  it('answers 400 INVALID_ARGUMENT for bad percent-encoding in a route parameter', async () => {
    const authorized = { authorization: `Bearer ${token}` };
    const cases: [string, RequestInit][] = [
      ['/sdk/%ZZ', {}],
      ['/sdk/%E0%A4%A', {}],
      ['/api/sync/%ZZ/documents', { headers: authorized }],
      ['/api/sync/notes/documents/%ZZ', { headers: authorized }],
      ['/api/sync/notes/documents/%ZZ', { method: 'PUT', headers: { ...authorized, 'content-type': 'application/json' }, body: '{"data":{}}' }],
      ['/api/presence/objects/riders/%ZZ', { headers: authorized }],
      ['/api/socket/channels/%ZZ/members', { headers: authorized }],
      ['/api/webhooks/%ZZ', { headers: authorized }],
    ];
    for (const [path, init] of cases) {
      const response = await fetch(`${t.url}${path}`, init);
      expect(response.status, path).toBe(400);
      expect(await response.json(), path).toMatchObject({ code: 'INVALID_ARGUMENT', error: 'InvalidArgumentError' });
    }
    expect(loud()).toEqual([]);
  });

  it('answers unknown /api/* routes with 404 NOT_FOUND, with or without a token', async () => {
    const variants: Record<string, string>[] = [{}, { authorization: 'Bearer not-a-token' }, { authorization: `Bearer ${token}` }];
    for (const headers of variants) {
      for (const [method, path] of [
        ['GET', '/api/nope'],
        ['GET', '/api/events'],
        ['POST', '/api/sync'],
        ['DELETE', '/api/webhooks'],
        ['GET', '/api/sync/notes/documents/n1/nope'],
      ] as const) {
        const response = await fetch(`${t.url}${path}`, { method, headers });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
      }
    }
    // Known routes still need the token.
    for (const [method, path] of [
      ['POST', '/api/events'],
      ['GET', '/api/sync/notes/documents'],
      ['GET', '/api/webhooks'],
      ['GET', '/api/socket/channels'],
      ['GET', '/api/presence/objects/riders/7'],
    ] as const) {
      const response = await fetch(`${t.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : null });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect(await response.json()).toMatchObject({ code: 'AUTH_FAILED' });
    }
    expect(loud()).toEqual([]);
  });
});

describe('REST bodies', () => {
  const send = (method: string, path: string, body: unknown) =>
    fetch(`${t.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses a body that names a field the URL path gives (service, id) instead of writing somewhere else', async () => {
    expect((await send('POST', '/api/sync/paths/documents', { id: 'p1', data: { n: 1 } })).status).toBe(201);
    for (const [method, path, body, field] of [
      ['PUT', '/api/sync/paths/documents/p1', { id: 'p2', data: { n: 2 } }, 'id'],
      ['PATCH', '/api/sync/paths/documents/p1/merge', { service: 'other', data: { n: 2 } }, 'service'],
      ['POST', '/api/sync/paths/documents', { service: 'other', data: {} }, 'service'],
    ] as const) {
      const response = await send(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'INVALID_ARGUMENT', details: { issues: [{ path: field }] } });
    }
    const unchanged = await fetch(`${t.url}/api/sync/paths/documents/p1`, { headers: { authorization: `Bearer ${token}` } });
    expect(await unchanged.json()).toMatchObject({ id: 'p1', revision: 1, data: { n: 1 } });
  });

  it('refuses a JSON body that is not an object with 400 INVALID_ARGUMENT', async () => {
    const response = await send('POST', '/api/events', [{ topic: 'a.b', payload: {} }]);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

/** Sends a WebSocket upgrade request for `path` on a raw socket; resolves with what came back. */
function upgrade(path: string): Promise<string> {
  const { port } = t.server.address();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('end', () => resolve(received));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        'Host: 127.0.0.1',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

describe('WebSocket upgrades', () => {
  it('answers an upgrade on a path other than /socket.io/ with 404 and closes', async () => {
    for (const path of ['/nope', '/api/events', '/socket.iox/', '/']) {
      const answer = await upgrade(path);
      expect(answer.split('\r\n')[0], path).toBe('HTTP/1.1 404 Not Found');
      expect(answer.toLowerCase(), path).toContain('connection: close');
    }
    expect(loud()).toEqual([]);
  });

  it('still upgrades /socket.io/', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const { port } = t.server.address();
      const socket = connect({ host: '127.0.0.1', port });
      socket.setEncoding('latin1');
      socket.once('data', (chunk: string) => {
        socket.destroy();
        resolve(chunk);
      });
      socket.on('error', reject);
      socket.write(
        [
          'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1',
          'Host: 127.0.0.1',
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });
});
