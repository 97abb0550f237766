import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The seed (`003_*.txt`) runs as written against our server, through the dialect. Adapted lines,
// and why:
// - `const deepstream = require('deepstream.io-client-js')` becomes this ESM import (the project
//   is ESM; the package subpath is `realtime-platform/deepstream`);
// - the URL `wss://123.deepstreamhub.com?apiKey=xxx` becomes this test server's `ws://` URL, with
//   the same `?apiKey=xxx` (ignored);
// - the seed's login snippet lost its `client.login({` line and its closing braces in the
//   reference text; they are restored. Its credentials `{ type: 'email', email, password }` run
//   as written, against an auth hook (a real HTTP server here) that accepts exactly those;
// - "getConnectionState() will now return 'AWAITING_AUTHENTICATION'" holds once the socket is
//   open (it is `AWAITING_CONNECTION` until then), so the test waits for it;
// - `console.log` in the error listener is kept, into a collected list.
import deepstream from '../../client/deepstream/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;
let url: string;
let tokenValue: string;
let hook: Server;
const opened: { close(): void }[] = [];

/** The auth hook: the seed's credentials are user `user-id`, with a favourite colour as client data. */
function startHook(): Promise<string> {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { authData } = JSON.parse(body) as { authData: Record<string, unknown> };
      const seed = authData.type === 'email' && authData.email === 'user@example.com' && authData.password === 'sesame';
      const answer = seed
        ? { userId: 'user-id', realm: 'demo', per: { demo: { 'doc/records/*': 'CRUD', 'topic/ds.*': 'CR' } }, clientData: { favouriteColour: 'blue' } }
        : { message: 'unknown email or wrong password' };
      res.writeHead(seed ? 200 : 403, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => hook.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/`)));
}

beforeAll(async () => {
  server = await startTestServer({ authHook: { url: await startHook() } });
  url = `${server.url.replace(/^http/, 'ws')}?apiKey=xxx`;
  tokenValue = await token();
});

afterAll(async () => {
  for (const client of opened) client.close();
  await server.close();
  await new Promise((resolve) => hook.close(resolve));
});

function token(): Promise<string> {
  return server.token({ sub: 'user-id', realm: 'demo', per: { demo: { 'doc/records/*': 'CRUD', 'topic/ds.*': 'CR' } } });
}

describe('the deepstream seed (003) against the platform', () => {
  it('creates the client, logs in with the callback form and reports the states the seed names', async () => {
    const client = deepstream(url);
    opened.push(client);
    const states: string[] = [];
    client.on('connectionStateChanged', (state: never) => states.push(state));
    expect(client.getConnectionState()).toBe('AWAITING_CONNECTION');
    // client.getConnectionState() will now return 'AWAITING_AUTHENTICATION'
    await expect.poll(() => client.getConnectionState()).toBe('AWAITING_AUTHENTICATION');
    // Quarantined on a real open socket: nothing but the login is served.
    expect(client.realtime.state).toBe('awaiting-login');

    const accepted = await new Promise<[boolean, unknown]>((resolve) => {
      client.login(
        {
          type: 'email',
          email: 'user@example.com',
          password: 'sesame',
        },
        (success, data) => {
          if (success) {
            // data will be an object with {id: 'user-id'} plus
            // additional data specified in clientData
            // start application
            // client.getConnectionState() will now return 'OPEN'
            resolve([success, data]);
          } else {
            // extra data can be returned from the permissionHandler as client data
            // both successful and unsuccesful logins
            resolve([success, data]);
          }
        },
      );
      // client.getConnectionState() will now return 'AUTHENTICATING'
      expect(client.getConnectionState()).toBe('AUTHENTICATING');
    });
    expect(accepted).toEqual([true, { id: 'user-id', favouriteColour: 'blue' }]);
    expect(client.getConnectionState()).toBe('OPEN');
    expect(states).toEqual(['AWAITING_AUTHENTICATION', 'AUTHENTICATING', 'OPEN']);
    // The hook's permissions apply: records under its `per`.
    const record = client.record.getRecord('seed/login');
    await record.whenReady();
    record.set({ by: 'user-id' });
    await expect.poll(() => client.record.snapshot('seed/login')).toEqual({ by: 'user-id' });
  });

  it('answers success === false with the hook’s reason for wrong credentials, then logs in', async () => {
    const client = deepstream(url);
    opened.push(client);
    const refused = await new Promise<[boolean, unknown]>((resolve) => {
      client.login({ type: 'email', email: 'user@example.com', password: 'guess' }, (success, data) => resolve([success, data]));
    });
    expect(refused).toEqual([false, { reason: expect.stringMatching(/unknown email or wrong password/) }]);
    expect(client.getConnectionState()).toBe('AWAITING_AUTHENTICATION');
    await expect(client.login({ type: 'email', email: 'user@example.com', password: 'sesame' })).resolves.toEqual({ id: 'user-id', favouriteColour: 'blue' });
  });

  it('closes after maxLoginAttempts refused logins (CLOSED; the error event names TOO_MANY_AUTH_ATTEMPTS)', async () => {
    const client = deepstream(url);
    opened.push(client);
    const events: string[] = [];
    client.on('error', (_message: never, event: never) => events.push(event));
    const wrong = { type: 'email', email: 'user@example.com', password: 'guess' };
    for (let attempt = 1; attempt <= 5; attempt += 1) await expect(client.login(wrong)).rejects.toEqual({ reason: expect.any(String) });
    await expect.poll(() => client.getConnectionState()).toBe('CLOSED');
    expect(events).toContain('TOO_MANY_AUTH_ATTEMPTS');
  });

  it('logs in with the Promise form, and a bad token answers success === false', async () => {
    const client = deepstream(url);
    opened.push(client);
    await expect(client.login({ token: 'not-a-jwt' })).rejects.toEqual({ reason: expect.any(String) });
    expect(client.getConnectionState()).toBe('AWAITING_AUTHENTICATION');
    await expect(client.login({ token: tokenValue })).resolves.toEqual({ id: 'user-id' });
  });

  it('closes: connectionStateChanged is called with CLOSED', async () => {
    const client = deepstream(url);
    await client.login({ token: tokenValue });
    const closed = new Promise<string>((resolve) => {
      client.on('connectionStateChanged', (connectionState) => {
        // will be called with 'CLOSED' once the connection is successfully closed.
        resolve(connectionState);
      });
    });
    client.close();
    expect(await closed).toBe('CLOSED');
    expect(client.getConnectionState()).toBe('CLOSED');
  });

  it('returns unique ids: a base-36 timestamp, -, a random string', () => {
    const client = deepstream(url);
    opened.push(client);
    const uid = client.getUid(); // 'i9i6db5q-1xak1s2sfzk'
    expect(uid).toMatch(/^[0-9a-z]{8,}-[0-9a-z]+$/);
    expect(Number.parseInt(uid.split('-')[0]!, 36)).toBeGreaterThan(Date.UTC(2020, 0));
    expect(client.getUid()).not.toBe(uid);
  });

  it('aggregates errors on the client: (error, event, topic)', async () => {
    const client = deepstream(url);
    opened.push(client);
    await client.login({ token: await server.token({ sub: 'reader', realm: 'demo', per: { demo: { 'doc/records/*': 'R' } } }) });
    const logged: unknown[][] = [];
    const console = { log: (...args: unknown[]) => logged.push(args) };
    const seen = new Promise<void>((resolve) => {
      client.on('error', (error, event, topic) => {
        console.log(error, event, topic);
        resolve();
      });
    });
    const record = await client.record.getRecord('user/lisa').whenReady();
    record.set({ firstname: 'Lisa' });
    await seen;
    expect(logged[0]).toEqual([expect.stringContaining('Not permitted'), 'MESSAGE_DENIED', 'R']);
  });

  it('grants access to CONSTANTS and MERGE_STRATEGIES, and record.setMergeStategy(LOCAL_WINS) applies', async () => {
    expect(deepstream.CONSTANTS.CONNECTION_STATE).toMatchObject({
      CLOSED: 'CLOSED',
      AWAITING_CONNECTION: 'AWAITING_CONNECTION',
      AWAITING_AUTHENTICATION: 'AWAITING_AUTHENTICATION',
      AUTHENTICATING: 'AUTHENTICATING',
      OPEN: 'OPEN',
      ERROR: 'ERROR',
      RECONNECTING: 'RECONNECTING',
    });
    for (const name of [
      'CONNECTION_ERROR',
      'MESSAGE_PARSE_ERROR',
      'ACK_TIMEOUT',
      'VERSION_EXISTS',
      'NO_RPC_PROVIDER',
      'CLIENT_OFFLINE',
      'TOO_MANY_AUTH_ATTEMPTS',
    ] as const) {
      expect(deepstream.CONSTANTS.EVENT[name]).toBe(name);
    }
    const writer = deepstream(url);
    const other = deepstream(url);
    opened.push(writer, other);
    await Promise.all([writer.login({ token: tokenValue }), other.login({ token: tokenValue })]);
    const record = await writer.record.getRecord('seed/merge').whenReady();
    record.setMergeStategy(deepstream.MERGE_STRATEGIES.LOCAL_WINS);
    await other.record.setData('seed/merge', { by: 'other' });
    // The writer's next set meets the newer version (unless its change event came first) and wins.
    const done = new Promise<string | null>((resolve) => record.set({ by: 'writer' }, resolve));
    expect(await done).toBeNull();
    expect(await other.record.snapshot('seed/merge')).toEqual({ by: 'writer' });
  });
});
