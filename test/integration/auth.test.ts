import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, RealtimeClient, getTokenExpiresIn } from '../../client/index.js';
import { signToken } from '../../server/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent, stateReached } from '../support/wait.js';

const KEY_OLD = randomBytes(32).toString('base64url');
const KEY_NEW = randomBytes(32).toString('base64url');

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ auth: { secrets: { old: KEY_OLD, new: KEY_NEW } } });
});
afterAll(() => t.close());

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Connects with `token` and resolves with the error that ends the attempt. */
async function refusal(token: string): Promise<AuthError> {
  const client = t.client({ token });
  const error = await nextEvent(client, 'error');
  expect(client.state).toBe('disconnected');
  return error as AuthError;
}

describe('token verification', () => {
  it('accepts tokens signed with any configured kid (rotation)', async () => {
    for (const [kid, secret] of [
      ['old', KEY_OLD],
      ['new', KEY_NEW],
    ] as const) {
      const client = t.client({ token: await t.token({ realm: 'demo' }, { secret, kid }) });
      await client.ready();
      expect(client.connected).toBe(true);
    }
  });

  it('rejects a token with an unknown kid', async () => {
    const error = await refusal(await t.token({ realm: 'demo' }, { secret: KEY_NEW, kid: 'retired' }));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe('AUTH_FAILED');
  });

  it('rejects a token signed with the wrong secret', async () => {
    const error = await refusal(await t.token({ realm: 'demo' }, { secret: randomBytes(32).toString('base64url'), kid: 'new' }));
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toMatch(/signature/i);
  });

  it('rejects an unsigned token (alg: none)', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT', kid: 'new' })}.${base64url({ sub: 'mallory', realm: 'demo', permissions: ['admin'], exp })}.`;
    const error = await refusal(unsigned);
    expect(error.code).toBe('AUTH_FAILED');
  });

  it('rejects an expired token with TOKEN_EXPIRED and does not retry', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo', expiresIn: -10 }, { secret: KEY_NEW, kid: 'new' }) });
    const changes = collect(client, 'connection');
    const error = await nextEvent(client, 'error');
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe('TOKEN_EXPIRED');
    await expect(client.ready()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect(changes.values.map((change) => change.state)).toEqual(['disconnected']);
    expect(changes.values.some((change) => change.state === 'reconnecting')).toBe(false);
  });

  it('rejects garbage and missing tokens on the handshake and on REST', async () => {
    expect((await refusal('not-a-jwt')).code).toBe('AUTH_FAILED');
    const missing = await fetch(`${t.url}/api/events`, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: 'AuthError', code: 'AUTH_FAILED' });
    const expired = await fetch(`${t.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await t.token({ expiresIn: -10 }, { secret: KEY_OLD, kid: 'old' })}` },
    });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('answers /auth/verify with the realms a token grants and the realms its roles apply in', async () => {
    const token = await t.token(
      { sub: 'lisa', realm: 'london', permissions: ['admin'], per: { paris: { 'doc/notes/x': 'R' } } },
      { secret: KEY_NEW, kid: 'new' },
    );
    const response = await fetch(`${t.url}/auth/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { realms: string[]; roles: string[]; roleRealms: string[] };
    expect([...body.realms].sort()).toEqual(['london', 'paris']);
    expect(body.roles).toEqual(['admin']);
    expect(body.roleRealms).toEqual(['london']);
  });

  it('pins iss and aud when configured', async () => {
    const strict = await startTestServer({ auth: { secret: KEY_OLD, issuer: 'https://idp.example', audience: 'realtime' } });
    try {
      const good = await signToken({ sub: 'a', secret: KEY_OLD, issuer: 'https://idp.example', audience: 'realtime' });
      const wrongIssuer = await signToken({ sub: 'a', secret: KEY_OLD, issuer: 'https://evil.example', audience: 'realtime' });
      const verify = (token: string) =>
        fetch(`${strict.url}/auth/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
      expect((await verify(good)).status).toBe(200);
      const refused = await verify(wrongIssuer);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ code: 'AUTH_FAILED' });
    } finally {
      await strict.close();
    }
  });
});

describe('token expiry on a live connection', () => {
  it('tells the client TOKEN_EXPIRED and disconnects it when the token expires', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo', expiresIn: 2 }, { secret: KEY_NEW, kid: 'new' }) });
    await client.ready();
    const changes = collect(client, 'connection');
    const error = await nextEvent(client, 'error');
    expect(error).toBeInstanceOf(AuthError);
    expect(error.code).toBe('TOKEN_EXPIRED');
    await stateReached(client, 'disconnected');
    expect(changes.values.at(-1)).toMatchObject({ state: 'disconnected', reason: 'TOKEN_EXPIRED' });
    expect(changes.values.some((change) => change.state === 'reconnecting')).toBe(false);
  });

  it('keeps the connection and its subscriptions when setToken() supplies a fresh token first', async () => {
    const shortLived = await t.token({ realm: 'demo', expiresIn: 2 }, { secret: KEY_NEW, kid: 'new' });
    const client = t.client({ token: shortLived });
    client.subscribe({ topic: 'alarm.raised' });
    await client.ready();
    const changes = collect(client, 'connection');
    const errors = collect(client, 'error');

    await client.setToken(await t.token({ realm: 'demo', expiresIn: '1h' }, { secret: KEY_OLD, kid: 'old' }));
    // Let the first token's expiry pass (the server would have cut the connection then), and
    // prove the connection still delivers.
    await new Promise((resolve) => setTimeout(resolve, getTokenExpiresIn(shortLived) + 500));
    const received = nextEvent(client, 'event:alarm.raised');
    t.server.publish({ realm: 'demo', topic: 'alarm.raised', source: 'api', type: 'alarm', payload: { level: 3 } });
    expect((await received).payload).toEqual({ level: 3 });
    expect(changes.values).toEqual([]);
    expect(errors.values).toEqual([]);
  });

  it('refuses a refreshed token for another user and keeps the current session', async () => {
    const client = t.client({ token: await t.token({ sub: 'alice', realm: 'demo' }, { secret: KEY_NEW, kid: 'new' }) });
    await client.ready();
    await expect(client.setToken(await t.token({ sub: 'mallory', realm: 'demo' }, { secret: KEY_NEW, kid: 'new' }))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
    expect(client.connected).toBe(true);
  });

  it('reconnects by itself when given a new token after an auth failure', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo', expiresIn: -10 }, { secret: KEY_NEW, kid: 'new' }) });
    client.subscribe({ topic: 'login.retry' });
    await expect(client.ready()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    await client.setToken(await t.token({ realm: 'demo' }, { secret: KEY_NEW, kid: 'new' }));
    await client.ready();
    const received = nextEvent(client, 'event:login.retry');
    t.server.publish({ realm: 'demo', topic: 'login.retry', source: 'api', type: 'x', payload: { ok: true } });
    expect((await received).payload).toEqual({ ok: true });
  });
});

describe('client construction', () => {
  it('validates options with typed errors', () => {
    expect(() => new RealtimeClient({ url: 'not a url', token: 'x' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new RealtimeClient({ url: t.url, token: '' })).toThrow(/token/);
    expect(() => new RealtimeClient({ url: t.url, token: 'x', reconnectionDelay: -1, autoConnect: false })).toThrow(/reconnectionDelay/);
  });
});
