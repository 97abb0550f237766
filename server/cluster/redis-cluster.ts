import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** How a node reaches the shared Redis. */
export interface RedisClusterOptions {
  /** `redis://` or `rediss://` URL. */
  url: string;
  /**
   * Prefix of every key and channel, so several deployments (or test runs) can share one Redis.
   * @default 'rt'
   */
  keyPrefix?: string;
  logger: Logger;
}

/** Connects a lazy client, or waits for one that a first command already started connecting. */
async function connected(client: Redis): Promise<void> {
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
 * broadcasts and `serverSideEmit`), and `data` for shared state (event history, presence).
 *
 * Why this exists: when Redis goes away the node must keep serving its own clients, report the
 * degradation, and carry on across nodes when Redis returns, without a restart. ioredis reconnects
 * by itself; commands fail fast instead of queueing while it is down (so requests answer
 * `UNAVAILABLE` rather than hang), and every state change is logged once.
 *
 * @example
 * const cluster = new RedisCluster({ url: process.env.REDIS_URL, logger });
 * await cluster.connect();
 * io.adapter(cluster.adapter());
 */
export class RedisCluster {
  readonly pub: Redis;
  readonly sub: Redis;
  readonly data: Redis;
  readonly keyPrefix: string;
  private readonly down = new Set<string>();
  private closing = false;

  constructor(private readonly options: RedisClusterOptions) {
    this.keyPrefix = options.keyPrefix ?? 'rt';
    const common = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
    };
    // The adapter's clients queue while Redis is away (the adapter does not handle failed
    // commands), so cross-node traffic resumes when it returns.
    const queueing = { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null };
    this.pub = this.watch('pub', new Redis(options.url, queueing));
    this.sub = this.watch('sub', new Redis(options.url, queueing));
    this.data = this.watch('data', new Redis(options.url, common));
  }

  /** Connects all three clients; rejects when Redis cannot be reached. */
  async connect(): Promise<void> {
    await Promise.all([this.pub, this.sub, this.data].map(connected));
  }

  /** The Socket.IO adapter over these connections. */
  adapter(): ReturnType<typeof createAdapter> {
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

  private watch(name: string, client: Redis): Redis {
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
