import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { io as ioClient } from 'socket.io-client';
import { LimitExceededError, type RealtimeClient } from '../../client/index.js';
import type { AckResult, ErrorShape } from '../../shared/index.js';
import { signToken } from '../../server/index.js';
import { startPlatformNode } from '../support/platform-node.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { stateReached } from '../support/wait.js';

/** Rate limits off everywhere except what a test turns on (so each test sees one limit). */
const OFF = { perConnection: 0, perUser: 0, perRealm: 0 };
const ONLY = { publishes: OFF, messages: OFF, subscribes: OFF, writes: OFF, presence: OFF, connectionsPerUser: 0 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rateLimitedOf(results: PromiseSettledResult<unknown>[]): LimitExceededError[] {
  return results.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason as LimitExceededError);
}

function expectRateLimited(error: unknown): asserts error is LimitExceededError {
  expect(error).toBeInstanceOf(LimitExceededError);
  const limited = error as LimitExceededError;
  expect(limited.code).toBe('RATE_LIMITED');
  expect(limited.retryAfterMs).toEqual(expect.any(Number));
  expect(limited.retryAfterMs).toBeGreaterThan(0);
}

async function connected(t: TestServer, claims: TestClaims): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token(claims) });
  await client.ready();
  return client;
}

/** A bare socket of `token` (no reconnection); resolves with it, or rejects with the refusal. */
function openSocket(url: string, token: string, sockets: Socket[]): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(url, { transports: ['websocket'], auth: { token }, forceNew: true, reconnection: false });
    sockets.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: ErrorShape }) => {
      socket.close();
      reject(err);
    });
  });
}

describe('per-connection limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      rateLimits: { ...ONLY, publishes: { ...OFF, perConnection: 5 }, messages: { ...OFF, perConnection: 5 }, subscribes: { ...OFF, perConnection: 3 } },
    });
  });
  afterAll(() => t.close());

  it('answers publishes over the limit with RATE_LIMITED and retryAfterMs; the connection stays usable', async () => {
    const flooder = await connected(t, { sub: 'flooder', realm: 'demo', permissions: ['publish', 'subscribe'] });
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, n) => flooder.publish('flood.tick', { n })));
    const refused = rateLimitedOf(results);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error);
    expect(refused[0]?.details).toMatchObject({ action: 'publishes', scope: 'connection', limit: 5 });
    expect(flooder.state).toBe('connected');

    // The contract: after retryAfterMs the next publish passes.
    await sleep(Math.max(...refused.map((error) => error.retryAfterMs ?? 0)));
    await expect(flooder.publish('flood.tick', { n: 'after' })).resolves.toMatchObject({ topic: 'flood.tick' });
  });

  it('counts each connection on its own', async () => {
    const one = await connected(t, { sub: 'twin', realm: 'demo', permissions: ['publish'] });
    const refused = rateLimitedOf(await Promise.allSettled(Array.from({ length: 40 }, () => one.publish('twin.tick', {}))));
    expect(refused.length).toBeGreaterThan(0);
    const other = await connected(t, { sub: 'twin', realm: 'demo', permissions: ['publish'] });
    await expect(other.publish('twin.tick', {})).resolves.toBeDefined();
  });

  it('limits channel messages and direct messages the same way', async () => {
    const talker = await connected(t, { sub: 'talker', realm: 'demo' });
    await talker.socketClient.joinChannel('room:loud');
    const results = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, n) => talker.socketClient.publish('room:loud', 'say', { n })),
      ...Array.from({ length: 20 }, () => talker.socketClient.directMessage({ userId: 'talker' }, 'ping')),
    ]);
    const refused = rateLimitedOf(results);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error);
    expect(refused[0]?.details).toMatchObject({ action: 'messages', scope: 'connection' });
    expect(talker.state).toBe('connected');
  });

  it('limits subscribe requests, and the client re-sends the refused ones after retryAfterMs', async () => {
    const token = await t.token({ sub: 'subscriber', realm: 'demo' });
    const sockets: Socket[] = [];
    try {
      const raw = await openSocket(t.url, token, sockets);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, n) => raw.timeout(5000).emitWithAck('subscribe', { topic: `many.topic${n}` }) as Promise<AckResult<unknown>>),
      );
      const refusals = answers.flatMap((answer) => (answer.ok ? [] : [answer.error]));
      expect(refusals.length).toBeGreaterThan(0);
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'subscribes', retryAfterMs: expect.any(Number) } });
      }
    } finally {
      for (const socket of sockets) socket.close();
    }

    // The SDK treats a refused subscribe as "not yet": ready() resolves once every one is in.
    const client = t.client({ token });
    for (let n = 0; n < 12; n += 1) client.subscribe({ topic: `patient.topic${n}` });
    await client.ready();
    const publisher = await connected(t, { sub: 'subscriptions-publisher', realm: 'demo', permissions: ['service'] });
    const seen = new Promise((resolve) => client.on('event:patient.topic11', resolve));
    await publisher.publish('patient.topic11', { last: true });
    await expect(seen).resolves.toMatchObject({ payload: { last: true } });
  });
});

