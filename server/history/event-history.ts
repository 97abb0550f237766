import type { RealtimeEvent, StreamPosition } from '../../shared/index.js';

/** What a replay found. */
export interface ReplayResult {
  /** True when the history still covers everything after the requested position. */
  recovered: boolean;
  /** Events after the position, oldest first (empty when not recovered). */
  events: RealtimeEvent[];
  /** The stream's current epoch. */
  epoch: string;
}

/**
 * The bounded recent history of every topic stream (per realm and topic), so that a client that
 * was briefly disconnected can be sent what it missed.
 *
 * @example
 * const position = await history.append(event);       // assigns epoch + offset
 * const { recovered, events } = await history.since('demo', 'order.updated', position);
 */
export interface EventHistory {
  /** Records an event and returns its position; `event.metadata` is not modified. */
  append(event: RealtimeEvent): Promise<StreamPosition>;
  /** Events after `position` in the stream of (realm, topic), if the history still covers the gap. */
  since(realm: string, topic: string, position: StreamPosition): Promise<ReplayResult>;
  /** The position a new subscriber starts from (the stream's epoch and latest offset). */
  head(realm: string, topic: string): Promise<StreamPosition>;
  close(): Promise<void>;
}

/**
 * How much history is kept: per stream in events, age and bytes, per realm and per node in bytes,
 * and how many streams a realm may have. Sizes are the JSON byte length of the stored event; when a
 * bound is reached the oldest events go first (whoever's gap they were in is told
 * `recovered: false`), and a stream without events for `maxAgeMs` is dropped entirely.
 *
 * Why bytes as well as events: 1,000 events of 64 KiB are 64 MiB per stream, and stream names cost
 * nothing to make up, so an event count alone lets one client fill the heap.
 *
 * @example
 * const limits: HistoryLimits = { maxStreamBytes: 512 * 1024, maxRealmBytes: 8 * 1024 * 1024 };
 */
export interface HistoryLimits {
  /**
   * Most events kept per topic stream.
   * @default 1000
   */
  maxEvents?: number;
  /**
   * Longest time an event is kept, ms; a stream with no event for this long is dropped.
   * @default 300000 (5 minutes)
   */
  maxAgeMs?: number;
  /**
   * Most bytes (JSON of the stored events) kept per stream: 16 messages of the 64 KiB payload limit,
   * or the full 1,000 events of about 1 KiB each.
   * @default 1048576 (1 MiB)
   */
  maxStreamBytes?: number;
  /**
   * Most bytes kept for all streams of one realm together, so one tenant's traffic cannot push
   * every other tenant's history out of a node.
   * @default 16777216 (16 MiB)
   */
  maxRealmBytes?: number;
  /**
   * Most bytes kept in this process for all realms together (the in-memory history only: in
   * cluster mode the history lives in Redis, bounded per stream and per realm).
   * @default 67108864 (64 MiB)
   */
  maxNodeBytes?: number;
  /**
   * Most streams (topics and channels) one realm may have in the history at once; beyond it the
   * least recently used one is dropped.
   * @default 10000
   */
  maxStreamsPerRealm?: number;
}

/** The defaults of {@link HistoryLimits}. */
export const DEFAULT_HISTORY_LIMITS: Required<HistoryLimits> = {
  maxEvents: 1000,
  maxAgeMs: 5 * 60_000,
  maxStreamBytes: 1024 * 1024,
  maxRealmBytes: 16 * 1024 * 1024,
  maxNodeBytes: 64 * 1024 * 1024,
  maxStreamsPerRealm: 10_000,
};

/**
 * The limits with their defaults applied, each checked to be a positive whole number.
 *
 * @throws RangeError naming the first bad limit.
 * @example
 * const limits = resolveHistoryLimits({ maxEvents: 500 });
 */
export function resolveHistoryLimits(limits: HistoryLimits = {}): Required<HistoryLimits> {
  const resolved: Required<HistoryLimits> = { ...DEFAULT_HISTORY_LIMITS };
  for (const key of Object.keys(DEFAULT_HISTORY_LIMITS) as (keyof HistoryLimits)[]) {
    const value = limits[key] ?? DEFAULT_HISTORY_LIMITS[key];
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`history limit ${key} must be a positive whole number, got ${value}`);
    resolved[key] = value;
  }
  return resolved;
}
