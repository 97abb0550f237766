import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryProviderLocks, RedisProviderLocks, type ProviderLocks, type StreamRef } from '../../server/index.js';
import { startRedis } from '../support/redis.js';

// One suite for both lock stores: the memory one (a server alone) and the Redis one (a cluster,
// where two nodes may try to take one stream at the same moment).
const redisServer = await startRedis();
const redis = new Redis(redisServer.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
await redis.connect();
let prefixes = 0;

afterAll(async () => {
  for await (const keys of redis.scanStream({ match: `${redisServer.keyPrefix}-pl*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await redisServer.stop();
});

const stores: [string, () => ProviderLocks][] = [
  ['memory', () => new MemoryProviderLocks()],
  [
    'redis',
    () => {
      prefixes += 1;
      return new RedisProviderLocks(redis, `${redisServer.keyPrefix}-pl${prefixes}`);
    },
  ],
];

const stream: StreamRef = { realm: 'demo', kind: 'topic', name: 'prices.eur' };

describe.each(stores)('ProviderLocks (%s)', (_name, create) => {
  it('gives a stream to one holder at a time, again to the same one, and frees it only for its holder', async () => {
    const locks = create();
    expect(await locks.holder(stream)).toBeUndefined();
    expect(await locks.acquire(stream, { connectionId: 'c1', pattern: 'prices.*' })).toBe('acquired');
    expect(await locks.acquire(stream, { connectionId: 'c1', pattern: 'prices.*' })).toBe('held');
    expect(await locks.acquire(stream, { connectionId: 'c2', pattern: '*' })).toBe('refused');
    expect(await locks.holder(stream)).toEqual({ connectionId: 'c1', pattern: 'prices.*' });
    expect(await locks.release(stream, 'c2')).toBe(false);
    expect(await locks.release(stream, 'c1')).toBe(true);
    expect(await locks.release(stream, 'c1')).toBe(false);
    expect(await locks.acquire(stream, { connectionId: 'c2', pattern: '*' })).toBe('acquired');
  });

  it('lets exactly one of many simultaneous takers win', async () => {
    const locks = create();
    const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => locks.acquire(stream, { connectionId: `c${i}`, pattern: '*' })));
    expect(wins.filter((outcome) => outcome === 'acquired')).toHaveLength(1);
    expect(wins.filter((outcome) => outcome === 'refused')).toHaveLength(19);
  });

  it('keeps streams of other realms, kinds and names apart, and a holder id that prefixes another is not it', async () => {
    const locks = create();
    await locks.acquire(stream, { connectionId: 'c1', pattern: '*' });
    for (const other of [
      { ...stream, realm: 'other' },
      { ...stream, kind: 'record' as const },
      { ...stream, name: 'prices.usd' },
    ]) {
      expect(await locks.holder(other)).toBeUndefined();
      expect(await locks.acquire(other, { connectionId: 'c2', pattern: '*' })).toBe('acquired');
    }
    expect(await locks.acquire(stream, { connectionId: 'c', pattern: '*' })).toBe('refused');
    expect(await locks.release(stream, 'c')).toBe(false);
  });
});
