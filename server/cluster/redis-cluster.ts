import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createRedisClient, type RedisClient } from './redis-client.js';
import type { RedisAdapterMode, RedisConnectionOptions } from './redis-connection-options.js';

/**
 * How a node reaches the shared Redis (one server or a Redis Cluster), and its logger.
 *
 * @example
 * const options: RedisClusterOptions = { clusterNodes: ['10.0.0.1:7000'], adapter: 'sharded', logger };
 */
export interface RedisClusterOptions extends RedisConnectionOptions {
  logger: Logger;
}

/** Connects a lazy client, or waits for one that a first command already started connecting. */
async function connected(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') {
    await client.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('end', () => reject(new Error('Redis connection ended before it was ready')));
  });
}

/** Whether Redis is reachable right now. */
export type DependencyStatus = 'up' | 'down';

/**
 * The Redis connections of one node: `pub` and `sub` for the Socket.IO adapter (cross-node rooms,
 * broadcasts and `serverSideEmit`) and the sharded topic channels, and `data` for shared state
 * (event history, presence). Each is a single server's client or a Redis Cluster's
 * (`clusterNodes`); `adapter` chooses classic or sharded pub/sub (see {@link RedisAdapterMode}).
 *
 * Why this exists: when Redis goes away the node must keep serving its own clients, report the
 * degradation, and carry on across nodes when Redis returns, without a restart. ioredis reconnects
 * by itself; commands fail fast instead of queueing while it is down (so requests answer
 * `UNAVAILABLE` rather than hang), and every state change is logged once.
 *
 * @example
 * const cluster = new RedisCluster({ url: process.env.REDIS_URL, adapter: 'sharded', logger });
 * await cluster.connect();
 * io.adapter(cluster.adapter());
 */
export class RedisCluster {
  readonly pub: RedisClient;
  readonly sub: RedisClient;
  readonly data: RedisClient;
  readonly keyPrefix: string;
  /** Classic or sharded pub/sub between nodes. */
  readonly mode: RedisAdapterMode;
  private readonly down = new Set<string>();
  private closing = false;

  constructor(private readonly options: RedisClusterOptions) {
    this.keyPrefix = options.keyPrefix ?? 'rt';
    this.mode = options.adapter ?? 'classic';
    // The adapter's clients queue while Redis is away (the adapter does not handle failed
    // commands), so cross-node traffic resumes when it returns; data commands fail fast.
    this.pub = this.watch('pub', createRedisClient(options, { queueing: true }));
    this.sub = this.watch('sub', createRedisClient(options, { queueing: true, sharded: this.mode === 'sharded' }));
    this.data = this.watch('data', createRedisClient(options, { queueing: false }));
  }

  /** Connects all three clients; rejects when Redis cannot be reached. */
  async connect(): Promise<void> {
    await Promise.all([this.pub, this.sub, this.data].map(connected));
  }

  /**
   * The Socket.IO adapter over these connections. Sharded: `dynamic` subscriptions, so a node
   * subscribes to a room's channel while the room has members here (socket-id rooms and requests
   * such as `fetchSockets` and `serverSideEmit` share the namespace's main channel).
   */
  adapter(): ReturnType<typeof createAdapter> | ReturnType<typeof createShardedAdapter> {
    if (this.mode === 'sharded') {
      return createShardedAdapter(this.pub, this.sub, { channelPrefix: `${this.keyPrefix}:socket.io`, subscriptionMode: 'dynamic' });
    }
    return createAdapter(this.pub, this.sub, { key: `${this.keyPrefix}:socket.io`, requestsTimeout: 3000 });
  }

  /** `down` while any of the connections is. */
  get status(): DependencyStatus {
    return this.down.size === 0 ? 'up' : 'down';
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([this.pub.quit(), this.sub.quit(), this.data.quit()]);
    for (const client of [this.pub, this.sub, this.data]) client.disconnect();
  }

  private watch(name: string, client: RedisClient): RedisClient {
    const { logger } = this.options;
    client.on('ready', () => {
      if (this.down.delete(name)) logger.warn({ connection: name }, 'Redis is back; cross-node delivery resumes');
    });
    const lost = (err?: unknown) => {
      if (this.closing || this.down.has(name) || client.status === 'wait') return;
      this.down.add(name);
      logger.error({ connection: name, err }, 'Redis is unreachable; serving local clients only until it returns');
    };
    client.on('error', lost);
    client.on('close', () => lost());
    return client;
  }
}
