import { afterEach, describe, expect, it } from 'vitest';
import { MemoryEventHistory } from '../../server/history/memory-event-history.js';
import type { HistoryLimits } from '../../server/history/event-history.js';
import { jsonByteLength } from '../../server/sync/json-data.js';
import type { RealtimeEvent, StreamPosition } from '../../shared/index.js';

/** An event whose stored JSON is exactly `bytes` long (for `bytes` ≥ the size of an empty one). */
function sized(realm: string, topic: string, n: number, bytes: number): RealtimeEvent {
  const draft: RealtimeEvent = { id: `e${n}`, topic, source: 'api', type: 't', payload: { n, pad: '' }, metadata: { timestamp: 0, realm } };
  draft.payload['pad'] = 'x'.repeat(bytes - jsonByteLength(draft));
  expect(jsonByteLength(draft)).toBe(bytes);
  return draft;
}

const histories: MemoryEventHistory[] = [];
function history(limits: HistoryLimits, now?: () => number): MemoryEventHistory {
  const created = new MemoryEventHistory(limits, now);
  histories.push(created);
  return created;
}
afterEach(async () => {
  for (const created of histories.splice(0)) await created.close();
});

async function keptNumbers(h: MemoryEventHistory, realm: string, topic: string, from: StreamPosition): Promise<unknown[]> {
  const replay = await h.since(realm, topic, from);
  return replay.events.map((event) => event.payload['n']);
}

describe('MemoryEventHistory byte bounds', () => {
  it('keeps at most maxStreamBytes per stream, evicting the oldest, and answers recovered: false past them', async () => {
    const h = history({ maxStreamBytes: 1000, maxRealmBytes: 100_000, maxNodeBytes: 100_000 });
    const positions: StreamPosition[] = [];
    for (let n = 1; n <= 10; n += 1) positions.push(await h.append(sized('demo', 'a.b', n, 300)));
    // 3 × 300 fits in 1000, a fourth would not: events 8, 9, 10 are kept.
    expect(h.usage('demo')).toEqual({ streams: 1, events: 3, bytes: 900 });
    expect(await h.since('demo', 'a.b', positions[5]!)).toMatchObject({ recovered: false, events: [] });
    expect(await keptNumbers(h, 'demo', 'a.b', positions[6]!)).toEqual([8, 9, 10]);
    expect((await h.since('demo', 'a.b', positions[6]!)).recovered).toBe(true);
  });

  it('keeps no event larger than the stream bound, and says so to anyone whose gap includes it', async () => {
    const h = history({ maxStreamBytes: 500 });
    const before = await h.append(sized('demo', 'a.b', 1, 200));
    const big = await h.append(sized('demo', 'a.b', 2, 600));
    expect(h.usage()).toMatchObject({ events: 0, bytes: 0 });
    expect((await h.since('demo', 'a.b', before)).recovered).toBe(false);
    expect(await h.since('demo', 'a.b', big)).toMatchObject({ recovered: true, events: [] });
  });

  it('keeps at most maxRealmBytes per realm, evicting the realm’s oldest events whatever their stream', async () => {
    const h = history({ maxStreamBytes: 10_000, maxRealmBytes: 1000, maxNodeBytes: 100_000 });
    const first = await h.append(sized('acme', 'one', 1, 300));
    await h.append(sized('acme', 'two', 2, 300));
    await h.append(sized('acme', 'two', 3, 300));
    const other = await h.append(sized('other', 'one', 4, 300));
    await h.append(sized('acme', 'two', 5, 300)); // acme holds 1200 > 1000: event 1 (stream "one") goes
    expect(h.usage('acme')).toEqual({ streams: 2, events: 3, bytes: 900 });
    expect((await h.since('acme', 'one', { epoch: first.epoch, offset: '0-0' })).recovered).toBe(false);
    // The other realm lost nothing.
    expect(h.usage('other')).toEqual({ streams: 1, events: 1, bytes: 300 });
    expect(await h.since('other', 'one', other)).toMatchObject({ recovered: true });
  });

  it('keeps at most maxNodeBytes in all, evicting the oldest events of the node', async () => {
    const h = history({ maxStreamBytes: 10_000, maxRealmBytes: 10_000, maxNodeBytes: 1000 });
    const a = await h.append(sized('r1', 't', 1, 300));
    const b = await h.append(sized('r2', 't', 2, 300));
    await h.append(sized('r3', 't', 3, 300));
    await h.append(sized('r3', 't', 4, 300));
    expect(h.usage()).toMatchObject({ events: 3, bytes: 900 });
    expect(h.usage('r1')).toMatchObject({ events: 0, bytes: 0 });
    expect((await h.since('r1', 't', { epoch: a.epoch, offset: '0-0' })).recovered).toBe(false);
    expect(await keptNumbers(h, 'r2', 't', { epoch: b.epoch, offset: '0-0' })).toEqual([2]);
    await h.append(sized('r1', 't', 5, 300));
    expect((await h.since('r2', 't', { epoch: b.epoch, offset: '0-0' })).recovered).toBe(false);
    expect(h.usage()).toMatchObject({ events: 3, bytes: 900 });
  });

  it('holds at most maxStreamsPerRealm streams per realm, dropping the least recently used', async () => {
    const h = history({ maxStreamsPerRealm: 2 });
    const a = await h.append(sized('demo', 'a', 1, 200));
    await h.append(sized('demo', 'b', 2, 200));
    await h.append(sized('demo', 'a', 3, 200)); // "b" is now the least recently used
    const b = await h.head('demo', 'b');
    await h.append(sized('demo', 'c', 4, 200));
    expect(h.usage('demo')).toEqual({ streams: 2, events: 3, bytes: 600 });
    expect((await h.since('demo', 'a', a)).recovered).toBe(true);
    // "b" was dropped: a client resuming it is told, and the stream starts a new epoch.
    expect((await h.since('demo', 'b', b)).recovered).toBe(false);
    expect((await h.head('demo', 'b')).epoch).not.toBe(b.epoch);
  });

  it('refuses limits that are not positive whole numbers', () => {
    expect(() => new MemoryEventHistory({ maxStreamBytes: 0 })).toThrow(RangeError);
    expect(() => new MemoryEventHistory({ maxNodeBytes: -1 })).toThrow(/maxNodeBytes/);
    expect(() => new MemoryEventHistory({ maxStreamsPerRealm: 1.5 })).toThrow(/maxStreamsPerRealm/);
  });
});

