import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonWebSocket } from '../../server/wire/json-websocket.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';
import { WsPeer, type WsMessage } from '../support/ws-peer.js';

/**
 * The plain WebSocket protocol (`/ws`) with a raw `ws` client: every message type, both ways,
 * and a `/ws` client and a RealtimeClient seeing each other.
 */
let t: TestServer;
const peers: WsPeer[] = [];

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const peer of peers) peer.close();
  await t.close();
});

async function peer(claims: Parameters<TestServer['token']>[0] = {}, query: Record<string, string> = {}): Promise<WsPeer> {
  const opened = await WsPeer.connected(t.url, { token: await t.token({ realm: 'demo', ...claims }), ...query });
  peers.push(opened);
  return opened;
}

const isEvent = (topic: string) => (message: WsMessage) => message.type === 'event' && message.topic === topic;
const payloadOf = (message: WsMessage) => (message.data as { payload: Record<string, unknown> }).payload;

describe('connecting', () => {
  it('authenticates with ?token= and opens with session:opened naming the user', async () => {
    const ws = await peer({ sub: 'query-user' });
    const opened = ws.messages.find((message) => message.type === 'session:opened');
    expect(opened?.data).toMatchObject({ user: { userId: 'query-user', realms: ['demo'] }, limits: { maxPayloadBytes: expect.any(Number) } });
  });

  it('authenticates with an Authorization: Bearer header', async () => {
    const token = await t.token({ sub: 'header-user', realm: 'demo' });
    const ws = await WsPeer.connected(t.url, {}, { headers: { authorization: `Bearer ${token}` } });
    peers.push(ws);
    expect(ws.messages.find((message) => message.type === 'session:opened')?.data).toMatchObject({ user: { userId: 'header-user' } });
    expect(await ws.request({ type: 'subscribe', topic: 'header.topic' })).toMatchObject({ type: 'subscribed', topic: 'header.topic' });
  });

  it('refuses a bad token with an error message and a 4401 close', async () => {
    const ws = await WsPeer.open(t.url, { token: 'not-a-token' });
    peers.push(ws);
    const error = await ws.next((message) => message.type === 'error', { seen: true });
    expect(error).toMatchObject({ type: 'error', code: 'AUTH_FAILED', message: expect.any(String) });
    expect(await ws.whenClosed()).toEqual({ code: 4401, reason: 'AUTH_FAILED' });
    expect(ws.messages.some((message) => message.type === 'session:opened')).toBe(false);
  });

  it('refuses an expired token with TOKEN_EXPIRED and 4401', async () => {
    const ws = await WsPeer.open(t.url, { token: await t.token({ realm: 'demo', expiresIn: -10 }) });
    peers.push(ws);
    expect(await ws.next((message) => message.type === 'error', { seen: true })).toMatchObject({ code: 'TOKEN_EXPIRED' });
    expect((await ws.whenClosed()).code).toBe(4401);
  });

  it('without a token, opens quarantined and logs in with auth:login', async () => {
    const ws = await WsPeer.connected(t.url);
    peers.push(ws);
    expect(ws.messages.find((message) => message.type === 'session:opened')?.data).not.toHaveProperty('user');
    expect(await ws.request({ type: 'subscribe', topic: 'before.login' })).toMatchObject({ type: 'error', code: 'AUTH_FAILED' });
    const login = await ws.request({ type: 'auth:login', token: await t.token({ sub: 'late', realm: 'demo' }) });
    expect(login).toMatchObject({ type: 'result', data: { userId: 'late' } });
    expect(await ws.request({ type: 'subscribe', topic: 'after.login' })).toMatchObject({ type: 'subscribed' });
  });

  it('tells a session the server ends why (auth:expired), then closes with 4000', async () => {
    const strict = await startTestServer({ limits: { loginTimeoutMs: 100 } });
    try {
      const ws = await WsPeer.connected(strict.url);
      const expired = await ws.next((message) => message.type === 'auth:expired', { seen: true });
      expect(expired).toEqual({ type: 'auth:expired', data: { code: 'AUTH_FAILED', message: expect.any(String) } });
      expect(await ws.whenClosed()).toEqual({ code: 4000, reason: 'server disconnect' });
    } finally {
      await strict.close();
    }
  });

  it('is told to go by a draining server: closed with 4000 once its requests are answered', async () => {
    const draining = await startTestServer();
    const ws = await WsPeer.connected(draining.url, { token: await draining.token({ realm: 'demo' }) });
    const closing = draining.server.close({ drainTimeoutMs: 5000 });
    expect(await ws.whenClosed()).toEqual({ code: 4000, reason: 'server disconnect' });
    await closing;
    await draining.close();
  });

  it('keeps requests sent before the session opened and answers them in order after it', async () => {
    const ws = await WsPeer.open(t.url, { token: await t.token({ realm: 'demo' }) });
    peers.push(ws);
    ws.send({ type: 'subscribe', topic: 'early.one', ref: 1 });
    ws.send([
      { type: 'subscribe', topic: 'early.two', ref: 2 },
      { type: 'ping', ref: 3 },
    ]);
    const answers = await ws.until((message) => message.ref !== undefined, 3);
    expect(answers.map((message) => [message.type, message.ref])).toEqual(
      expect.arrayContaining([
        ['subscribed', 1],
        ['subscribed', 2],
        ['pong', 3],
      ]),
    );
    const opened = ws.messages.findIndex((message) => message.type === 'session:opened');
    const subscribed = ws.messages.findIndex((message) => message.type === 'subscribed');
    expect(opened).toBeLessThan(subscribed);
  });

  it('never lets a query parameter reach engine.io (no sid takeover, no transport switch)', async () => {
    const victim = await t.rawSocket(await t.token({ sub: 'victim', realm: 'demo' }));
    const sid = (victim.io.engine as unknown as { id: string }).id;
    const ws = await WsPeer.connected(t.url, { token: await t.token({ sub: 'intruder', realm: 'demo' }), sid, transport: 'polling', EIO: '3' });
    peers.push(ws);
    expect(ws.messages.find((message) => message.type === 'session:opened')?.data).toMatchObject({ user: { userId: 'intruder' } });
    expect(victim.connected).toBe(true);
  });
});

