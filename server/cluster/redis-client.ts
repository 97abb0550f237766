import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseClusterNodes, type RedisConnectionOptions } from './redis-connection-options.js';

/**
 * One connection to the shared Redis: a single server's client or a Redis Cluster's. Everything
 * that keeps state in Redis (history, presence, provider locks, rate limits) takes this type, so
 * the same code runs on both; its multi-key commands and scripts keep their keys in one hash slot.
 *
 * @example
 * async function ping(client: RedisClient) { return client.ping(); }
 */
export type RedisClient = Redis | Cluster;

/**
 * How one connection of a node behaves (see `RedisCluster`).
 *
 * @example
 * const behaviour: RedisClientBehaviour = { queueing: true, sharded: true }; // a sharded adapter's `sub`
 */
export interface RedisClientBehaviour {
  /** Queue commands while Redis is away instead of failing them at once. */
  queueing: boolean;
  /** A Redis Cluster subscriber that must also serve SSUBSCRIBE (sharded channels on each shard). */
  sharded?: boolean;
}

/**
 * Builds a lazy client (nothing connects until `connect()` or a first command) for a single Redis
 * (`url`) or a Redis Cluster (`clusterNodes`).
 *
 * @example
 * const data = createRedisClient({ clusterNodes: ['127.0.0.1:7000'] }, { queueing: false });
 */
export function createRedisClient(options: RedisConnectionOptions, behaviour: RedisClientBehaviour): RedisClient {
  const perRequest: RedisOptions = behaviour.queueing
    ? { enableOfflineQueue: true, maxRetriesPerRequest: null }
    : { enableOfflineQueue: false, maxRetriesPerRequest: 1 };
  const retryStrategy = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
  if (options.clusterNodes !== undefined && options.url !== undefined) throw new Error('Give Redis either a url or clusterNodes, not both');
  if (options.clusterNodes !== undefined) {
    return new Cluster(parseClusterNodes(options.clusterNodes), {
      lazyConnect: true,
      enableOfflineQueue: perRequest.enableOfflineQueue ?? true,
      clusterRetryStrategy: retryStrategy,
      shardedSubscribers: behaviour.sharded ?? false,
      redisOptions: { maxRetriesPerRequest: perRequest.maxRetriesPerRequest ?? null },
    });
  }
  if (options.url === undefined) throw new Error('Redis needs a url or clusterNodes');
  return new Redis(options.url, { lazyConnect: true, retryStrategy, ...perRequest });
}
