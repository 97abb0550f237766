import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDocumentStore, MongoDocumentStore } from '../../server/index.js';
import { startMongo, type MongoTestServer } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

/**
 * The token API and managed signing keys as an operator and a backend use them: issue tokens
 * with `POST /auth/token`, create and rotate keys, publish their public halves as JWKS.
 */

interface KeyView {
  kid: string;
  alg: string;
  active: boolean;
  primary: boolean;
  secret?: string;
}

function caller(base: string, token: string) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
}

describe('POST /auth/token', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it("issues a token that the server accepts, bounded by the caller's rights", async () => {
    const backend = caller(t.url, await t.token({ sub: 'backend', realm: 'shop', permissions: ['service'] }));
    const issued = await backend<{ token: string; expiresAt: number }>('POST', '/auth/token', {
      sub: 'alice',
      realm: 'shop',
      permissions: ['client'],
      expiresIn: 600,
    });
    expect(issued.status).toBe(201);
    expect(issued.body.expiresAt).toBeGreaterThan(Date.now() + 590_000);
    const client = t.client({ token: issued.body.token });
    await client.ready();
    expect(
      (await fetch(`${t.url}/auth/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: issued.body.token }),
      }).then((r) => r.json())) as object,
    ).toMatchObject({
      userId: 'alice',
      realms: ['shop'],
      roles: ['client'],
    });
    // A service cannot mint an admin, a token for another realm, per grants, or every realm.
    expect((await backend('POST', '/auth/token', { sub: 'mallory', realm: 'shop', permissions: ['admin'] })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await backend('POST', '/auth/token', { sub: 'mallory', realm: 'bank', permissions: ['client'] })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await backend('POST', '/auth/token', { sub: 'mallory', realm: 'shop', per: { shop: 'R' } })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await backend('POST', '/auth/token', { sub: 'mallory', realms: ['*'] })).body).toMatchObject({ code: 'FORBIDDEN' });
    // An admin of one realm cannot hand out grants or data providers in another through per or dpv.
    const shopAdmin = caller(t.url, await t.token({ sub: 'shop-admin', realm: 'shop', permissions: ['admin'] }));
    expect((await shopAdmin('POST', '/auth/token', { sub: 'mallory', realm: 'shop', per: { bank: { 'doc/*': 'CRUD' } } })).body).toMatchObject({
      code: 'FORBIDDEN',
      details: { realm: 'bank' },
    });
    expect((await shopAdmin('POST', '/auth/token', { sub: 'mallory', realm: 'shop', dpv: { bank: ['vault'] } })).body).toMatchObject({
      code: 'FORBIDDEN',
      details: { realm: 'bank' },
    });
    expect((await shopAdmin('POST', '/auth/token', { sub: 'mallory', realm: 'shop', per: { '*': 'R' } })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await shopAdmin('POST', '/auth/token', { sub: 'carol', realm: 'shop', per: { shop: { 'doc/notes/*': 'R' } } })).status).toBe(201);
    // A client cannot issue at all.
    const user = caller(t.url, issued.body.token);
    expect((await user('POST', '/auth/token', { sub: 'bob', realm: 'shop' })).body).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses bad requests with INVALID_ARGUMENT and callers without a token with AUTH_FAILED', async () => {
    const admin = caller(t.url, await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }));
    expect((await admin('POST', '/auth/token', { sub: 'a' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await admin('POST', '/auth/token', { sub: 'a', realm: 'shop', expiresIn: 90_000 })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await admin('POST', '/auth/token', { sub: 'a', realm: 'shop', colour: 'red' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    const anonymous = await fetch(`${t.url}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sub":"a","realm":"shop"}',
    });
    expect(anonymous.status).toBe(401);
    expect((await admin('POST', '/auth/token', { sub: 'root', realm: 'shop', permissions: ['admin'] })).status).toBe(201);
    // The lifetime as the dev-token route takes it too: seconds or "<n>s|m|h|d".
    const short = await admin<{ expiresAt: number }>('POST', '/auth/token', { sub: 'a', realm: 'shop', expiresIn: '10m' });
    expect(short.body.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000 + 1000);
    expect((await admin('POST', '/auth/token', { sub: 'a', realm: 'shop', expiresIn: '2 weeks' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('managed signing keys', () => {
  let t: TestServer;
  let ops: ReturnType<typeof caller>;
  beforeAll(async () => {
    t = await startTestServer();
    ops = caller(t.url, await t.token({ sub: 'ops', realms: ['*'], permissions: ['admin'] }));
  });
  afterAll(() => t.close());

  it('are for platform admins only', async () => {
    const realmAdmin = caller(t.url, await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }));
    expect((await realmAdmin('GET', '/api/keys')).status).toBe(403);
    expect((await ops('GET', '/api/keys')).body).toEqual({ items: [] });
    expect((await ops('POST', '/api/keys', { alg: 'RS1' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('sign issued tokens with the primary key, publish it as JWKS, and rotate without logging anybody out', async () => {
    const first = await ops<KeyView>('POST', '/api/keys', { alg: 'ES256' });
    expect(first).toMatchObject({ status: 201, body: { alg: 'ES256', active: true, primary: true } });
    expect(first.body).not.toHaveProperty('secret');
    const issue = async () => (await ops<{ token: string; kid: string }>('POST', '/auth/token', { sub: 'alice', realm: 'shop', permissions: ['client'] })).body;
    const before = await issue();
    expect(before.kid).toBe(first.body.kid);
    expect(decodeProtectedHeader(before.token)).toMatchObject({ alg: 'ES256', kid: first.body.kid });

    // Another service verifies it with the JWKS alone.
    const jwks = (await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; kty: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kid: first.body.kid, kty: 'EC', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    await expect(jwtVerify(before.token, createLocalJWKSet(jwks as never))).resolves.toMatchObject({ payload: { sub: 'alice' } });

    const rotated = await ops<KeyView>('POST', '/api/keys/rotate', { alg: 'EdDSA' });
    expect(rotated.body).toMatchObject({ alg: 'EdDSA', primary: true });
    const after = await issue();
    expect(decodeProtectedHeader(after.token)).toMatchObject({ alg: 'EdDSA', kid: rotated.body.kid });
    // Both verify: the old key stays active until deactivated.
    await t.client({ token: before.token }).ready();
    await t.client({ token: after.token }).ready();
    const listed = await ops<{ items: KeyView[] }>('GET', '/api/keys');
    expect(listed.body.items.map(({ kid, active, primary }) => ({ kid, active, primary }))).toEqual([
      { kid: first.body.kid, active: true, primary: false },
      { kid: rotated.body.kid, active: true, primary: true },
    ]);

    expect((await ops('POST', `/api/keys/${first.body.kid}/deactivate`)).body).toMatchObject({ active: false });
    await expect(t.client({ token: before.token, reconnection: false }).ready()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(((await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys).toHaveLength(1);
    // The only active key cannot be deactivated: nothing could sign.
    expect((await ops('POST', `/api/keys/${rotated.body.kid}/deactivate`)).body).toMatchObject({ code: 'CONFLICT' });
    expect((await ops('POST', '/api/keys/key_missing/activate')).status).toBe(404);
  });

  it('shows an HS256 key its secret once, and a token signed with it elsewhere is accepted', async () => {
    const created = await ops<KeyView>('POST', '/api/keys', { alg: 'HS256', kid: 'backend-2026' });
    expect(created.body).toMatchObject({ kid: 'backend-2026', alg: 'HS256', primary: false });
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ realm: 'shop', permissions: ['client'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'backend-2026' })
      .setSubject('carol')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(created.body.secret));
    await t.client({ token }).ready();
    expect(JSON.stringify((await ops('GET', '/api/keys')).body)).not.toContain(created.body.secret as string);
    expect((await ops('POST', '/api/keys', { kid: 'backend-2026' })).status).toBe(409);

    // As the primary key it signs the tokens the server issues, which verify with its secret.
    const rotated = await ops<KeyView>('POST', '/api/keys/rotate', { alg: 'HS256' });
    expect(rotated.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const issued = (await ops<{ token: string; kid: string }>('POST', '/auth/token', { sub: 'dave', realm: 'shop', permissions: ['client'] })).body;
    expect(issued.kid).toBe(rotated.body.kid);
    const secret = new TextEncoder().encode(rotated.body.secret);
    await expect(jwtVerify(issued.token, secret, { algorithms: ['HS256'] })).resolves.toMatchObject({ payload: { sub: 'dave' } });
    await t.client({ token: issued.token }).ready();
  });
});

describe('managed keys across two nodes', () => {
  let nodes: TwoNodes;
  beforeAll(async () => {
    nodes = await startTwoNodes({ documents: new MemoryDocumentStore() });
  });
  afterAll(() => nodes.close());

  it('a token signed by a key created on one node is accepted on the other', async () => {
    const ops = caller(nodes.urls[0], await nodes.token('ops', { realms: ['*'], permissions: ['admin'] }));
    expect((await ops('POST', '/api/keys', { alg: 'ES256' })).status).toBe(201);
    const { token } = (await ops<{ token: string }>('POST', '/auth/token', { sub: 'dave', realm: 'demo', permissions: ['client'] })).body;
    const client = await nodes.client(1, token);
    expect(client.state).toBe('connected');
  });
});

describe('managed keys in MongoDB', () => {
  let mongo: MongoTestServer;
  beforeAll(async () => {
    mongo = await startMongo();
  });
  afterAll(() => mongo.stop());

  it('are kept across a restart, encrypted: a token signed before it verifies after it', async () => {
    const secret = 'a-signing-keys-secret-of-at-least-32-characters';
    const start = () => startTestServer({ signingKeysSecret: secret, documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }) });
    const first = await start();
    let token: string;
    let kid: string;
    try {
      const ops = caller(first.url, await first.token({ sub: 'ops', realms: ['*'], permissions: ['admin'] }));
      kid = (await ops<KeyView>('POST', '/api/keys', { alg: 'EdDSA' })).body.kid;
      token = (await ops<{ token: string }>('POST', '/auth/token', { sub: 'erin', realm: 'shop', permissions: ['client'] })).body.token;
    } finally {
      await first.close();
    }
    const { MongoClient } = await import('mongodb');
    const raw = new MongoClient(mongo.url);
    try {
      const stored = JSON.stringify(await raw.db(mongo.dbName).collection('sync_documents').find({ service: '_signing_keys' }).toArray());
      expect(stored).toContain(kid);
      expect(stored).not.toMatch(/"d":"/); // the private key is not there in clear
    } finally {
      await raw.close();
    }
    const second = await start();
    try {
      await second.client({ token }).ready();
      const jwks = (await (await fetch(`${second.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((key) => key.kid)).toEqual([kid]);
    } finally {
      await second.close();
    }
  });
});
