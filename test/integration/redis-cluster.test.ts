import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListenStopReasonOnClient, RealtimeClient } from '../../client/index.js';
import type { ChannelMessage, RealtimeEvent } from '../../shared/index.js';
import { topicRoom } from '../../server/events/subscription-index.js';
import { startClusterNodes, type ClusterNodes } from '../support/cluster-nodes.js';
import { startRedisCluster, type RedisClusterTestServer } from '../support/redis-cluster.js';
import { collectSocketEvents } from '../support/socket-wait.js';
import { collect, nextEvent } from '../support/wait.js';

// Platform nodes on a three-shard Redis Cluster that this file starts itself from redis-server
// (or REDIS_CLUSTER_NODES): three nodes with the sharded adapter (per-topic sharded channels), and
// two with the classic one on the same cluster under another key prefix.
let redis: RedisClusterTestServer;
let sharded: ClusterNodes;
let classic: ClusterNodes;
let admin: Cluster;

beforeAll(async () => {
  redis = await startRedisCluster();
  admin = new Cluster(redis.nodes.map((node) => ({ host: node.split(':')[0] ?? '', port: Number(node.split(':')[1]) })));
  sharded = await startClusterNodes({ redis, count: 3, adapter: 'sharded', server: { limits: { rpcAcceptTimeoutMs: 1000, listenAcceptTimeoutMs: 1000 } } });
  classic = await startClusterNodes({ redis: { ...redis, keyPrefix: `${redis.keyPrefix}c` }, count: 2, adapter: 'classic' });
});

afterAll(async () => {
  await sharded?.close();
  await classic?.close();
  admin?.disconnect();
  await redis?.stop();
});

async function service(nodes: ClusterNodes, index: number, sub: string): Promise<RealtimeClient> {
  return nodes.client(index, await nodes.token(sub));
}

function publish(nodes: ClusterNodes, index: number, topic: string, payload: Record<string, unknown>): Promise<RealtimeEvent> {
  const server = nodes.servers[index];
  if (server === undefined) throw new Error(`no node ${index}`);
  return server.publish({ realm: 'demo', topic, source: 'api', type: 'tick', payload });
}