describe('topics', () => {
  it('subscribe answers subscribed (the reference shape) and delivers matching events as { type: "event", topic, data }', async () => {
    const ws = await peer();
    const subscribed = await ws.request({ type: 'subscribe', topic: 'orders.updated', filter: { shop: 'paris' } });
    expect(subscribed).toMatchObject({ type: 'subscribed', subscriptionId: expect.any(String), topic: 'orders.updated', realm: 'demo' });
    await t.server.publish({ realm: 'demo', topic: 'orders.updated', source: 'api', type: 'order', payload: { shop: 'london', n: 1 } });
    await t.server.publish({ realm: 'demo', topic: 'orders.updated', source: 'api', type: 'order', payload: { shop: 'paris', n: 2 } });
    const event = await ws.next(isEvent('orders.updated'), { seen: true });
    expect(event).toMatchObject({
      type: 'event',
      topic: 'orders.updated',
      data: { topic: 'orders.updated', type: 'order', source: 'api', payload: { shop: 'paris', n: 2 } },
    });
    expect(ws.messages.filter(isEvent('orders.updated'))).toHaveLength(1);
  });

  it('uses the client-chosen subscriptionId, and unsubscribe stops delivery', async () => {
    const ws = await peer();
    expect(await ws.request({ type: 'subscribe', subscriptionId: 'mine_1', topic: 'unsub.topic' })).toMatchObject({ subscriptionId: 'mine_1' });
    expect(await ws.request({ type: 'unsubscribe', subscriptionId: 'mine_1' })).toEqual({
      type: 'result',
      ref: expect.any(String),
      data: { subscriptionId: 'mine_1' },
    });
    // A sentinel on another subscription proves the unsubscribed event was not merely late.
    await ws.request({ type: 'subscribe', topic: 'unsub.sentinel' });
    await t.server.publish({ realm: 'demo', topic: 'unsub.topic', source: 'api', type: 'x', payload: {} });
    await t.server.publish({ realm: 'demo', topic: 'unsub.sentinel', source: 'api', type: 'x', payload: {} });
    await ws.next(isEvent('unsub.sentinel'), { seen: true });
    expect(ws.messages.filter(isEvent('unsub.topic'))).toEqual([]);
  });

  it('publish (and topic:publish) with eventType reaches subscribers and answers the RealtimeEvent', async () => {
    const publisher = await peer({ sub: 'pub', permissions: ['publish', 'subscribe'] });
    const subscriber = await peer({ sub: 'sub' });
    await subscriber.request({ type: 'subscribe', topic: 'chat.lines' });
    const answer = await publisher.request({ type: 'publish', topic: 'chat.lines', eventType: 'line', payload: { text: 'hi' } });
    expect(answer).toMatchObject({ type: 'result', data: { topic: 'chat.lines', type: 'line', source: 'socket', payload: { text: 'hi' } } });
    const second = await publisher.request({ type: 'topic:publish', topic: 'chat.lines', payload: { text: 'again' } });
    expect(second).toMatchObject({ type: 'result', data: { payload: { text: 'again' } } });
    const events = await subscriber.until(isEvent('chat.lines'), 2);
    expect(events.map(payloadOf)).toEqual([{ text: 'hi' }, { text: 'again' }]);
  });

  it('shapes sync change events by returnMode', async () => {
    const ws = await peer({ sub: 'writer', permissions: ['service'] });
    await ws.request({ type: 'subscribe', topic: 'sync.notes.updated', returnMode: 'diff' });
    const created = await ws.request({ type: 'sync:create', service: 'notes', id: 'rm1', data: { title: 'a' } });
    expect(created).toMatchObject({ type: 'result', data: { id: 'rm1', revision: 1 } });
    await ws.request({ type: 'sync:merge', service: 'notes', id: 'rm1', data: { title: 'b' } });
    const change = await ws.next(isEvent('sync.notes.updated'), { seen: true });
    expect(payloadOf(change)).toMatchObject({ id: 'rm1', revision: 2, previousRevision: 1, patch: [{ op: 'replace', path: '/title', value: 'b' }] });
    expect(payloadOf(change)).not.toHaveProperty('data');
  });

  it('recovers with since: the missed events first, then subscribed with recovered and position', async () => {
    const first = await peer({ sub: 'resumer' });
    const subscribed = await first.request({ type: 'subscribe', topic: 'ticks.ws' });
    for (let n = 1; n <= 3; n += 1) await t.server.publish({ realm: 'demo', topic: 'ticks.ws', source: 'api', type: 'tick', payload: { n } });
    const seen = await first.until(isEvent('ticks.ws'), 3);
    const last = seen[2]!.data as { metadata: { epoch: string; offset: string } };
    expect(subscribed).toHaveProperty('position');
    first.close();
    await first.whenClosed();
    for (let n = 4; n <= 6; n += 1) await t.server.publish({ realm: 'demo', topic: 'ticks.ws', source: 'api', type: 'tick', payload: { n } });

    const again = await peer({ sub: 'resumer' });
    const answer = await again.request({ type: 'subscribe', topic: 'ticks.ws', since: { epoch: last.metadata.epoch, offset: last.metadata.offset } });
    expect(answer).toMatchObject({ type: 'subscribed', topic: 'ticks.ws', recovered: true, position: { epoch: last.metadata.epoch } });
    const replayed = again.messages.filter(isEvent('ticks.ws'));
    expect(replayed.map((message) => payloadOf(message).n)).toEqual([4, 5, 6]);
    const answerIndex = again.messages.indexOf(answer);
    expect(again.messages.findIndex(isEvent('ticks.ws'))).toBeLessThan(answerIndex);
  });

  it('answers recovered: false when the position is from another epoch', async () => {
    const ws = await peer();
    const answer = await ws.request({ type: 'subscribe', topic: 'ticks.lost', since: { epoch: 'gone', offset: '1-0' } });
    expect(answer).toMatchObject({ type: 'subscribed', recovered: false });
  });
});

