import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { LimitExceededError, type RealtimeClient } from '../../client/index.js';
import type { AckResult, PresenceEvent } from '../../shared/index.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { nextEvent, stateReached } from '../support/wait.js';

// Issue 11, item 7 (the part the first rate-limit change left open): sync document writes and
// presence churn (presence updates, channel joins and leaves, document opens and closes) are rate
// limited like publishes and messages, and the SDK's own re-joins and update(fn) retries live
// with those limits instead of losing work to them.

/** Rate limits off everywhere except what a test turns on (so each test sees one limit). */
const OFF = { perConnection: 0, perUser: 0, perRealm: 0 };
const ONLY = { publishes: OFF, messages: OFF, subscribes: OFF, writes: OFF, presence: OFF, connectionsPerUser: 0 };

/** Create, read, update and delete on every `notes` document, and presence on each. */
const NOTES = { demo: { 'doc/notes/*': 'CRUDP' } };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function refusalsOf(results: PromiseSettledResult<unknown>[]): LimitExceededError[] {
  return results.filter((result): result is PromiseRejectedResult => result.status === 'rejected').map((result) => result.reason as LimitExceededError);
}

function expectRateLimited(error: unknown, details: Record<string, unknown>): asserts error is LimitExceededError {
  expect(error).toBeInstanceOf(LimitExceededError);
  const limited = error as LimitExceededError;
  expect(limited.code).toBe('RATE_LIMITED');
  expect(limited.retryAfterMs).toBeGreaterThan(0);
  expect(limited.details).toMatchObject(details);
}

/** The longest wait a set of refusals asks for: after it, the next request passes. */
function longestWait(refused: LimitExceededError[]): number {
  return Math.max(...refused.map((error) => error.retryAfterMs ?? 0));
}

async function connected(t: TestServer, claims: TestClaims): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token(claims) });
  await client.ready();
  return client;
}

/** Joins each channel, waiting out RATE_LIMITED refusals as their `retryAfterMs` says. */
async function joinPatiently(client: RealtimeClient, channels: string[]): Promise<void> {
  for (const channel of channels) {
    for (;;) {
      try {
        await client.socketClient.joinChannel(channel);
        break;
      } catch (err) {
        if (!(err instanceof LimitExceededError) || err.code !== 'RATE_LIMITED') throw err;
        await sleep(err.retryAfterMs ?? 100);
      }
    }
  }
}

/**
 * Resolves once the server has announced a presence join of `count` distinct sets from a
 * connection other than `oldConnectionId`, with the keys of the sets joined.
 */
function joinsAfterReconnect(t: TestServer, userId: string, oldConnectionId: string | undefined, count: number): Promise<Set<string>> {
  return new Promise((resolve) => {
    const joined = new Set<string>();
    const off = t.server.gateway.presence.onPresenceEvent((event: PresenceEvent) => {
      if (event.type !== 'join' || event.member.userId !== userId || event.member.connectionId === oldConnectionId) return;
      joined.add(event.channel ?? `doc:${event.document?.service}/${event.document?.id}`);
      if (joined.size < count) return;
      off();
      resolve(joined);
    });
  });
}

function dropConnection(t: TestServer, connectionId: string | undefined): void {
  for (const socket of t.server.io.of('/').sockets.values()) if (socket.id === connectionId) socket.disconnect(true);
}

