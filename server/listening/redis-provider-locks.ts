import type { RedisClient } from '../cluster/redis-client.js';
import type { AcquireOutcome, ProviderLocks, StreamHolder, StreamRef } from './provider-locks.js';

// The value is "<connectionId> <pattern>": connection ids and patterns hold no space.
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if not current then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
if string.sub(current, 1, string.len(ARGV[2]) + 1) == ARGV[2] .. ' ' then return 2 end
return 0`;

const RELEASE = `
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, string.len(ARGV[1]) + 1) == ARGV[1] .. ' ' then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

/**
 * {@link ProviderLocks} in Redis, shared by every node: one key per held stream,
 * `<prefix>:listen:<realm>:<kind>:<name>`, taken and freed by compare-and-set scripts. A key lives
 * while its provider holds the stream; a holder whose node died is found (its connection is gone)
 * and replaced the next time a node looks at the stream.
 *
 * @example
 * const locks = new RedisProviderLocks(cluster.data, cluster.keyPrefix);
 */
export class RedisProviderLocks implements ProviderLocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  async holder(stream: StreamRef): Promise<StreamHolder | undefined> {
    const value = await this.redis.get(this.key(stream));
    if (value === null) return undefined;
    const space = value.indexOf(' ');
    return { connectionId: value.slice(0, space), pattern: value.slice(space + 1) };
  }

  async acquire(stream: StreamRef, holder: StreamHolder): Promise<AcquireOutcome> {
    const reply = await this.redis.eval(ACQUIRE, 1, this.key(stream), `${holder.connectionId} ${holder.pattern}`, holder.connectionId);
    return reply === 1 ? 'acquired' : reply === 2 ? 'held' : 'refused';
  }

  async release(stream: StreamRef, connectionId: string): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key(stream), connectionId)) === 1;
  }

  private key({ realm, kind, name }: StreamRef): string {
    return `${this.keyPrefix}:listen:${realm}:${kind}:${name}`;
  }
}
