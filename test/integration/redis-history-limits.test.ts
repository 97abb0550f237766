import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisEventHistory } from '../../server/history/redis-event-history.js';
import { jsonByteLength } from '../../server/sync/json-data.js';
import type { RealtimeEvent, StreamPosition } from '../../shared/index.js';
import { startRedis } from '../support/redis.js';

const redisServer = await startRedis();
const redis = new Redis(redisServer.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect();
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

let prefixes = 0;
/** A key prefix of each test's own, so that its keys can be listed. */
function uniquePrefix(): string {
  prefixes += 1;
  return `${redisServer.keyPrefix}p${prefixes}`;
}

function sized(realm: string, topic: string, n: number, bytes: number): RealtimeEvent {
  const draft: RealtimeEvent = { id: `e${n}`, topic, source: 'api', type: 't', payload: { n, pad: '' }, metadata: { timestamp: 0, realm } };
  draft.payload['pad'] = 'x'.repeat(bytes - jsonByteLength(draft));
  return draft;
}

async function keysOf(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Resolves once Redis holds no key under `prefix` (they expire), or fails after `timeoutMs`. */
async function keysExpired(prefix: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await keysOf(prefix)).length === 0) return;
    if (Date.now() > deadline) throw new Error(`keys under ${prefix} still there after ${timeoutMs} ms: ${(await keysOf(prefix)).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('RedisEventHistory limits', () => {
  it('gives every key it writes a TTL of at most maxAgeMs', async () => {
    const prefix = uniquePrefix();
    const history = new RedisEventHistory(redis, { maxAgeMs: 60_000 }, prefix);
    await history.append(sized('demo', 'order.updated', 1, 200));
    await history.append(sized('demo', 'channel:lobby', 2, 200));
    await history.head('demo', 'never.published');
    await history.head('other', 'channel:quiet');
    const keys = await keysOf(prefix);
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect({ key, ttl: ttl > 0 && ttl <= 60_000 }).toEqual({ key, ttl: true });
    }
  });

  it('drops a stream idle for maxAgeMs: a client resuming it gets recovered: false and a new epoch', async () => {
    const prefix = uniquePrefix();
    const history = new RedisEventHistory(redis, { maxAgeMs: 300 }, prefix);
    const first = await history.append(sized('demo', 'a.b', 1, 200));
    await history.append(sized('demo', 'a.b', 2, 200));
    await keysExpired(prefix, 5000);
    expect(await history.since('demo', 'a.b', first)).toMatchObject({ recovered: false, events: [] });
    const again = await history.append(sized('demo', 'a.b', 3, 200));
    expect(again.epoch).not.toBe(first.epoch);
    expect(again.offset).toBe('0-1');
  });

  it('keeps at most maxStreamBytes of one stream in Redis', async () => {
    const prefix = uniquePrefix();
    const history = new RedisEventHistory(redis, { maxStreamBytes: 64 * 1024 }, prefix);
    const payload = 20 * 1024;
    let last: StreamPosition | undefined;
    for (let n = 1; n <= 40; n += 1) last = await history.append(sized('demo', 'big.stream', n, payload));
    const streams = [];
    for (const key of await keysOf(prefix)) if ((await redis.type(key)) === 'stream') streams.push(key);
    expect(streams).toHaveLength(1);
    const entries = await redis.xrange(streams[0]!, '-', '+');
    const stored = entries.reduce((sum, [, fields]) => sum + Buffer.byteLength(fields[1] ?? ''), 0);
    expect(entries.length).toBe(3);
    expect(stored).toBeLessThanOrEqual(64 * 1024);
    const replay = await history.since('demo', 'big.stream', { epoch: last!.epoch, offset: '0-37' });
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((event) => event.payload['n'])).toEqual([38, 39, 40]);
  });

  it('frees the realm budget of a stream whose keys expired while the realm stayed busy', async () => {
    const prefix = uniquePrefix();
    const history = new RedisEventHistory(redis, { maxStreamBytes: 10_000, maxRealmBytes: 1000 }, prefix);
    for (let n = 1; n <= 3; n += 1) await history.append(sized('demo', 'gone', n, 300));
    // As if the stream's keys had expired on their own (only the realm's bookkeeping is left).
    for (const key of await keysOf(prefix)) if (key.endsWith(':gone')) await redis.del(key);
    const start = await history.append(sized('demo', 'busy', 4, 300));
    await history.append(sized('demo', 'busy', 5, 300));
    await history.append(sized('demo', 'busy', 6, 300));
    const replay = await history.since('demo', 'busy', { epoch: start.epoch, offset: '0-0' });
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((event) => event.payload['n'])).toEqual([4, 5, 6]);
  });
});