describe('sync write limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rateLimits: { ...ONLY, writes: { ...OFF, perConnection: 5, perUser: 8 } } });
  });
  afterAll(() => t.close());

  it('answers socket writes over the per-connection limit with RATE_LIMITED and retryAfterMs; reads stay unlimited, the connection usable', async () => {
    const writer = await connected(t, { sub: 'socket-writer', realm: 'demo', permissions: ['client'], per: NOTES });
    const doc = await writer.sync.create('notes', { n: 0 }, 'socket-doc');
    // 5 per second plus a burst of 5: 30 at once are well over it, even if a window turns meanwhile.
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, n) => writer.sync.merge('notes', doc.id, { n })));
    const refused = refusalsOf(results);
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeLessThan(30);
    for (const error of refused) expectRateLimited(error, { action: 'writes', scope: 'connection', limit: 5 });

    // Reads are not writes: they pass while writes are refused.
    const reads = await Promise.all(Array.from({ length: 30 }, () => writer.sync.get('notes', doc.id)));
    expect(reads.every((read) => read.id === doc.id)).toBe(true);
    await expect(writer.sync.list('notes')).resolves.toBeDefined();
    expect(writer.state).toBe('connected');

    // The contract: after retryAfterMs the next write passes.
    await sleep(longestWait(refused));
    await expect(writer.sync.merge('notes', doc.id, { after: true })).resolves.toMatchObject({ data: { after: true } });
  });

  it('counts every kind of socket write: create, replace, merge, mutate and delete', async () => {
    const writes: Record<string, (client: RealtimeClient, n: number) => Promise<unknown>> = {
      create: (client, n) => client.sync.create('notes', { n }),
      replace: (client, n) => client.sync.replace('notes', 'kinds', { n }),
      merge: (client, n) => client.sync.merge('notes', 'kinds', { n }),
      mutate: (client) => client.sync.mutate('notes', 'kinds', [{ op: 'increment', path: '/n', value: 1 }]),
      delete: (client) => client.sync.delete('notes', 'kinds'),
    };
    const setup = await connected(t, { sub: 'kinds-setup', realm: 'demo', permissions: ['client'], per: NOTES });
    await setup.sync.create('notes', { n: 0 }, 'kinds');
    for (const [kind, write] of Object.entries(writes)) {
      // A connection of its own for each kind, so that each starts with a full budget.
      const client = await connected(t, { sub: `kinds-${kind}`, realm: 'demo', permissions: ['client'], per: NOTES });
      const refused = refusalsOf(await Promise.allSettled(Array.from({ length: 30 }, (_, n) => write(client, n)))).filter(
        (error) => error.code === 'RATE_LIMITED',
      );
      expect(refused.length, kind).toBeGreaterThan(0);
      for (const error of refused) expectRateLimited(error, { action: 'writes', scope: 'connection' });
    }
  });

  it('counts over REST per user, answering 429 with Retry-After; REST reads stay unlimited', async () => {
    const writes: Record<string, { method: string; path: string; body?: (n: number) => unknown }> = {
      create: { method: 'POST', path: '', body: (n) => ({ data: { n } }) },
      replace: { method: 'PUT', path: '/rest-doc', body: (n) => ({ data: { n } }) },
      merge: { method: 'PATCH', path: '/rest-doc/merge', body: (n) => ({ data: { m: n } }) },
      mutate: { method: 'POST', path: '/rest-doc/mutate', body: () => ({ mutations: [{ op: 'increment', path: '/n', value: 1 }] }) },
      delete: { method: 'DELETE', path: '/rest-doc' },
    };
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${t.url}/api/sync/notes/documents${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
    };
    const setup = await t.token({ sub: 'rest-setup', realm: 'demo', permissions: ['client'], per: NOTES });
    expect((await call(setup, 'POST', '', { id: 'rest-doc', data: { n: 0 } })).status).toBe(201);
    for (const [kind, { method, path, body }] of Object.entries(writes)) {
      // A user of its own for each kind; 8 per second plus 8: 30 at once are over it.
      const token = await t.token({ sub: `rest-${kind}`, realm: 'demo', permissions: ['client'], per: NOTES });
      const answers = await Promise.all(Array.from({ length: 30 }, (_, n) => call(token, method, path, body?.(n))));
      const refused = answers.filter((answer) => answer.status === 429);
      expect(refused.length, kind).toBeGreaterThan(0);
      for (const answer of refused) {
        expect(answer.body).toMatchObject({ code: 'RATE_LIMITED', details: { action: 'writes', scope: 'user', limit: 8, retryAfterMs: expect.any(Number) } });
        const retryAfterMs = (answer.body.details as { retryAfterMs: number }).retryAfterMs;
        expect(answer.retryAfter).toBe(String(Math.ceil(retryAfterMs / 1000)));
      }
      // Deleting a deleted document again is 404; nothing else but results and refusals.
      expect(
        answers.filter((answer) => ![200, 201, 404, 429].includes(answer.status)),
        kind,
      ).toEqual([]);
      if (kind === 'delete') {
        // Reading is not writing: the same user reads while its writes are refused.
        const reads = await Promise.all(Array.from({ length: 20 }, () => call(token, 'GET', '/rest-doc?includeDeleted=true')));
        expect(reads.map((read) => read.status)).toEqual(Array.from({ length: 20 }, () => 200));
      }
    }
  });

  it('does not hold backends (service) to the per-connection and per-user write limits', async () => {
    const backend = await connected(t, { sub: 'sync-backend', realm: 'demo', permissions: ['service'] });
    const doc = await backend.sync.create('notes', { n: 0 });
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, n) => backend.sync.merge('notes', doc.id, { n })));
    expect(refusalsOf(results)).toEqual([]);
  });
});