describe('sync documents', () => {
  it('creates, gets, replaces, merges, mutates and deletes, with typed errors on conflicts and misses', async () => {
    const ws = await peer({ sub: 'doc-owner', permissions: ['service'] });
    expect(await ws.request({ type: 'sync:create', service: 'notes', id: 'd1', data: { title: 'one', count: 1 } })).toMatchObject({
      type: 'result',
      data: { service: 'notes', id: 'd1', revision: 1, data: { title: 'one', count: 1 } },
    });
    expect(await ws.request({ type: 'sync:get', service: 'notes', id: 'd1' })).toMatchObject({ data: { revision: 1, data: { title: 'one' } } });
    expect(await ws.request({ type: 'sync:replace', service: 'notes', id: 'd1', data: { title: 'two', count: 1 }, expectedRevision: 1 })).toMatchObject({
      data: { revision: 2, data: { title: 'two' } },
    });
    expect(await ws.request({ type: 'sync:merge', service: 'notes', id: 'd1', data: { title: 'x' }, expectedRevision: 1 })).toMatchObject({
      type: 'error',
      code: 'CONFLICT',
      details: { current: expect.objectContaining({ revision: 2, data: { title: 'two', count: 1 } }) },
    });
    expect(await ws.request({ type: 'sync:mutate', service: 'notes', id: 'd1', mutations: [{ op: 'increment', path: '/count', value: 2 }] })).toMatchObject({
      data: { revision: 3, data: { title: 'two', count: 3 } },
    });
    expect(await ws.request({ type: 'sync:delete', service: 'notes', id: 'd1' })).toMatchObject({ data: { deleted: true } });
    expect(await ws.request({ type: 'sync:get', service: 'notes', id: 'nope' })).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  });

  it('watches a document: its change events reach a watcher, and writes from a RealtimeClient too', async () => {
    const watcher = await peer({ sub: 'watcher' });
    const writer = t.client({ token: await t.token({ sub: 'doc-writer', realm: 'demo', permissions: ['service'] }) });
    await writer.ready();
    await writer.sync.create('notes', { title: 'watched' }, 'w1');
    await watcher.request({ type: 'subscribe', topic: 'sync.notes.updated', filter: { id: 'w1' } });
    await watcher.request({ type: 'subscribe', topic: 'sync.notes.deleted', filter: { id: 'w1' } });
    await writer.sync.merge('notes', 'w1', { title: 'changed' });
    await writer.sync.delete('notes', 'w1');
    const updated = await watcher.next(isEvent('sync.notes.updated'), { seen: true });
    expect(updated.data).toMatchObject({ source: 'sync', type: 'sync.updated', payload: { id: 'w1', revision: 2, data: { title: 'changed' } } });
    const deleted = await watcher.next(isEvent('sync.notes.deleted'), { seen: true });
    expect(payloadOf(deleted)).toMatchObject({ id: 'w1', deleted: true });
  });
});

