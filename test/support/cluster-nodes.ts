import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { RealtimeClient, type RealtimeClientOptions } from '../../client/index.js';
import { createRealtimeServer, signToken, type RealtimeServer, type RealtimeServerOptions } from '../../server/index.js';
import type { RealtimeClaims } from '../../shared/index.js';
import type { RedisAdapterMode } from '../../server/cluster/redis-connection-options.js';
import type { RedisClusterTestServer } from './redis-cluster.js';

/**
 * Several platform nodes in this process sharing one Redis Cluster, with client helpers.
 *
 * @example
 * const client = await nodes.client(1, await nodes.token('alice'));
 */
export interface ClusterNodes {
  urls: string[];
  servers: RealtimeServer[];
  /** A token for `sub` in realm `demo` with these claims (default: the `service` role). */
  token(sub: string, claims?: Omit<RealtimeClaims, 'sub' | 'exp' | 'iat'>): Promise<string>;
  /** A connected client of node `index` (destroyed by `close`). */
  client(index: number, token: string, options?: Partial<RealtimeClientOptions>): Promise<RealtimeClient>;
  /** Closes the clients and the nodes (the Redis Cluster belongs to the caller). */
  close(): Promise<void>;
}

/**
 * What {@link startClusterNodes} starts.
 *
 * @example
 * const options: ClusterNodesOptions = { redis, count: 3, adapter: 'classic' };
 */
export interface ClusterNodesOptions {
  redis: RedisClusterTestServer;
  /** @default 2 */
  count?: number;
  /** @default 'sharded' */
  adapter?: RedisAdapterMode;
  server?: Partial<RealtimeServerOptions>;
}

/**
 * Starts `count` nodes as `npm start` does with `REDIS_CLUSTER_NODES` (and `REDIS_ADAPTER`), in
 * this process, so a client of one node and a client of another meet only through the cluster.
 *
 * @example
 * const nodes = await startClusterNodes({ redis: await startRedisCluster(), count: 3 });
 */
export async function startClusterNodes(options: ClusterNodesOptions): Promise<ClusterNodes> {
  const secret = randomBytes(32).toString('base64url');
  const start = async (): Promise<[RealtimeServer, string]> => {
    const server = createRealtimeServer({
      port: 0,
      host: '127.0.0.1',
      auth: { secret },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      redis: { clusterNodes: options.redis.nodes, keyPrefix: options.redis.keyPrefix, adapter: options.adapter ?? 'sharded' },
      ...options.server,
    });
    const { url } = await server.listen();
    return [server, url];
  };
  const started = await Promise.all(Array.from({ length: options.count ?? 2 }, start));
  const servers = started.map(([server]) => server);
  const urls = started.map(([, url]) => url);
  const clients = new Set<RealtimeClient>();
  return {
    urls,
    servers,
    token: (sub, claims = { realm: 'demo', permissions: ['service'] }) => signToken({ sub, secret, expiresIn: '1h', claims }),
    client: async (index, token, clientOptions = {}) => {
      const url = urls[index];
      if (url === undefined) throw new Error(`no node ${index}`);
      const client = new RealtimeClient({ url, token, reconnectionDelay: 50, reconnectionDelayMax: 200, ...clientOptions });
      clients.add(client);
      await client.ready();
      return client;
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await Promise.all(servers.map((server) => server.close()));
    },
  };
}