describe('update(fn) under a tight writes limit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rateLimits: { ...ONLY, writes: { ...OFF, perConnection: 3 } } });
  });
  afterAll(() => t.close());

  const increment = (data: Record<string, unknown>) => ({ ...data, n: (data.n as number) + 1 });

  it('waits out RATE_LIMITED refusals and completes every update', async () => {
    const writer = await connected(t, { sub: 'updater', realm: 'demo', permissions: ['client'], per: NOTES });
    await writer.sync.create('notes', { n: 0 }, 'counter');
    // The premise: plain writes in this configuration are refused once over 3/s (+3).
    const plain = await Promise.allSettled(
      Array.from({ length: 10 }, () => writer.sync.mutate('notes', 'counter', [{ op: 'increment', path: '/n', value: 1 }])),
    );
    const refused = refusalsOf(plain);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error, { action: 'writes' });
    const base = (await writer.sync.get('notes', 'counter')).data.n as number;

    // Concurrent updates: refused and conflicting attempts alike retry until each lands.
    await Promise.all(Array.from({ length: 8 }, () => writer.sync.update('notes', 'counter', increment)));
    expect((await writer.sync.get('notes', 'counter')).data.n).toBe(base + 8);
  });

  it('gives up with RATE_LIMITED when the wait would pass its deadline', async () => {
    const writer = await connected(t, { sub: 'impatient', realm: 'demo', permissions: ['client'], per: NOTES });
    await writer.sync.create('notes', { n: 0 }, 'impatient');
    await Promise.allSettled(Array.from({ length: 10 }, (_, n) => writer.sync.merge('notes', 'impatient', { m: n })));
    const error = await writer.sync.update('notes', 'impatient', increment, { timeout: 0 }).catch((err: unknown) => err);
    expectRateLimited(error, { action: 'writes', scope: 'connection' });
    expect((await writer.sync.get('notes', 'impatient')).data.n).toBe(0);
  });
});

