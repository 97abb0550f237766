import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, TooManyAuthAttemptsError, type RealtimeEvent } from '../../client/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, stateReached } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ limits: { loginTimeoutMs: 600, maxLoginAttempts: 2 } });
});
afterAll(() => t.close());

const chatToken = (sub: string) => t.token({ sub, realm: 'demo', per: { demo: { 'topic/chat.*': 'CR' } } });

describe('RealtimeClient.login (login after connect)', () => {
  it('connects without a token, waits in awaiting-login with requests queued, then logs in and sends them', async () => {
    // Without a token the client cannot know the token's realm before the login: name it.
    const client = t.client({ heartbeatInterval: 0, realm: 'demo' });
    expect(client.state).toBe('connecting');
    const states = collect(client, 'connection');
    await stateReached(client, 'awaiting-login');
    expect(client.serverVersion).toBe('0.1.0');
    expect(client.serverBuildDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    const events: RealtimeEvent[] = [];
    client.on('event:chat.login', (event) => events.push(event));
    client.subscribe({ topic: 'chat.login' });
    const published = client.publish('chat.login', { text: 'queued before login' });
    const result = await client.login({ token: await chatToken('lou') });
    expect(result).toMatchObject({ userId: 'lou', realms: ['demo'], expiresAt: expect.any(Number), serverVersion: '0.1.0' });
    expect(client.state).toBe('connected');
    expect(client.realmId).toBe('demo');
    await published;
    await expect.poll(() => events.map((event) => event.payload)).toEqual([{ text: 'queued before login' }]);
    expect(states.values.map((change) => change.state)).toEqual(['awaiting-login', 'connected']);
  });

  it('logs in again by itself after a reconnect (the token goes in the handshake) and resubscribes', async () => {
    const client = t.client({ heartbeatInterval: 0 });
    await client.login({ token: await chatToken('rita') });
    client.subscribe({ topic: 'chat.again' });
    await client.ready();
    const states = collect(client, 'connection');
    for (const socket of t.server.io.of('/').sockets.values()) if (socket.data.principal?.userId === 'rita') socket.conn.close();
    await expect.poll(() => states.values.map((change) => change.state)).toEqual(['reconnecting', 'connected']);
    const events: RealtimeEvent[] = [];
    client.on('event:chat.again', (event) => events.push(event));
    await client.publish('chat.again', { n: 1 });
    await expect.poll(() => events.length).toBe(1);
  });

  it('rejects a bad token with AuthError and stays waiting; the next login works', async () => {
    const client = t.client({ heartbeatInterval: 0 });
    await expect(client.login({ token: 'not-a-jwt' })).rejects.toBeInstanceOf(AuthError);
    expect(client.state).toBe('awaiting-login');
    await expect(client.login({ token: await chatToken('second-try') })).resolves.toMatchObject({ userId: 'second-try' });
  });

  it('stops after maxLoginAttempts with TooManyAuthAttemptsError, without reconnecting', async () => {
    const client = t.client({ heartbeatInterval: 0 });
    const states = collect(client, 'connection');
    await expect(client.login({ token: 'bad-1' })).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    await expect(client.login({ token: 'bad-2' })).rejects.toBeInstanceOf(TooManyAuthAttemptsError);
    await stateReached(client, 'disconnected');
    expect(states.values.at(-1)).toMatchObject({ state: 'disconnected', reason: 'TOO_MANY_AUTH_ATTEMPTS' });
    expect(states.values.some((change) => change.state === 'reconnecting')).toBe(false);
  });

  it('ends with AuthError when it never logs in within the server’s loginTimeoutMs', async () => {
    const client = t.client({ heartbeatInterval: 0 });
    const ended = collect(client, 'connection');
    await stateReached(client, 'disconnected');
    expect(ended.values.at(-1)?.error).toMatchObject({ code: 'AUTH_FAILED', message: 'No auth:login within 600 ms' });
    await expect(client.ready()).rejects.toBeInstanceOf(AuthError);
  });

  it('with autoConnect: false, login() opens the connection', async () => {
    const client = t.client({ heartbeatInterval: 0, autoConnect: false });
    await expect(client.login({ token: await chatToken('lazy') })).resolves.toMatchObject({ userId: 'lazy' });
    expect(client.connected).toBe(true);
  });

  it('on a client connected with a token, login() swaps the token (setToken) and answers the session', async () => {
    const client = t.client({ token: await chatToken('tina'), heartbeatInterval: 0 });
    await client.ready();
    expect(client.serverVersion).toBe('0.1.0');
    await expect(client.login({ token: await chatToken('tina') })).resolves.toMatchObject({ userId: 'tina', realms: ['demo'] });
  });
});
