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

/** How much history is kept per stream. */
export interface HistoryLimits {
  /**
   * Most events kept per topic stream.
   * @default 1000
   */
  maxEvents?: number;
  /**
   * Longest time an event is kept, ms.
   * @default 300000 (5 minutes)
   */
  maxAgeMs?: number;
}

/** The defaults of {@link HistoryLimits}. */
export const DEFAULT_HISTORY_LIMITS: Required<HistoryLimits> = { maxEvents: 1000, maxAgeMs: 5 * 60_000 };
