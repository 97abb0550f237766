import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventHistory, HistoryLimits } from '../../server/history/event-history.js';
import { MemoryEventHistory } from '../../server/history/memory-event-history.js';
import { RedisEventHistory } from '../../server/history/redis-event-history.js';
import { jsonByteLength } from '../../server/sync/json-data.js';
import { compareOffsets, type RealtimeEvent, type StreamPosition } from '../../shared/index.js';
import { startRedis } from '../support/redis.js';

const redisServer = await startRedis();
const redis = new Redis(redisServer.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
await redis.connect();
afterAll(async () => {
  redis.disconnect();
  await redisServer.stop();
});

let realms = 0;
function uniqueRealm(): string {
  realms += 1;
  return `${redisServer.keyPrefix}-r${realms}`;
}

function event(realm: string, topic: string, n: number): RealtimeEvent {
  return { id: `e${n}`, topic, source: 'api', type: 't', payload: { n }, metadata: { timestamp: Date.now(), realm } };
}

/** An event whose stored JSON is exactly `bytes` long. */
function sized(realm: string, topic: string, n: number, bytes: number): RealtimeEvent {
  const draft: RealtimeEvent = { id: `e${n}`, topic, source: 'api', type: 't', payload: { n, pad: '' }, metadata: { timestamp: 0, realm } };
  draft.payload['pad'] = 'x'.repeat(bytes - jsonByteLength(draft));
  return draft;
}

/** The start of a stream: a client that saw none of its events. */
function startOf(position: StreamPosition): StreamPosition {
  return { epoch: position.epoch, offset: '0-0' };
}

const implementations: { name: string; create: (limits?: HistoryLimits) => EventHistory }[] = [
  { name: 'memory', create: (limits) => new MemoryEventHistory(limits) },
  { name: `redis (${redisServer.kind})`, create: (limits) => new RedisEventHistory(redis, limits) },
];

describe.each(implementations)('EventHistory contract: $name', ({ create }) => {
  it('assigns increasing offsets within one epoch per stream', async () => {
    const history = create();
    const realm = uniqueRealm();
    const positions: StreamPosition[] = [];
    for (let n = 1; n <= 5; n += 1) positions.push(await history.append(event(realm, 'a.b', n)));
    expect(new Set(positions.map((p) => p.epoch)).size).toBe(1);
    for (let i = 1; i < positions.length; i += 1) expect(compareOffsets(positions[i]!.offset, positions[i - 1]!.offset)).toBeGreaterThan(0);
    expect(await history.head(realm, 'a.b')).toEqual(positions.at(-1));
  });

  it('replays exactly the events after a position, in order, with their positions', async () => {
    const history = create();
    const realm = uniqueRealm();
    const positions: StreamPosition[] = [];
    for (let n = 1; n <= 6; n += 1) positions.push(await history.append(event(realm, 'a.b', n)));
    const replay = await history.since(realm, 'a.b', positions[2]!);
    expect(replay.recovered).toBe(true);
    expect(replay.events.map((e) => e.payload.n)).toEqual([4, 5, 6]);
    expect(replay.events.map((e) => e.metadata.offset)).toEqual(positions.slice(3).map((p) => p.offset));
    expect(replay.events.every((e) => e.metadata.epoch === positions[0]!.epoch)).toBe(true);
    expect(await history.since(realm, 'a.b', positions[5]!)).toMatchObject({ recovered: true, events: [] });
  });

  it('keeps streams of different topics and realms apart', async () => {
    const history = create();
    const realmA = uniqueRealm();
    const realmB = uniqueRealm();
    const start = await history.append(event(realmA, 'x.y', 1));
    await history.append(event(realmB, 'x.y', 2));
    await history.append(event(realmA, 'x.z', 3));
    await history.append(event(realmA, 'x.y', 4));
    const replay = await history.since(realmA, 'x.y', start);
    expect(replay.events.map((e) => e.payload.n)).toEqual([4]);
  });

  it('says recovered: false when the gap was trimmed away', async () => {
    const history = create({ maxEvents: 3 });
    const realm = uniqueRealm();
    const positions: StreamPosition[] = [];
    for (let n = 1; n <= 6; n += 1) positions.push(await history.append(event(realm, 'a.b', n)));
    expect(await history.since(realm, 'a.b', positions[0]!)).toMatchObject({ recovered: false, events: [] });
    expect(await history.since(realm, 'a.b', positions[1]!)).toMatchObject({ recovered: false, events: [] });
    // Events 4-6 are still kept: the position of event 3, just before them, is covered.
    const recent = await history.since(realm, 'a.b', positions[2]!);
    expect(recent.recovered).toBe(true);
    expect(recent.events.map((e) => e.payload.n)).toEqual([4, 5, 6]);
  });

  it('says recovered: false for another epoch or a position from the future', async () => {
    const history = create();
    const realm = uniqueRealm();
    const position = await history.append(event(realm, 'a.b', 1));
    expect(await history.since(realm, 'a.b', { epoch: 'other', offset: position.offset })).toMatchObject({ recovered: false });
    expect(await history.since(realm, 'a.b', { epoch: position.epoch, offset: '99999999999999-0' })).toMatchObject({ recovered: false });
  });

  it('keeps at most maxStreamBytes per stream, oldest evicted, and says recovered: false past them', async () => {
    const history = create({ maxStreamBytes: 1000 });
    const realm = uniqueRealm();
    const positions: StreamPosition[] = [];
    for (let n = 1; n <= 8; n += 1) positions.push(await history.append(sized(realm, 'a.b', n, 300)));
    expect(await history.since(realm, 'a.b', positions[3]!)).toMatchObject({ recovered: false, events: [] });
    const kept = await history.since(realm, 'a.b', positions[4]!);
    expect(kept.recovered).toBe(true);
    expect(kept.events.map((e) => e.payload.n)).toEqual([6, 7, 8]);
  });

  it('keeps at most maxRealmBytes per realm, evicting its oldest events whatever their stream', async () => {
    const history = create({ maxStreamBytes: 10_000, maxRealmBytes: 1000 });
    const [acme, other] = [uniqueRealm(), uniqueRealm()];
    const one = await history.append(sized(acme, 'one', 1, 300));
    await history.append(sized(acme, 'two', 2, 300));
    const elsewhere = await history.append(sized(other, 'one', 3, 300));
    await history.append(sized(acme, 'two', 4, 300));
    expect((await history.since(acme, 'one', startOf(one))).recovered).toBe(true);
    await history.append(sized(acme, 'two', 5, 300)); // 1200 > 1000: event 1 goes
    expect((await history.since(acme, 'one', startOf(one))).recovered).toBe(false);
    const kept = await history.since(acme, 'two', startOf(await history.head(acme, 'two')));
    expect(kept).toMatchObject({ recovered: true });
    expect(kept.events.map((e) => e.payload.n)).toEqual([2, 4, 5]);
    expect((await history.since(other, 'one', startOf(elsewhere))).events.map((e) => e.payload.n)).toEqual([3]);
  });

  it('holds at most maxStreamsPerRealm streams per realm; a dropped stream comes back with a new epoch', async () => {
    const history = create({ maxStreamsPerRealm: 2 });
    const realm = uniqueRealm();
    const a = await history.append(sized(realm, 'a', 1, 200));
    await history.append(sized(realm, 'b', 2, 200));
    await history.append(sized(realm, 'c', 3, 200)); // "a" is both the least recently used and the oldest
    expect((await history.since(realm, 'a', startOf(a))).recovered).toBe(false);
    expect((await history.head(realm, 'a')).epoch).not.toBe(a.epoch);
  });

  it('never lets subscribers of made-up topics push out a stream that holds events', async () => {
    const history = create({ maxStreamsPerRealm: 3 });
    const realm = uniqueRealm();
    const orders = await history.append(sized(realm, 'orders', 1, 200));
    // Every subscribe asks for the head; a reconnect asks again.
    for (let round = 0; round < 2; round += 1) {
      for (let n = 0; n < 20; n += 1) await history.head(realm, `made.up${n}`);
    }
    const replay = await history.since(realm, 'orders', startOf(orders));
    expect(replay.recovered).toBe(true);
    expect(replay.events).toHaveLength(1);
  });
});

describe('RedisEventHistory keys', () => {
  it('keeps counting a stream that never had an event, so heads of made-up topics stay within maxStreamsPerRealm', async () => {
    const history = new RedisEventHistory(redis, { maxStreamsPerRealm: 3 });
    const realm = uniqueRealm();
    for (let n = 0; n < 20; n += 1) {
      // Subscribed twice (a reconnect) before any event: the second used to un-count the stream.
      await history.head(realm, `made.up${n}`);
      await history.head(realm, `made.up${n}`);
    }
    const metas = (await redis.keys(`*${realm}*`)).filter((key) => key.includes('made.up'));
    expect(metas.length).toBeLessThanOrEqual(3);
  });
});