describe('channels and presence', () => {
  it('joins, publishes, receives channel:message and presence:changed, lists and leaves', async () => {
    const alice = await peer({ sub: 'ch-alice' });
    const bob = await peer({ sub: 'ch-bob' });
    const joined = await alice.request({ type: 'channel:join', channel: 'room:ws', state: { mood: 'calm' } });
    expect(joined).toMatchObject({ type: 'result', data: { channel: 'room:ws', presence: true, members: [{ userId: 'ch-alice', state: { mood: 'calm' } }] } });
    await bob.request({ type: 'channel:join', channel: 'room:ws' });
    expect(await alice.next((message) => message.type === 'presence:changed', { seen: true })).toMatchObject({
      data: { channel: 'room:ws', type: 'join', member: { userId: 'ch-bob' } },
    });
    expect(await bob.request({ type: 'channel:publish', channel: 'room:ws', event: 'say', data: { text: 'hello' } })).toMatchObject({
      type: 'result',
      data: { channel: 'room:ws', event: 'say' },
    });
    const message = await alice.next((received) => received.type === 'channel:message', { seen: true });
    expect(message).toMatchObject({ data: { channel: 'room:ws', event: 'say', data: { text: 'hello' }, from: { userId: 'ch-bob' } } });
    await bob.request({ type: 'presence:update', channel: 'room:ws', state: { mood: 'busy' } });
    expect(
      await alice.next((received) => received.type === 'presence:changed' && (received.data as { type: string }).type === 'update', { seen: true }),
    ).toMatchObject({
      data: { member: { userId: 'ch-bob', state: { mood: 'busy' } } },
    });
    const list = await alice.request({ type: 'presence:list', channel: 'room:ws' });
    expect((list.data as { members: { userId: string }[] }).members.map((member) => member.userId).sort()).toEqual(['ch-alice', 'ch-bob']);
    expect(await bob.request({ type: 'channel:leave', channel: 'room:ws' })).toMatchObject({ data: { left: true } });
    expect(
      await alice.next((received) => received.type === 'presence:changed' && (received.data as { type: string }).type === 'leave', { seen: true }),
    ).toMatchObject({
      data: { member: { userId: 'ch-bob' }, reason: 'left' },
    });
  });

  it('re-joins a channel with since and gets the missed messages first', async () => {
    const listener = await peer({ sub: 'rejoiner' });
    const talker = await peer({ sub: 'talker' });
    await listener.request({ type: 'channel:join', channel: 'room:resume' });
    await talker.request({ type: 'channel:join', channel: 'room:resume' });
    await talker.request({ type: 'channel:publish', channel: 'room:resume', event: 'n', data: { n: 1 } });
    const first = await listener.next((message) => message.type === 'channel:message', { seen: true });
    const position = first.data as { epoch: string; offset: string };
    listener.close();
    await listener.whenClosed();
    await talker.request({ type: 'channel:publish', channel: 'room:resume', event: 'n', data: { n: 2 } });
    await talker.request({ type: 'channel:publish', channel: 'room:resume', event: 'n', data: { n: 3 } });
    const back = await peer({ sub: 'rejoiner' });
    const answer = await back.request({ type: 'channel:join', channel: 'room:resume', since: { epoch: position.epoch, offset: position.offset } });
    expect(answer).toMatchObject({ type: 'result', data: { recovered: true } });
    const replayed = back.messages.filter((message) => message.type === 'channel:message').map((message) => (message.data as { data: { n: number } }).data.n);
    expect(replayed).toEqual([2, 3]);
  });

  it('sends and receives direct messages', async () => {
    const sender = await peer({ sub: 'dm-sender', permissions: ['service'] });
    const recipient = await peer({ sub: 'dm-recipient' });
    expect(await sender.request({ type: 'direct:send', userId: 'dm-recipient', event: 'note', data: { text: 'psst' } })).toMatchObject({
      type: 'result',
      data: { recipients: 1 },
    });
    expect(await recipient.next((message) => message.type === 'direct:message', { seen: true })).toMatchObject({
      data: { event: 'note', data: { text: 'psst' }, from: { userId: 'dm-sender' } },
    });
  });
});