describe('per-user and per-realm limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      rateLimits: { ...ONLY, publishes: { perConnection: 0, perUser: 3, perRealm: 20 }, messages: { perConnection: 0, perUser: 3, perRealm: 0 } },
    });
  });
  afterAll(() => t.close());

  async function restPublish(token: string, realm: string, n: number) {
    const response = await fetch(`${t.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'rest.tick', payload: { n }, realm }),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
  }

  it('answers REST publishes over the per-user limit with 429, Retry-After and RATE_LIMITED', async () => {
    const token = await t.token({ sub: 'rest-user', realm: 'users', permissions: ['publish'] });
    const answers = await Promise.all(Array.from({ length: 15 }, (_, n) => restPublish(token, 'users', n)));
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.body).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'publishes', scope: 'user', limit: 3, retryAfterMs: expect.any(Number) } });
      const retryAfterMs = (answer.body.details as { retryAfterMs: number }).retryAfterMs;
      expect(answer.retryAfter).toBe(String(Math.ceil(retryAfterMs / 1000)));
    }
    expect(answers.filter((answer) => answer.status !== 201 && answer.status !== 429)).toEqual([]);
  });

  it('answers REST channel and direct messages over the per-user limit with 429 too', async () => {
    const token = await t.token({ sub: 'rest-talker', realm: 'users4' });
    const send = (path: string, body: unknown) =>
      fetch(`${t.url}/api/socket/${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const answers = await Promise.all(Array.from({ length: 10 }, () => send('broadcast', { channel: 'lobby', event: 'hi', realm: 'users4' })));
    expect(answers.map((answer) => answer.status)).toContain(429);
    const refused = answers.find((answer) => answer.status === 429);
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused?.json()).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'messages', scope: 'user' } });
  });

  it('counts a user over sockets and REST together, and never a backend (service) against its user budget', async () => {
    const token = await t.token({ sub: 'mixed-user', realm: 'users2', permissions: ['publish'] });
    const socketUser = await connected(t, { sub: 'mixed-user', realm: 'users2', permissions: ['publish'] });
    const results = await Promise.allSettled([
      ...Array.from({ length: 6 }, (_, n) => socketUser.publish('mixed.tick', { n })),
      ...Array.from({ length: 6 }, (_, n) => restPublish(token, 'users2', n).then((answer) => (answer.status === 201 ? answer : Promise.reject(answer)))),
    ]);
    expect(results.filter((result) => result.status === 'rejected').length).toBeGreaterThan(0);

    const backend = await t.token({ sub: 'backend', realm: 'users3', permissions: ['service'] });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => restPublish(backend, 'users3', n)));
    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 10 }, () => 201));
  });

  it('exempts a backend only in the realms where its role applies, not where it only has per grants', async () => {
    // service of london, and C on one paris topic through `per`: a plain user's budget in paris.
    const token = await t.token({ sub: 'split-backend', realm: 'london', permissions: ['service'], per: { paris: { 'topic/rest.*': 'C' } } });
    // The per-user rate is 3/s with a burst of as many again: 12 requests are over it.
    const london = await Promise.all(Array.from({ length: 12 }, (_, n) => restPublish(token, 'london', n)));
    expect(london.map((answer) => answer.status)).toEqual(Array.from({ length: 12 }, () => 201));
    const paris = await Promise.all(Array.from({ length: 12 }, (_, n) => restPublish(token, 'paris', n)));
    expect(paris.filter((answer) => answer.status === 429).length).toBeGreaterThan(0);
    expect(paris.filter((answer) => answer.status === 429)[0]?.body).toMatchObject({ code: 'RATE_LIMITED', details: { scope: 'user' } });
  });

  it('isolates realms: one realm over its limit leaves another untouched', async () => {
    const flooders = await Promise.all(
      Array.from({ length: 4 }, (_, n) => connected(t, { sub: `tenant-a-${n}`, realm: 'tenant-a', permissions: ['service'] })),
    );
    const quiet = await connected(t, { sub: 'tenant-b-user', realm: 'tenant-b', permissions: ['publish'] });
    let flooding = true;
    let refusedInA = 0;
    const flood = (async () => {
      while (flooding) {
        const results = await Promise.allSettled(flooders.flatMap((flooder) => Array.from({ length: 10 }, () => flooder.publish('noise.tick', {}))));
        for (const error of rateLimitedOf(results)) {
          expectRateLimited(error);
          expect(error.details).toMatchObject({ scope: 'realm', limit: 20 });
          refusedInA += 1;
        }
      }
    })();
    try {
      // Realm B publishes within its own limits while realm A is being refused.
      for (let n = 0; n < 3; n += 1) await expect(quiet.publish('calm.tick', { n })).resolves.toBeDefined();
    } finally {
      flooding = false;
      await flood;
    }
    expect(refusedInA).toBeGreaterThan(0);
  });
});

