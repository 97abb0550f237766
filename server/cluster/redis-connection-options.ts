/**
 * How cross-node traffic travels through Redis.
 *
 * - `classic`: `@socket.io/redis-adapter`'s `createAdapter` and `serverSideEmit` for topic
 *   events: every node receives every broadcast (plain PUBLISH/PSUBSCRIBE; in a Redis Cluster
 *   every message is also copied to every shard).
 * - `sharded`: Redis 7 sharded pub/sub (`createShardedAdapter`, SPUBLISH/SSUBSCRIBE) and one
 *   sharded channel per topic room, so a node receives a room's broadcasts and a topic's events
 *   only while it has local members or subscribers; each channel lives on one shard.
 */
export type RedisAdapterMode = 'classic' | 'sharded';

/**
 * Where the shared Redis is and how nodes use it: one server (`url`) or a Redis Cluster
 * (`clusterNodes`, some of its `host:port` seeds; ioredis discovers the rest).
 *
 * @example
 * const options: RedisConnectionOptions = { clusterNodes: ['10.0.0.1:7000', '10.0.0.2:7000'], adapter: 'sharded' };
 */
export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL of one Redis server. Exactly one of `url` and `clusterNodes`. */
  url?: string;
  /** Seed nodes of a Redis Cluster, `host:port` each. Exactly one of `url` and `clusterNodes`. */
  clusterNodes?: string[];
  /**
   * Prefix of every key and channel, so several deployments (or test runs) can share one Redis.
   * @default 'rt'
   */
  keyPrefix?: string;
  /**
   * Classic or sharded pub/sub between nodes (see {@link RedisAdapterMode}). Sharded needs Redis 7.
   * @default 'classic'
   */
  adapter?: RedisAdapterMode;
}

/**
 * A Redis Cluster seed node, as ioredis's `Cluster` takes it.
 *
 * @example
 * const seed: ClusterSeed = { host: '10.0.0.1', port: 7000 };
 */
export interface ClusterSeed {
  host: string;
  port: number;
}

/**
 * Parses `host:port,host:port` (`REDIS_CLUSTER_NODES`); throws on an empty list or a bad entry.
 *
 * @example
 * parseClusterNodes('127.0.0.1:7000,127.0.0.1:7001'); // [{ host: '127.0.0.1', port: 7000 }, ...]
 */
export function parseClusterNodes(nodes: readonly string[] | string): ClusterSeed[] {
  const list = typeof nodes === 'string' ? nodes.split(',') : nodes;
  const seeds = list
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
      const port = Number(match?.[2]);
      if (match?.[1] === undefined || !(port > 0 && port < 65536)) throw new Error(`Redis Cluster node "${entry}" is not host:port`);
      return { host: match[1].replace(/^\[|\]$/g, ''), port };
    });
  if (seeds.length === 0) throw new Error('Redis Cluster needs at least one host:port node');
  return seeds;
}
