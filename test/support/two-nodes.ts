import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { RealtimeClient, type RealtimeClientOptions } from '../../client/index.js';
import { createRealtimeServer, signToken, type RealtimeServer, type RealtimeServerOptions } from '../../server/index.js';
import type { RealtimeClaims } from '../../shared/index.js';
import { startRedis, type RedisTestServer } from './redis.js';

/** Two platform nodes in this process sharing one Redis (and one JWT secret), with client helpers. */
export interface TwoNodes {
  urls: [string, string];
  servers: [RealtimeServer, RealtimeServer];
  redis: RedisTestServer;
  /** A token for `sub` in realm `demo` with these claims (default: the `service` role). */
  token(sub: string, claims?: Omit<RealtimeClaims, 'sub' | 'exp' | 'iat'>): Promise<string>;
  /** A connected client of node `index` (destroyed by `close`). */
  client(index: 0 | 1, token: string, options?: Partial<RealtimeClientOptions>): Promise<RealtimeClient>;
  close(): Promise<void>;
}

/**
 * Starts two nodes as `createRealtimeServer` does for `npm start` with `REDIS_URL`, in this
 * process, so that a test can set their limits (short RPC timeouts, say) and reach them as one
 * cluster: a client of node 0 and a client of node 1 meet only through Redis.
 *
 * @example
 * const nodes = await startTwoNodes({ limits: { rpcAcceptTimeoutMs: 300 } });
 */
export async function startTwoNodes(options: Partial<RealtimeServerOptions> = {}): Promise<TwoNodes> {
  const redis = await startRedis();
  const secret = randomBytes(32).toString('base64url');
  const start = async (): Promise<[RealtimeServer, string]> => {
    const server = createRealtimeServer({
      port: 0,
      host: '127.0.0.1',
      auth: { secret },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      // REDIS_ADAPTER=sharded runs the cluster suites on the sharded adapter (classic by default).
      redis: { url: redis.url, keyPrefix: redis.keyPrefix, adapter: process.env.REDIS_ADAPTER === 'sharded' ? 'sharded' : 'classic' },
      ...options,
    });
    const { url } = await server.listen();
    return [server, url];
  };
  const [[a, urlA], [b, urlB]] = await Promise.all([start(), start()]);
  const clients = new Set<RealtimeClient>();
  const urls: [string, string] = [urlA, urlB];
  return {
    urls,
    servers: [a, b],
    redis,
    token: (sub, claims = { realm: 'demo', permissions: ['service'] }) => signToken({ sub, secret, expiresIn: '1h', claims }),
    client: async (index, token, clientOptions = {}) => {
      const client = new RealtimeClient({ url: urls[index], token, reconnectionDelay: 50, reconnectionDelayMax: 200, ...clientOptions });
      clients.add(client);
      await client.ready();
      return client;
    },
    close: async () => {
      for (const client of clients) client.destroy();
      await Promise.all([a.close(), b.close()]);
      await redis.stop();
    },
  };
}