describe('connections per user', () => {
  let t: TestServer;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestServer({ rateLimits: { ...ONLY, connectionsPerUser: 2, connectionRetryAfterMs: 200 } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await t.close();
  });

  it('refuses the handshake beyond the limit with RATE_LIMITED and retryAfterMs; the SDK keeps retrying and gets in when there is room', async () => {
    const token = await t.token({ sub: 'hoarder', realm: 'demo' });
    const first = await openSocket(t.url, token, sockets);
    await openSocket(t.url, token, sockets);
    const refusal = await openSocket(t.url, token, sockets).then(
      () => undefined,
      (err: Error & { data?: ErrorShape }) => err.data,
    );
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'connections', limit: 2, retryAfterMs: 200 } });
    // Other users and other realms are not affected.
    await openSocket(t.url, await t.token({ sub: 'hoarder', realm: 'elsewhere' }), sockets);
    await openSocket(t.url, await t.token({ sub: 'someone-else', realm: 'demo' }), sockets);

    // Refused again and again, it keeps trying (a refusal is no failed attempt) ...
    const client = t.client({ token, reconnectionAttempts: 1 });
    const refusals: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const off = client.on('connection', ({ state, error }) => {
        if (state === 'disconnected') {
          off();
          reject(error ?? new Error('the client gave up'));
        }
        if (state !== 'reconnecting') return;
        refusals.push(error);
        if (refusals.length < 3) return;
        off();
        resolve();
      });
    });
    for (const error of refusals) expectRateLimited(error);
    expect(client.state).toBe('reconnecting');
    // ... and gets in once one of the user's connections is gone.
    first.close();
    await stateReached(client, 'connected');
  });

  it('does not hold backends (service) to the per-user connection limit', async () => {
    const token = await t.token({ sub: 'backend-fleet', realm: 'demo', permissions: ['service'] });
    await Promise.all(Array.from({ length: 4 }, () => openSocket(t.url, token, sockets)));
  });
});

