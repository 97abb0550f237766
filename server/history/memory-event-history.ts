import { randomBytes } from 'node:crypto';
import { compareOffsets, type RealtimeEvent, type StreamPosition } from '../../shared/index.js';
import { isCovered, offsetOf, sequenceOf } from './stream-coverage.js';
import { DEFAULT_HISTORY_LIMITS, type EventHistory, type HistoryLimits, type ReplayResult } from './event-history.js';

interface Entry {
  offset: string;
  at: number;
  event: RealtimeEvent;
}

interface Stream {
  epoch: string;
  sequence: number;
  entries: Entry[];
}

/**
 * Topic history in this process's memory, for a server running alone. Its epochs are made up at
 * start, so a restarted server tells reconnecting clients `recovered: false`.
 *
 * @example
 * const history = new MemoryEventHistory({ maxEvents: 500 });
 */
export class MemoryEventHistory implements EventHistory {
  private readonly streams = new Map<string, Stream>();
  private readonly limits: Required<HistoryLimits>;

  constructor(
    limits: HistoryLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...limits };
  }

  async append(event: RealtimeEvent): Promise<StreamPosition> {
    const stream = this.stream(event.metadata.realm, event.topic);
    stream.sequence += 1;
    const offset = offsetOf(stream.sequence);
    stream.entries.push({ offset, at: this.now(), event });
    this.trim(stream);
    return { epoch: stream.epoch, offset };
  }

  async since(realm: string, topic: string, position: StreamPosition): Promise<ReplayResult> {
    const stream = this.stream(realm, topic);
    this.trim(stream);
    const requested = sequenceOf(position.offset);
    const first = stream.entries[0];
    const oldestKept = first === undefined ? undefined : sequenceOf(first.offset);
    if (position.epoch !== stream.epoch || requested === undefined || !isCovered(requested, oldestKept, stream.sequence)) {
      return { recovered: false, events: [], epoch: stream.epoch };
    }
    const events = stream.entries
      .filter((entry) => compareOffsets(entry.offset, position.offset) > 0)
      .map((entry) => withPosition(entry, stream));
    return { recovered: true, events, epoch: stream.epoch };
  }

  async head(realm: string, topic: string): Promise<StreamPosition> {
    const stream = this.stream(realm, topic);
    return { epoch: stream.epoch, offset: offsetOf(stream.sequence) };
  }

  async close(): Promise<void> {
    this.streams.clear();
  }

  private stream(realm: string, topic: string): Stream {
    const key = `${realm}\u0000${topic}`;
    let stream = this.streams.get(key);
    if (stream === undefined) {
      stream = { epoch: randomBytes(6).toString('base64url'), sequence: 0, entries: [] };
      this.streams.set(key, stream);
    }
    return stream;
  }

  private trim(stream: Stream): void {
    const cutoff = this.now() - this.limits.maxAgeMs;
    let drop = Math.max(0, stream.entries.length - this.limits.maxEvents);
    while (drop < stream.entries.length && (stream.entries[drop]?.at ?? Infinity) < cutoff) drop += 1;
    if (drop > 0) stream.entries.splice(0, drop);
  }
}

function withPosition(entry: Entry, stream: Stream): RealtimeEvent {
  return { ...entry.event, metadata: { ...entry.event.metadata, epoch: stream.epoch, offset: entry.offset } };
}