describe('MemoryEventHistory idle streams', () => {
  it('drops a stream with no event for maxAgeMs, and the stream comes back with a new epoch', async () => {
    let clock = 1_000_000;
    const h = history({ maxAgeMs: 60_000 }, () => clock);
    const quiet = await h.append(sized('demo', 'quiet', 1, 200));
    await h.head('demo', 'never.published');
    clock += 30_000;
    const busy = await h.append(sized('demo', 'busy', 2, 200));
    expect(h.usage()).toEqual({ streams: 3, events: 2, bytes: 400 });

    clock += 30_001; // "quiet" and "never.published" are idle for longer than 60 s now, "busy" is not
    expect(h.sweep()).toBe(2);
    expect(h.usage()).toEqual({ streams: 1, events: 1, bytes: 200 });
    expect((await h.since('demo', 'quiet', quiet)).recovered).toBe(false);
    expect((await h.head('demo', 'quiet')).epoch).not.toBe(quiet.epoch);
    expect(await h.since('demo', 'busy', { epoch: busy.epoch, offset: '0-0' })).toMatchObject({ recovered: true });
  });

  it('drops idle streams on append too, without waiting for the sweep', async () => {
    let clock = 0;
    const h = history({ maxAgeMs: 1000 }, () => clock);
    for (let n = 0; n < 50; n += 1) await h.append(sized('demo', `name.n${n}`, n, 200));
    expect(h.usage().streams).toBe(50);
    clock += 1001;
    await h.append(sized('demo', 'fresh', 99, 200));
    expect(h.usage()).toEqual({ streams: 1, events: 1, bytes: 200 });
  });

  it('forgets expired events of a stream that is still in use', async () => {
    let clock = 0;
    const h = history({ maxAgeMs: 1000 }, () => clock);
    const start = await h.append(sized('demo', 'a.b', 1, 200));
    clock += 600;
    await h.append(sized('demo', 'a.b', 2, 200));
    clock += 600; // event 1 is older than maxAgeMs, event 2 is not
    expect(h.sweep()).toBe(0);
    expect(h.usage()).toEqual({ streams: 1, events: 1, bytes: 200 });
    expect((await h.since('demo', 'a.b', { epoch: start.epoch, offset: '0-0' })).recovered).toBe(false);
    expect(await keptNumbers(h, 'demo', 'a.b', start)).toEqual([2]);
  });
});