describe('limits shared by the nodes of a cluster', () => {
  let redis: RedisTestServer;
  let nodes: TestServer[] = [];
  const secret = randomBytes(32).toString('base64url');
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await startRedis({ owned: true });
    const options = {
      auth: { secret },
      redis: { url: redis.url, keyPrefix: redis.keyPrefix },
      rateLimits: { ...ONLY, publishes: { ...OFF, perUser: 5 }, connectionsPerUser: 2 },
    };
    nodes = await Promise.all([startTestServer(options), startTestServer(options)]);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(nodes.map((node) => node.close()));
    await redis.stop();
  });

  const token = (claims: TestClaims) => nodes[0]!.token(claims, { secret });

  it('counts connections per user over every node', async () => {
    const hoarder = await token({ sub: 'cluster-hoarder', realm: 'demo' });
    await openSocket(nodes[0]!.url, hoarder, sockets);
    await openSocket(nodes[1]!.url, hoarder, sockets);
    for (const node of nodes) {
      const refusal = await openSocket(node.url, hoarder, sockets).then(
        () => undefined,
        (err: Error & { data?: ErrorShape }) => err.data,
      );
      expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'connections', limit: 2 } });
    }
  });

  it('never admits more than the limit when handshakes of one user race on both nodes', async () => {
    const racer = await token({ sub: 'cluster-racer', realm: 'demo' });
    // One connection already: each node, counting alone, would see room for one more.
    await openSocket(nodes[0]!.url, racer, sockets);
    const attempts = await Promise.allSettled(nodes.flatMap((node) => Array.from({ length: 4 }, () => openSocket(node.url, racer, sockets))));
    const admitted = attempts.filter((attempt) => attempt.status === 'fulfilled').length;
    expect(admitted).toBeLessThanOrEqual(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect((attempt.reason as { data?: ErrorShape }).data).toMatchObject({ code: 'RATE_LIMITED' });
    }
  });

  it('counts a user’s publishes over every node', async () => {
    const claims = { sub: 'cluster-publisher', realm: 'demo', permissions: ['publish'] };
    const onA = nodes[0]!.client({ token: await token(claims) });
    const onB = nodes[1]!.client({ token: await token(claims) });
    await Promise.all([onA.ready(), onB.ready()]);
    // Alone, each node's budget (5 a second, 5 more per 10 s) would take all ten of its own.
    const results = await Promise.allSettled([onA, onB].flatMap((client) => Array.from({ length: 10 }, (_, n) => client.publish('shared.tick', { n }))));
    const refused = rateLimitedOf(results);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error);
  });

  it('keeps limiting, per node, while Redis is down', async () => {
    const claims = { sub: 'outage-publisher', realm: 'demo', permissions: ['publish'] };
    const client = nodes[0]!.client({ token: await token(claims), reconnectionAttempts: 100 });
    await client.ready();
    await redis.kill();
    try {
      const results = await Promise.allSettled(Array.from({ length: 30 }, (_, n) => client.publish('outage.tick', { n })));
      expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
      const refused = rateLimitedOf(results);
      expect(refused.length).toBeGreaterThan(0);
      for (const error of refused) expectRateLimited(error);
    } finally {
      await redis.restart();
    }
  });
});

describe('npm start', () => {
  it('reads the limits from RATE_LIMIT* variables', async () => {
    const secret = randomBytes(32).toString('base64url');
    const node = await startPlatformNode({ JWT_SECRET: secret, RATE_LIMIT_CONNECTIONS_PER_USER: '1', RATE_LIMIT_PUBLISHES_PER_USER: '0' });
    const sockets: Socket[] = [];
    try {
      const token = await signToken({ sub: 'env-user', secret, expiresIn: '1h', claims: { realm: 'demo' } });
      await openSocket(node.url, token, sockets);
      const refusal = await openSocket(node.url, token, sockets).then(
        () => undefined,
        (err: Error & { data?: ErrorShape }) => err.data,
      );
      expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'connections', limit: 1 } });
    } finally {
      for (const socket of sockets) socket.close();
      await node.stop();
    }
  });
});
