import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient, type RealtimeClientOptions } from '../../client/index.js';
import { signToken } from '../../server/index.js';
import type { RealtimeEvent } from '../../shared/index.js';
import { startPlatformNode, type PlatformNode } from '../support/platform-node.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startBalancer } from '../support/tcp-balancer.js';
import { collect, nextEvent, stateReached } from '../support/wait.js';

// Three real server processes (server/cli.ts, as `npm start` runs it) sharing one Redis that this
// file starts itself, so that it can also stop and restart it.
const secret = randomBytes(32).toString('base64url');
let redis: RedisTestServer;
let nodes: PlatformNode[] = [];
const clients: RealtimeClient[] = [];

const token = (sub: string, permissions = ['service']) => signToken({ sub, secret, expiresIn: '1h', claims: { realm: 'demo', permissions } });

function client(url: string, options: Partial<RealtimeClientOptions> & { token: string }): RealtimeClient {
  const instance = new RealtimeClient({ url, reconnectionDelay: 50, reconnectionDelayMax: 300, reconnectionAttempts: 100, ...options });
  clients.push(instance);
  return instance;
}

async function restPublish(node: PlatformNode, topic: string, payload: Record<string, unknown>, bearer: string): Promise<RealtimeEvent> {
  const response = await fetch(`${node.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ topic, payload }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as RealtimeEvent;
}

beforeAll(async () => {
  redis = await startRedis({ owned: true });
  const env = { JWT_SECRET: secret, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix, HISTORY_MAX_EVENTS: '200' };
  nodes = await Promise.all([startPlatformNode(env), startPlatformNode(env), startPlatformNode(env)]);
});

afterAll(async () => {
  for (const instance of clients) instance.destroy();
  await Promise.all(nodes.map((node) => node.stop()));
  await redis.stop();
});

describe('three nodes sharing Redis', () => {
  it('delivers a publish on one node to subscribers on every node, each once', async () => {
    const backend = await token('backend');
    const subscribers = nodes.map((node) => client(node.url, { token: backend }));
    for (const [i, subscriber] of subscribers.entries()) subscriber.subscribe({ topic: 'fleet.moved', filter: { lane: i } });
    await Promise.all(subscribers.map((subscriber) => subscriber.ready()));
    const received = subscribers.map((subscriber) => collect(subscriber, 'event'));

    for (let i = 0; i < 3; i += 1) await restPublish(nodes[0]!, 'fleet.moved', { lane: i, from: 'node0' }, backend);
    await restPublish(nodes[2]!, 'fleet.moved', { lane: 0, from: 'node2' }, backend);
    await Promise.all([received[0]!.until(2), received[1]!.until(1), received[2]!.until(1)]);
    expect(received[0]!.values.map((event) => event.payload.from)).toEqual(['node0', 'node2']);
    expect(received[1]!.values.map((event) => event.payload.lane)).toEqual([1]);
    expect(received[2]!.values.map((event) => event.payload.lane)).toEqual([2]);
    // Offsets come from one counter in Redis: ordered across nodes.
    const offsets = received[0]!.values.map((event) => Number(event.metadata.offset?.split('-')[1]));
    expect(offsets[1]).toBeGreaterThan(offsets[0]!);
  });

  it('shows document changes made through one node to watchers on the others', async () => {
    const backend = await token('backend');
    const writer = client(nodes[0]!.url, { token: backend });
    const watcher = client(nodes[2]!.url, { token: await token('watcher', ['client']) });
    await writer.sync.create('boards', { cards: 0 }, 'cluster-board');
    const seen: number[] = [];
    const reached = new Promise<void>((resolve) =>
      watcher.sync.subscribe('boards', 'cluster-board', (doc) => {
        seen.push(doc.data.cards as number);
        if (doc.data.cards === 2) resolve();
      }),
    );
    await watcher.ready();
    await writer.sync.merge('boards', 'cluster-board', { cards: 1 });
    await writer.sync.merge('boards', 'cluster-board', { cards: 2 });
    await reached;
    expect(seen.at(-1)).toBe(2);
    expect(seen).toEqual([...seen].sort());
  });

  it('recovers on another node after a reconnect: every event once, in order', async () => {
    const backend = await token('backend');
    const lb = await startBalancer(nodes[0]!.port);
    try {
      const roaming = client(lb.url, { token: await token('roaming', ['client']) });
      roaming.subscribe({ topic: 'ticks.roam' });
      await roaming.ready();
      const events = collect(roaming, 'event:ticks.roam');
      const resubscribed = collect(roaming, 'resubscribed');
      const total = 120;
      for (let n = 1; n <= total; n += 1) {
        await restPublish(nodes[2]!, 'ticks.roam', { n }, backend);
        if (n === 40) {
          lb.target(nodes[1]!.port);
          lb.cutAll();
        }
      }
      await events.until(total);
      expect(events.values.map((event) => event.payload.n)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(resubscribed.values.map((notice) => notice.recovered)).toEqual([true]);
    } finally {
      await lb.close();
    }
  });

  it('recovers when a node is killed mid-stream (SIGKILL), on a surviving node', async () => {
    const backend = await token('backend');
    const victim = await startPlatformNode({
      JWT_SECRET: secret,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      HISTORY_MAX_EVENTS: '200',
    });
    const lb = await startBalancer(victim.port);
    try {
      const survivor = client(lb.url, { token: await token('survivor', ['client']) });
      survivor.subscribe({ topic: 'ticks.crash' });
      await survivor.ready();
      const events = collect(survivor, 'event:ticks.crash');
      const total = 100;
      for (let n = 1; n <= total; n += 1) {
        await restPublish(nodes[0]!, 'ticks.crash', { n }, backend);
        if (n === 30) {
          lb.target(nodes[1]!.port);
          await victim.kill();
        }
      }
      await events.until(total);
      expect(events.values.map((event) => event.payload.n)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    } finally {
      await lb.close();
      await victim.kill();
    }
  });

  it('says recovered: false when the gap is larger than the shared history', async () => {
    const backend = await token('backend');
    const away = client(nodes[1]!.url, { token: await token('away', ['client']) });
    away.subscribe({ topic: 'ticks.gap' });
    await away.ready();
    away.disconnect();
    for (let n = 1; n <= 250; n += 1) await restPublish(nodes[0]!, 'ticks.gap', { n }, backend);
    const resubscribed = nextEvent(away, 'resubscribed');
    away.connect();
    expect(await resubscribed).toMatchObject({ recovered: false });
  });

  it('keeps serving local clients while Redis is down, reports it on /ready, and resumes across nodes when it returns', async () => {
    const backend = await token('backend');
    const local = client(nodes[0]!.url, { token: backend });
    const remote = client(nodes[1]!.url, { token: backend });
    local.subscribe({ topic: 'ops.alert' });
    remote.subscribe({ topic: 'ops.alert' });
    await Promise.all([local.ready(), remote.ready()]);
    expect((await fetch(`${nodes[0]!.url}/ready`)).status).toBe(200);

    await redis.kill();
    await expect.poll(async () => (await fetch(`${nodes[0]!.url}/ready`)).status, { timeout: 10_000 }).toBe(503);
    expect(await (await fetch(`${nodes[0]!.url}/ready`)).json()).toEqual({ status: 'degraded', checks: { redis: 'down' } });
    const duringOutage = nextEvent(local, 'event:ops.alert');
    await restPublish(nodes[0]!, 'ops.alert', { phase: 'outage' }, backend);
    expect((await duringOutage).payload).toEqual({ phase: 'outage' });

    await redis.restart();
    await expect.poll(async () => (await fetch(`${nodes[0]!.url}/ready`)).status, { timeout: 15_000 }).toBe(200);
    await expect.poll(async () => (await fetch(`${nodes[1]!.url}/ready`)).status, { timeout: 15_000 }).toBe(200);
    const acrossNodes = nextEvent(remote, 'event:ops.alert', (event) => event.payload.phase === 'after');
    // Cross-node delivery needs the subscriber connection of node 1 to be back: retry the publish
    // until it arrives rather than guessing when.
    let arrived = false;
    void acrossNodes.then(() => (arrived = true));
    await expect
      .poll(
        async () => {
          if (!arrived) await restPublish(nodes[0]!, 'ops.alert', { phase: 'after' }, backend);
          return arrived;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
    expect(local.connected && remote.connected).toBe(true);
    await stateReached(remote, 'connected');
  });
});