describe('server events that wait for an answer', () => {
  it('provides an RPC: rpc:request arrives with an ackId, { type: "ack" } accepts it, rpc:respond answers the caller', async () => {
    const provider = await peer({ sub: 'rpc-provider', permissions: ['service'] });
    const caller = await peer({ sub: 'rpc-caller', permissions: ['service'] });
    expect(await provider.request({ type: 'rpc:provide', name: 'add' })).toMatchObject({ type: 'result', data: { name: 'add' } });
    const call = caller.request({ type: 'rpc:make', name: 'add', data: { a: 2, b: 3 } });
    const offer = await provider.next((message) => message.type === 'rpc:request', { seen: true });
    expect(offer).toMatchObject({ ackId: expect.any(Number), data: { name: 'add', data: { a: 2, b: 3 }, requestor: { userId: 'rpc-caller' } } });
    provider.send({ type: 'ack', ackId: offer.ackId, data: { accepted: true } });
    const { callId } = offer.data as { callId: string };
    expect(await provider.request({ type: 'rpc:respond', callId, data: 5 })).toMatchObject({ type: 'result', data: { callId } });
    expect(await call).toMatchObject({ type: 'result', data: { data: 5 } });
  });
});

describe('ping and heartbeats', () => {
  it('answers { type: "ping" } with { type: "pong" } at once, echoing ref', async () => {
    const ws = await peer();
    ws.send({ type: 'ping' });
    expect(await ws.next((message) => message.type === 'pong')).toEqual({ type: 'pong' });
    expect(await ws.request({ type: 'ping' })).toEqual({ type: 'pong', ref: expect.any(String) });
  });

  it('pings with WebSocket ping frames: a peer that answers stays, one that does not is closed by the ping timeout', async () => {
    const quick = await startTestServer();
    try {
      const opts = (quick.server.io.engine as unknown as { opts: { pingInterval: number; pingTimeout: number } }).opts;
      opts.pingInterval = 50;
      opts.pingTimeout = 100;
      const reasons = new Map<string, string>();
      quick.server.io.on('connection', (socket) => socket.on('disconnect', (reason) => reasons.set(socket.data.principal.userId, reason)));
      const alive = await WsPeer.connected(quick.url, { token: await quick.token({ sub: 'alive', realm: 'demo' }) });
      const silent = await WsPeer.connected(quick.url, { token: await quick.token({ sub: 'silent', realm: 'demo' }) }, { autoPong: false });
      await silent.whenClosed();
      expect(reasons.get('silent')).toBe('ping timeout');
      expect(silent.closed?.code).toBe(1001);
      // The answering peer has outlived several ping intervals and timeouts by now, and keeps going.
      await alive.pinged(alive.pings + 3);
      expect(reasons.has('alive')).toBe(false);
      expect(await alive.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
      alive.close();
    } finally {
      await quick.close();
    }
  });
});

describe('errors', () => {
  it('answers bad JSON, non-objects, a missing type and an unknown type with INVALID_ARGUMENT and stays open', async () => {
    const ws = await peer();
    for (const frame of ['{not json', '42', '"text"', 'null', '[]', '{"ref":"x"}', '{"type":7}']) {
      ws.send(frame);
      expect(await ws.next((message) => message.type === 'error'), frame).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(await ws.request({ type: 'nope:nothing' })).toMatchObject({ type: 'error', code: 'INVALID_ARGUMENT', details: { type: 'nope:nothing' } });
    expect(await ws.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });

  it('answers invalid fields with the schema error, echoing ref', async () => {
    const ws = await peer();
    const answer = await ws.request({ type: 'subscribe', topic: 42 });
    expect(answer).toMatchObject({ type: 'error', code: 'INVALID_ARGUMENT', message: expect.stringContaining('topic') });
    expect(await ws.request({ type: 'subscribe', topic: 'ok.topic', extra: true })).toMatchObject({
      type: 'error',
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('extra'),
    });
  });

  it('answers a forbidden request with FORBIDDEN and keeps the connection usable', async () => {
    const ws = await peer({ sub: 'plain-client' });
    const answer = await ws.request({ type: 'publish', topic: 'not.mine', eventType: 'x', payload: {} });
    expect(answer).toMatchObject({ type: 'error', code: 'FORBIDDEN', details: { permission: 'C' } });
    expect(await ws.request({ type: 'subscribe', topic: 'still.works' })).toMatchObject({ type: 'subscribed' });
  });

  it('refuses a frame with more messages than maxBatchEntries, and binary frames', async () => {
    const ws = await peer();
    const limit = t.server.limits.maxBatchEntries;
    ws.send(Array.from({ length: limit + 1 }, () => ({ type: 'ping' })));
    expect(await ws.next((message) => message.type === 'error')).toMatchObject({ code: 'INVALID_ARGUMENT', details: { limit } });
    ws.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await ws.next((message) => message.type === 'error')).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('Binary') });
    expect(ws.messages.filter((message) => message.type === 'pong')).toEqual([]);
  });

  it('refuses requests beyond maxPendingRequests with LIMIT_EXCEEDED, answering the others', async () => {
    const small = await startTestServer({ ws: { maxPendingRequests: 2 } });
    try {
      const ws = await WsPeer.open(small.url, { token: await small.token({ realm: 'demo' }) });
      ws.send([1, 2, 3, 4].map((n) => ({ type: 'subscribe', topic: `pending.${n}`, ref: n })));
      const answers = await ws.until((message) => typeof message.ref === 'number', 4);
      expect(Object.fromEntries(answers.map((message) => [message.ref, message.type === 'error' ? message.code : message.type]))).toEqual({
        1: 'subscribed',
        2: 'subscribed',
        3: 'LIMIT_EXCEEDED',
        4: 'LIMIT_EXCEEDED',
      });
      expect(answers.find((message) => message.ref === 3)).toMatchObject({ details: { limit: 2 } });
      expect(await ws.request({ type: 'subscribe', topic: 'pending.later' })).toMatchObject({ type: 'subscribed' });
      ws.close();
    } finally {
      await small.close();
    }
  });

  it('closes with 1009 on a frame above the frame limit', async () => {
    const ws = await peer();
    ws.send({ type: 'ping', ref: 'x'.repeat((t.server.io.engine.opts.maxHttpBufferSize ?? 0) + 10) });
    expect((await ws.whenClosed()).code).toBe(1009);
  });
});

