import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import type { RedisClient } from '../../server/cluster/redis-client.js';
import { parseClusterNodes } from '../../server/cluster/redis-connection-options.js';
import { TopicChannels } from '../../server/cluster/topic-channels.js';
import { loadConfig } from '../../server/config.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import { SubscriptionIndex, topicRoom } from '../../server/events/subscription-index.js';
import { MemoryEventHistory } from '../../server/history/memory-event-history.js';
import type { RealtimeIo } from '../../server/socket-types.js';
import type { RealtimeEvent } from '../../shared/index.js';

/** A promise with its resolver, for answers the test gives when it chooses. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * A configurable fake of the Redis connections TopicChannels uses: SSUBSCRIBE and SPUBLISH are
 * answered when the test says so (or at once), and `deliver` plays a message arriving on a channel.
 */
class FakeRedis extends EventEmitter {
  status = 'ready';
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  readonly published: { channel: string; message: string }[] = [];
  /** Set to hold the next SSUBSCRIBE / SPUBLISH answers until resolved. */
  hold: ReturnType<typeof deferred> | undefined;

  ssubscribe(channel: string): Promise<number> {
    this.subscribed.push(channel);
    return (this.hold?.promise ?? Promise.resolve()).then(() => 1);
  }

  sunsubscribe(channel: string): Promise<number> {
    this.unsubscribed.push(channel);
    return Promise.resolve(0);
  }

  spublish(channel: string, message: string): Promise<number> {
    this.published.push({ channel, message });
    return (this.hold?.promise ?? Promise.resolve()).then(() => 1);
  }

  deliver(channel: string, message: unknown): void {
    this.emit('smessageBuffer', Buffer.from(channel), Buffer.from(JSON.stringify(message)));
  }
}

const logger = pino({ level: 'silent' });

function channels(redis: FakeRedis, readyTimeoutMs = 3000): TopicChannels {
  const client = redis as unknown as RedisClient;
  return new TopicChannels({ pub: client, sub: client, keyPrefix: 'rt', logger, readyTimeoutMs });
}

function event(topic: string, n: number): RealtimeEvent {
  return { id: `e${n}`, topic, source: 'api', type: 'tick', payload: { n }, metadata: { timestamp: 0, realm: 'demo' } };
}

/** Whether a promise has settled after the microtasks queued so far ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('TopicChannels', () => {
  it('is ready for a room only once Redis answered its SSUBSCRIBE', async () => {
    const redis = new FakeRedis();
    const relay = channels(redis);
    redis.hold = deferred();
    relay.open('demo:topic:a');
    const ready = relay.ready('demo:topic:a');
    expect(await settled(ready)).toBe(false);
    redis.hold.resolve();
    expect(await settled(ready)).toBe(true);
    expect(redis.subscribed).toEqual(['rt:topic#demo:topic:a']);
  });

  it('does not wait while Redis is unreachable, nor longer than readyTimeoutMs', async () => {
    const redis = new FakeRedis();
    redis.hold = deferred();
    const relay = channels(redis, 20);
    relay.open('demo:topic:a');
    await expect(relay.ready('demo:topic:a')).resolves.toBeUndefined(); // after 20 ms
    redis.status = 'reconnecting';
    relay.open('demo:topic:b');
    expect(await settled(relay.ready('demo:topic:b'))).toBe(true);
  });

  it("delivers other nodes' events of open rooms only, and drops its own", async () => {
    const redis = new FakeRedis();
    const relay = channels(redis);
    const delivered: unknown[] = [];
    relay.onEvent((e) => delivered.push(e.payload.n));
    relay.open('demo:topic:a');
    await relay.publish('demo:topic:a', event('a', 1));
    const own = JSON.parse(redis.published[0]?.message ?? '{}') as { n: string };
    redis.deliver('rt:topic#demo:topic:a', own); // our own publication coming back
    redis.deliver('rt:topic#demo:topic:a', { n: 'other-node', e: event('a', 2) });
    redis.deliver('rt:topic#demo:topic:b', { n: 'other-node', e: event('b', 3) }); // not open here
    redis.deliver('elsewhere#demo:topic:a', { n: 'other-node', e: event('a', 4) });
    expect(delivered).toEqual([2]);
    relay.close('demo:topic:a');
    redis.deliver('rt:topic#demo:topic:a', { n: 'other-node', e: event('a', 5) });
    expect(delivered).toEqual([2]);
    expect(redis.unsubscribed).toEqual(['rt:topic#demo:topic:a']);
    expect(relay.stats()).toEqual({ channels: 0, received: 1, published: 1 });
  });

  it('acknowledges a publish once Redis took it', async () => {
    const redis = new FakeRedis();
    const relay = channels(redis);
    redis.hold = deferred();
    const published = relay.publish('demo:topic:a', event('a', 1));
    expect(await settled(published)).toBe(false);
    redis.hold.resolve();
    expect(await settled(published)).toBe(true);
  });
});

describe('EventPublisher over a relay', () => {
  function publisherWith(redis: FakeRedis) {
    const io: RealtimeIo = new Server();
    const subscriptions = new SubscriptionIndex();
    const relay = channels(redis);
    const publisher = new EventPublisher({ io, subscriptions, history: new MemoryEventHistory(), logger, clustered: true, relay });
    return { subscriptions, publisher };
  }

  it("opens a room's channel with its first local subscription and closes it with the last", () => {
    const redis = new FakeRedis();
    const { subscriptions } = publisherWith(redis);
    const room = topicRoom('demo', 'a');
    const base = { realm: 'demo', topic: 'a', room, returnMode: 'full' as const };
    subscriptions.add({ ...base, id: 's1', socketId: 'c1' });
    subscriptions.add({ ...base, id: 's2', socketId: 'c2' });
    expect(redis.subscribed).toEqual(['rt:topic#demo:topic:a']);
    subscriptions.remove('c1', 's1');
    expect(redis.unsubscribed).toEqual([]);
    subscriptions.removeSocket('c2');
    expect(redis.unsubscribed).toEqual(['rt:topic#demo:topic:a']);
  });

  it('makes a new subscription wait for its channel, and publishes through the relay, not to every node', async () => {
    const redis = new FakeRedis();
    const { subscriptions, publisher } = publisherWith(redis);
    redis.hold = deferred();
    subscriptions.add({ id: 's1', socketId: 'c1', realm: 'demo', topic: 'a', room: topicRoom('demo', 'a'), returnMode: 'full' });
    const ready = publisher.ready('demo', 'a');
    expect(await settled(ready)).toBe(false);
    redis.hold.resolve();
    expect(await settled(ready)).toBe(true);
    await publisher.publish({ realm: 'demo', topic: 'a', source: 'api', type: 'tick', payload: { n: 1 } });
    expect(redis.published.map((entry) => entry.channel)).toEqual(['rt:topic#demo:topic:a']);
  });
});

describe('Redis Cluster configuration', () => {
  it('parses REDIS_CLUSTER_NODES and REDIS_ADAPTER, and refuses REDIS_URL with it', () => {
    expect(parseClusterNodes('10.0.0.1:7000, redis-b:7001')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(() => parseClusterNodes('10.0.0.1')).toThrow(/host:port/);
    const config = loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000', REDIS_ADAPTER: 'sharded' });
    expect(config.redis).toEqual({ clusterNodes: ['10.0.0.1:7000', '10.0.0.2:7000'], keyPrefix: 'rt', adapter: 'sharded' });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis).toMatchObject({ adapter: 'classic' });
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toThrow(/not both/);
    expect(() => loadConfig({ REDIS_ADAPTER: 'fast' })).toThrow(/REDIS_ADAPTER/);
  });
});