/** How many connections subscribe to a sharded channel, summed over the cluster's masters. */
async function shardSubscribers(channel: string): Promise<number> {
  const counts = await Promise.all(
    admin.nodes('master').map(async (node) => Number(((await node.call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number])[1])),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

function channelOf(topic: string): string {
  const channels = sharded.servers[0]?.services.topicChannels;
  if (channels === undefined) throw new Error('the sharded nodes have no topic channels');
  return channels.channel(topicRoom('demo', topic));
}

function received(index: number): number {
  return sharded.servers[index]?.services.topicChannels?.stats().received ?? Number.NaN;
}

describe('three nodes on a Redis Cluster, sharded adapter', () => {
  it('delivers topic events across nodes, ordered by one history counter', async () => {
    const subscribers = await Promise.all([1, 2].map((index) => service(sharded, index, `watcher-${index}`)));
    for (const subscriber of subscribers) subscriber.subscribe({ topic: 'fleet.moved' });
    await Promise.all(subscribers.map((subscriber) => subscriber.ready()));
    const inboxes = subscribers.map((subscriber) => collect(subscriber, 'event:fleet.moved'));
    for (let n = 1; n <= 3; n += 1) await publish(sharded, n === 2 ? 2 : 0, 'fleet.moved', { n });
    await Promise.all(inboxes.map((inbox) => inbox.until(3)));
    for (const inbox of inboxes) {
      expect(inbox.values.map((event) => event.payload.n)).toEqual([1, 2, 3]);
      const offsets = inbox.values.map((event) => Number(event.metadata.offset?.split('-')[1]));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    }
  });

  it('sends a topic only to the nodes with subscribers of it, and unsubscribes the channel with the last one', async () => {
    const topic = 'only.node1';
    const subscriber = await service(sharded, 1, 'only-1');
    const id = subscriber.subscribe({ topic });
    await subscriber.ready();
    expect(await shardSubscribers(channelOf(topic))).toBe(1);
    const inbox = collect(subscriber, `event:${topic}`);
    const before = [received(1), received(2)];
    for (let n = 1; n <= 5; n += 1) await publish(sharded, 0, topic, { n });
    await inbox.until(5);
    // A sentinel on a topic node 2 does subscribe to, published after: once it has arrived there,
    // node 2 would have had the five events too (one connection, one shard order per channel).
    const control = await service(sharded, 2, 'control');
    control.subscribe({ topic: 'control.node2' });
    await control.ready();
    const sentinel = nextEvent(control, 'event:control.node2');
    await publish(sharded, 0, 'control.node2', { n: 0 });
    await sentinel;
    expect(received(1) - (before[0] ?? 0)).toBe(5);
    expect(received(2) - (before[1] ?? 0)).toBe(1);

    subscriber.unsubscribe(id);
    await expect.poll(() => shardSubscribers(channelOf(topic)), { timeout: 5000 }).toBe(0);
  });

  it('misses nothing published after a subscription is acknowledged, while its node is still joining the channel', async () => {
    for (let round = 0; round < 5; round += 1) {
      const topic = `race.${round}`;
      const acked: { n: number; after: boolean }[] = [];
      let subscribed = false;
      let n = 0;
      let stop = false;
      const publishing = (async () => {
        while (!stop) {
          n += 1;
          const value = n;
          await publish(sharded, 0, topic, { n: value });
          acked.push({ n: value, after: subscribed });
        }
      })();
      const subscriber = await service(sharded, 2, `racer-${round}`);
      const inbox = collect(subscriber, `event:${topic}`);
      subscriber.subscribe({ topic });
      await subscriber.ready();
      subscribed = true;
      await new Promise<void>((resolve) => {
        const check = () => (acked.filter((entry) => entry.after).length >= 20 ? resolve() : setImmediate(check));
        check();
      });
      stop = true;
      await publishing;
      const expected = acked.filter((entry) => entry.after).map((entry) => entry.n);
      await inbox.until(expected.length);
      await expect.poll(() => expected.every((value) => inbox.values.some((event) => event.payload.n === value)), { timeout: 5000 }).toBe(true);
      subscriber.destroy();
    }
  });

  it('recovers what a client missed from the history kept in the cluster', async () => {
    const subscriber = await service(sharded, 1, 'away');
    subscriber.subscribe({ topic: 'ticks.away' });
    await subscriber.ready();
    const inbox = collect(subscriber, 'event:ticks.away');
    for (let n = 1; n <= 3; n += 1) await publish(sharded, 0, 'ticks.away', { n });
    await inbox.until(3);
    subscriber.disconnect();
    for (let n = 4; n <= 20; n += 1) await publish(sharded, n % 2 === 0 ? 0 : 2, 'ticks.away', { n });
    const resubscribed = nextEvent(subscriber, 'resubscribed');
    subscriber.connect();
    expect(await resubscribed).toMatchObject({ topic: 'ticks.away', recovered: true });
    await publish(sharded, 2, 'ticks.away', { n: 21 });
    await inbox.until(21);
    expect(inbox.values.map((event) => event.payload.n)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('shares channel presence and messages between nodes', async () => {
    const members = [await service(sharded, 0, 'alice'), await service(sharded, 1, 'bob'), await service(sharded, 2, 'carol')];
    for (const member of members) await member.socketClient.joinChannel('lobby');
    const listed = await members[2]!.socketClient.members('lobby');
    expect(listed.map((member) => member.userId).sort()).toEqual(['alice', 'bob', 'carol']);
    const inboxes = members.map((member) => collectSocketEvents(member.socketClient, 'message'));
    await members[0]!.socketClient.publish('lobby', 'say', { text: 'hi' });
    await Promise.all(inboxes.map((inbox) => inbox.until(1)));
    for (const inbox of inboxes) expect(inbox.values.map((message: ChannelMessage) => message.from.userId)).toEqual(['alice']);
  });

  it('offers a listened topic to a provider on another node, with the provider lock in the cluster', async () => {
    const provider = await service(sharded, 0, 'price-feed');
    const starts: string[] = [];
    const stopped = new Promise<ListenStopReasonOnClient>((resolve) => {
      void provider.listen('prices.*', (match, response) => {
        starts.push(match);
        response.accept();
        response.onStop(resolve);
      });
    });
    const trader = await service(sharded, 1, 'trader');
    const provided = new Promise<void>((resolve) => trader.listening.onProviderChanged((change) => change.hasProvider && resolve()));
    const id = trader.subscribe({ topic: 'prices.eur' });
    await trader.ready();
    await provided;
    expect(starts).toEqual(['prices.eur']);
    await expect(trader.listening.hasProvider('prices.eur')).resolves.toBe(true);
    trader.unsubscribe(id);
    expect(await stopped).toBe('no-subscribers');
  });

  it('offers a listener the streams already subscribed on other nodes (the sharded adapter cannot list rooms itself)', async () => {
    const reader = await service(sharded, 2, 'reader');
    reader.subscribe({ topic: 'news.sports' });
    await reader.ready();
    const listener = await service(sharded, 0, 'news-feed');
    const offered = new Promise<string>((resolve) => {
      void listener.listen('news.*', (match, response) => {
        response.accept();
        resolve(match);
      });
    });
    expect(await offered).toBe('news.sports');
  });

  it('routes an RPC from a caller on one node to a provider on another', async () => {
    const provider = await service(sharded, 2, 'math');
    const caller = await service(sharded, 0, 'caller');
    await provider.rpc.provide('math/add', (data, response) => {
      const { a, b } = data as { a: number; b: number };
      response.send(a + b);
    });
    await expect(caller.rpc.make('math/add', { a: 2, b: 40 })).resolves.toBe(42);
  });
});

describe('two nodes on the same Redis Cluster, classic adapter', () => {
  it('delivers topic events across nodes and recovers from the cluster history', async () => {
    const subscriber = await service(classic, 1, 'classic');
    subscriber.subscribe({ topic: 'classic.ticks' });
    await subscriber.ready();
    const inbox = collect(subscriber, 'event:classic.ticks');
    await publish(classic, 0, 'classic.ticks', { n: 1 });
    await inbox.until(1);
    subscriber.disconnect();
    await publish(classic, 0, 'classic.ticks', { n: 2 });
    const resubscribed = nextEvent(subscriber, 'resubscribed');
    subscriber.connect();
    expect(await resubscribed).toMatchObject({ recovered: true });
    await publish(classic, 0, 'classic.ticks', { n: 3 });
    await inbox.until(3);
    expect(inbox.values.map((event) => event.payload.n)).toEqual([1, 2, 3]);
    expect(classic.servers[0]?.services.topicChannels).toBeUndefined();
  });

  it('routes RPCs and lists presence across nodes (fetchSockets and acknowledged broadcasts over cluster pub/sub)', async () => {
    const provider = await service(classic, 1, 'classic-math');
    const caller = await service(classic, 0, 'classic-caller');
    await provider.rpc.provide('math/double', (data, response) => response.send((data as number) * 2));
    await expect(caller.rpc.make('math/double', 21)).resolves.toBe(42);
    await provider.socketClient.joinChannel('classic-lobby');
    await caller.socketClient.joinChannel('classic-lobby');
    const listed = await caller.socketClient.members('classic-lobby');
    expect(listed.map((member) => member.userId).sort()).toEqual(['classic-caller', 'classic-math']);
  });
});