describe('batching', () => {
  it('packs a burst into array frames, in order', async () => {
    const ws = await peer();
    await ws.request({ type: 'subscribe', topic: 'burst.on' });
    const total = 300;
    await Promise.all(
      Array.from({ length: total }, (_, n) => t.server.publish({ realm: 'demo', topic: 'burst.on', source: 'api', type: 'n', payload: { n } })),
    );
    const events = await ws.until(isEvent('burst.on'), total);
    expect(events.map((message) => payloadOf(message).n)).toEqual(Array.from({ length: total }, (_, n) => n));
    const arrays = ws.frames.filter((frame): frame is unknown[] => Array.isArray(frame));
    expect(arrays.length).toBeGreaterThan(0);
    expect(Math.max(...arrays.map((frame) => frame.length))).toBeGreaterThan(1);
  });

  it('sends one message per frame with batch=0', async () => {
    const ws = await peer({}, { batch: '0' });
    await ws.request({ type: 'subscribe', topic: 'burst.off' });
    const total = 300;
    await Promise.all(
      Array.from({ length: total }, (_, n) => t.server.publish({ realm: 'demo', topic: 'burst.off', source: 'api', type: 'n', payload: { n } })),
    );
    const events = await ws.until(isEvent('burst.off'), total);
    expect(events.map((message) => payloadOf(message).n)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(ws.frames.every((frame) => !Array.isArray(frame))).toBe(true);
  });

  it('accepts an array of requests in one frame, answering each', async () => {
    const ws = await peer();
    ws.send([
      { type: 'subscribe', topic: 'many.a', ref: 'a' },
      { type: 'subscribe', topic: 'many.b', ref: 'b' },
      { type: 'bogus', ref: 'c' },
    ]);
    const answers = await ws.until((message) => ['a', 'b', 'c'].includes(message.ref as string), 3);
    expect(Object.fromEntries(answers.map((message) => [message.ref, message.type]))).toEqual({ a: 'subscribed', b: 'subscribed', c: 'error' });
  });

  it('translates a broadcast once for all of its /ws recipients', async () => {
    const recipients = await Promise.all([peer(), peer(), peer(), peer()]);
    await Promise.all(recipients.map((ws) => ws.request({ type: 'subscribe', topic: 'fan.out' })));
    const cache = cacheOf(t);
    const before = cache.translations;
    await t.server.publish({ realm: 'demo', topic: 'fan.out', source: 'api', type: 'x', payload: { once: true } });
    await Promise.all(recipients.map((ws) => ws.next(isEvent('fan.out'), { seen: true })));
    expect(cache.translations - before).toBe(1);
  });
});

describe('a /ws client and a RealtimeClient together', () => {
  it('see each other’s events and channel messages', async () => {
    const ws = await peer({ sub: 'mixed-ws', permissions: ['client', 'publish'] });
    const client = t.client({ token: await t.token({ sub: 'mixed-io', realm: 'demo', permissions: ['client', 'publish'] }) });
    client.subscribe({ topic: 'mixed.from-ws' });
    await client.ready();
    await ws.request({ type: 'subscribe', topic: 'mixed.from-io' });

    const heard = nextEvent(client, 'event:mixed.from-ws');
    await ws.request({ type: 'publish', topic: 'mixed.from-ws', eventType: 'hello', payload: { from: 'ws' } });
    expect(await heard).toMatchObject({ type: 'hello', payload: { from: 'ws' } });

    await client.publish('mixed.from-io', { from: 'io' });
    expect(payloadOf(await ws.next(isEvent('mixed.from-io'), { seen: true }))).toEqual({ from: 'io' });

    await ws.request({ type: 'channel:join', channel: 'mixed:room' });
    await client.socketClient.joinChannel('mixed:room');
    const said = new Promise((resolve) => {
      const off = client.socketClient.on('message', (message) => {
        off();
        resolve(message);
      });
    });
    await ws.request({ type: 'channel:publish', channel: 'mixed:room', event: 'say', data: { text: 'from ws' } });
    expect(await said).toMatchObject({ channel: 'mixed:room', event: 'say', data: { text: 'from ws' }, from: { userId: 'mixed-ws' } });
  });
});

describe('upgrade paths', () => {
  it('still answers 404 for unknown upgrade paths, and 101 for /ws and /ws/', async () => {
    expect((await upgrade('/nope')).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect((await upgrade('/wsx')).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    expect(await upgrade('/wsx')).toContain('/ws');
    expect((await upgrade('/ws')).split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect((await upgrade('/ws/?token=x')).split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  });

  it('serves another path, or none, as configured', async () => {
    const other = await startTestServer({ ws: { path: '/realtime' } });
    const off = await startTestServer({ ws: { path: false } });
    try {
      const ws = await WsPeer.open(other.url, { token: await other.token({ realm: 'demo' }) }, { path: '/realtime' });
      await ws.next((message) => message.type === 'session:opened', { seen: true });
      ws.close();
      expect((await upgrade('/ws', off)).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
      expect((await upgrade('/ws', other)).split('\r\n')[0]).toBe('HTTP/1.1 404 Not Found');
    } finally {
      await Promise.all([other.close(), off.close()]);
    }
  });
});

/** The translation cache of a server's `/ws` transports, through a connection's transport. */
function cacheOf(server: TestServer): { translations: number } {
  for (const socket of server.server.io.of('/').sockets.values()) {
    if (socket.conn.transport instanceof JsonWebSocket) return socket.conn.transport.translationCache;
  }
  throw new Error('no /ws connection');
}

/** Sends a WebSocket upgrade request for `path` on a raw socket; resolves with what came back. */
function upgrade(path: string, server: TestServer = t): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = server.server.address();
    const socket = connect({ host: '127.0.0.1', port });
    socket.setEncoding('latin1');
    let answer = '';
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer.includes('\r\n\r\n')) {
        // A 404 carries a body; give it its Content-Length worth before resolving.
        const length = /content-length: (\d+)/i.exec(answer)?.[1];
        const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
        if (length === undefined || body.length >= Number(length)) {
          socket.destroy();
          resolve(answer);
        }
      }
    });
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
