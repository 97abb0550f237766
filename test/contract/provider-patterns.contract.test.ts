import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryPresenceStore, RedisPresenceStore } from '../../server/index.js';
import { startRedis } from '../support/redis.js';

// The Redis store matches data-provider patterns in Lua (server/presence/redis-presence-store.ts),
// a port of shared/id-pattern.ts. These tests pin that port to the memory store (which uses
// shared/id-pattern.ts) on random patterns, and check that it stays linear: a pattern that makes a
// backtracking matcher exponential would keep Redis busy in one script for good.
const redisServer = await startRedis();
const redis = new Redis(redisServer.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
await redis.connect();

let stores = 0;
function redisStore(): RedisPresenceStore {
  stores += 1;
  return new RedisPresenceStore(redis, `${redisServer.keyPrefix}-pp${stores}`);
}

afterAll(async () => {
  for await (const keys of redis.scanStream({ match: `${redisServer.keyPrefix}-pp*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await redisServer.stop();
});

describe('data-provider patterns in the Redis store', () => {
  const long = 'a'.repeat(500);

  it.each([
    ['***********!', long, `${long}!`],
    [`${'*a'.repeat(40)}*b`, long, `${long}b`],
    [`x/${'*a'.repeat(40)}*b/*`, `x/${long}/y`, `x/${long}b/y/z`],
    [`${'*'.repeat(200)}!`, long, `${long}!`],
  ])('answers %s at once, on an id that almost matches and on one that does', async (pattern, miss, hit) => {
    const store = redisStore();
    await store.addProvider('r', 'c1', [pattern], 'n1');
    expect(await store.objectPresence('r', miss)).toEqual({ id: miss, connectionStatus: 'disconnected', providerCount: 0 });
    expect(await store.objectPresence('r', hit)).toEqual({ id: hit, connectionStatus: 'connected', providerCount: 1 });
    // Registering an exact id checks whether a live pattern already covers it.
    expect(await store.addProvider('r', 'c2', [miss], 'n1')).toEqual([{ id: miss, connectionStatus: 'connected' }]);
  });

  it('agrees with the memory store on random patterns and ids', async () => {
    // Text that is special in Lua patterns or regexes, besides the separators and stars.
    const unit = fc.constantFrom('/', '*', 'a', 'b', '.', '%', '(', '-');
    const pattern = fc.string({ unit, minLength: 1, maxLength: 10 });
    const id = fc.string({ unit: fc.constantFrom('/', 'a', 'b', '.', '%', '(', '-'), minLength: 1, maxLength: 12 });
    const fill = fc.string({ unit: fc.constantFrom('/', 'a', 'b', '.'), maxLength: 3 });
    /** An id made from a pattern (each `*` replaced by some text), so that matches are common. */
    const relatedTo = (p: string) =>
      fc.array(fill, { minLength: p.length, maxLength: p.length }).map((fills) => [...p].map((char, i) => (char === '*' ? fills[i] : char)).join(''));
    const scenario = fc
      .array(pattern, { minLength: 1, maxLength: 3 })
      .chain((patterns) => fc.tuple(fc.constant(patterns), fc.array(fc.oneof(id, ...patterns.map(relatedTo)), { minLength: 1, maxLength: 4 })));
    await fc.assert(
      fc.asyncProperty(scenario, async ([patterns, probes]) => {
        const memory = new MemoryPresenceStore();
        const store = redisStore();
        expect(await store.addProvider('r', 'c1', patterns, 'n1')).toEqual(await memory.addProvider('r', 'c1', patterns, 'n1'));
        for (const probe of probes) expect(await store.objectPresence('r', probe)).toEqual(await memory.objectPresence('r', probe));
        expect(await store.addProvider('r', 'c2', probes, 'n1')).toEqual(await memory.addProvider('r', 'c2', probes, 'n1'));
        expect((await store.removeConnection('c1')).statusChanges).toEqual((await memory.removeConnection('c1')).statusChanges);
      }),
      { numRuns: 300 },
    );
  });
});