describe('presence limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ rateLimits: { ...ONLY, presence: { ...OFF, perConnection: 5 } } });
  });
  afterAll(() => t.close());

  it('limits presence updates per connection with RATE_LIMITED and retryAfterMs; reading presence is not limited, the connection stays usable', async () => {
    const member = await connected(t, { sub: 'fidget', realm: 'demo', permissions: ['client'], per: NOTES });
    const sc = member.socketClient;
    await sc.joinChannel('room:fidget');
    // 5 per second plus a burst of 5, the join included: 30 at once are well over it.
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, n) => sc.updatePresence('room:fidget', { n })));
    const refused = refusalsOf(results);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expectRateLimited(error, { action: 'presence', scope: 'connection', limit: 5 });
    await expect(sc.members('room:fidget')).resolves.toEqual([expect.objectContaining({ userId: 'fidget' })]);
    expect(member.state).toBe('connected');

    await sleep(longestWait(refused));
    await expect(sc.updatePresence('room:fidget', { after: true })).resolves.toMatchObject({ state: { after: true } });
  });

  it('counts channel joins and leaves and document opens and closes alike', async () => {
    const churn: Record<string, (client: RealtimeClient, n: number) => Promise<unknown>> = {
      join: (client, n) => client.socketClient.joinChannel(`room:churn-${n % 3}`),
      leave: (client, n) => client.socketClient.leaveChannel(`room:churn-${n % 3}`),
      open: (client) => client.socketClient.openDocument('notes', 'churn-doc'),
      close: (client) => client.socketClient.closeDocument('notes', 'churn-doc'),
    };
    for (const [kind, request] of Object.entries(churn)) {
      const client = await connected(t, { sub: `churn-${kind}`, realm: 'demo', permissions: ['client'], per: NOTES });
      const refused = refusalsOf(await Promise.allSettled(Array.from({ length: 30 }, (_, n) => request(client, n))));
      expect(refused.length, kind).toBeGreaterThan(0);
      for (const error of refused) expectRateLimited(error, { action: 'presence', scope: 'connection' });
      expect(client.state).toBe('connected');
    }
  });

  it('re-joins every channel and re-opens every document after a reconnect, waiting out refusals of its own re-joins', async () => {
    const client = await connected(t, { sub: 'rejoiner', realm: 'demo', permissions: ['client'], per: NOTES });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const channels = Array.from({ length: 20 }, (_, n) => `room:rejoin-${n}`);
    await joinPatiently(client, channels);
    const documents = ['a', 'b', 'c', 'd'];
    for (const id of documents) {
      for (;;) {
        const opened = await client.socketClient.openDocument('notes', id).catch((err: unknown) => err);
        if (!(opened instanceof LimitExceededError)) break;
        await sleep(opened.retryAfterMs ?? 100);
      }
    }
    const oldId = client.socketClient.id;
    // 24 re-joins against 5 per second plus 5: most are refused at first.
    const rejoined = joinsAfterReconnect(t, 'rejoiner', oldId, channels.length + documents.length);
    dropConnection(t, oldId);
    const joined = await rejoined;
    expect([...joined].sort()).toEqual([...channels, ...documents.map((id) => `doc:notes/${id}`)].sort());
    expect(client.socketClient.joinedChannels().sort()).toEqual([...channels].sort());
    expect(errors).toEqual([]);

    // And the last one is live: a message to it arrives.
    const last = channels[channels.length - 1] as string;
    const sender = await connected(t, { sub: 'rejoin-sender', realm: 'demo', permissions: ['service'] });
    const heard = new Promise((resolve) => client.socketClient.on('message', (message) => message.channel === last && resolve(message)));
    await sender.socketClient.publish(last, 'ping', { last: true });
    await expect(heard).resolves.toMatchObject({ channel: last, data: { last: true } });
  });
});

describe('presence limits under the defaults', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  it('lets a connection join as many channels at once as it may hold (a whole re-join after a reconnect)', async () => {
    // maxChannelsPerConnection is 100 by default: a re-join sends up to 100 joins at once.
    const raw: Socket = await t.rawSocket(await t.token({ sub: 'burst-joiner', realm: 'demo' }));
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, n) => raw.timeout(10_000).emitWithAck('channel:join', { channel: `room:burst-${n}` }) as Promise<AckResult<unknown>>),
    );
    expect(answers.filter((answer) => !answer.ok)).toEqual([]);
  });

  it('re-joins 100 channels after a reconnect', async () => {
    const client = await connected(t, { sub: 'many-channels', realm: 'demo' });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const channels = Array.from({ length: 100 }, (_, n) => `room:many-${n}`);
    await Promise.all(channels.map((channel) => client.socketClient.joinChannel(channel)));
    const oldId = client.socketClient.id;
    const rejoined = joinsAfterReconnect(t, 'many-channels', oldId, channels.length);
    const reconnected = nextEvent(client, 'connection', (change) => change.state === 'connected');
    dropConnection(t, oldId);
    await reconnected;
    expect((await rejoined).size).toBe(100);
    expect(errors).toEqual([]);
    await stateReached(client, 'connected');
  });
});
