import { compareOffsets, type RealtimeEvent, type StreamPosition } from '../../shared/index.js';
import { newStreamEpoch } from '../ids.js';
import { isCovered, offsetOf, sequenceOf } from './stream-coverage.js';
import { resolveHistoryLimits, type EventHistory, type HistoryLimits, type ReplayResult } from './event-history.js';
import { LinkedQueue, type QueueLink } from './linked-queue.js';

interface Entry {
  offset: string;
  at: number;
  /** The event as JSON: its size is what the limits count, and nothing can change it later. */
  json: string;
  bytes: number;
  stream: Stream;
  realmLink?: QueueLink<Entry>;
  nodeLink?: QueueLink<Entry>;
}

interface Stream {
  key: string;
  realm: RealmState;
  epoch: string;
  sequence: number;
  /** Oldest first. */
  entries: Entry[];
  bytes: number;
  /** When the stream was created or last appended to. */
  activeAt: number;
}

interface RealmState {
  name: string;
  /** Least recently active first. */
  streams: Map<string, Stream>;
  /** This realm's entries, oldest first. */
  order: LinkedQueue<Entry>;
  bytes: number;
}

/**
 * What a history holds, for monitoring and tests.
 *
 * @example
 * const { streams, events, bytes } = history.usage('demo');
 */
export interface HistoryUsage {
  /** Streams kept (a stream may be empty: its epoch and offset live on until it goes idle). */
  streams: number;
  events: number;
  /** JSON bytes of the kept events. */
  bytes: number;
}

/**
 * Topic history in this process's memory, for a server running alone. Its epochs are made up at
 * start, so a restarted server tells reconnecting clients `recovered: false`.
 *
 * Every bound of {@link HistoryLimits} holds after each append: per stream (events, age, bytes),
 * per realm (bytes, streams) and for the process (bytes), evicting oldest first. Events are kept as
 * JSON strings, so the heap they take follows the bytes counted. Streams with no event for
 * `maxAgeMs` are dropped, on appends and by a sweep every `maxAgeMs / 2` (at most a minute), on an
 * unref'd timer that {@link close} stops. A dropped stream that comes back starts a new epoch, so
 * a client resuming the old one hears `recovered: false`.
 *
 * @example
 * const history = new MemoryEventHistory({ maxEvents: 500, maxStreamBytes: 256 * 1024 });
 */
export class MemoryEventHistory implements EventHistory {
  /** Least recently active first. */
  private readonly streams = new Map<string, Stream>();
  private readonly realms = new Map<string, RealmState>();
  /** Every entry, oldest first. */
  private readonly order = new LinkedQueue<Entry>();
  private bytes = 0;
  private readonly limits: Required<HistoryLimits>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    limits: HistoryLimits = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = resolveHistoryLimits(limits);
    const interval = Math.min(Math.max(Math.floor(this.limits.maxAgeMs / 2), 1000), 60_000);
    this.timer = setInterval(() => this.sweep(), interval);
    this.timer.unref();
  }

  async append(event: RealtimeEvent): Promise<StreamPosition> {
    // The size jsonByteLength() gives, without serialising twice.
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json, 'utf8');
    const now = this.now();
    this.sweep();
    const stream = this.streamFor(event.metadata.realm, event.topic, now);
    stream.sequence += 1;
    const offset = offsetOf(stream.sequence);
    const entry: Entry = { offset, at: now, json, bytes, stream };
    entry.realmLink = stream.realm.order.push(entry);
    entry.nodeLink = this.order.push(entry);
    stream.entries.push(entry);
    stream.bytes += bytes;
    stream.realm.bytes += bytes;
    this.bytes += bytes;
    this.touch(stream, now);
    this.trim(stream, now);
    this.enforceBytes(stream.realm);
    return { epoch: stream.epoch, offset };
  }

  async since(realm: string, topic: string, position: StreamPosition): Promise<ReplayResult> {
    const now = this.now();
    const stream = this.existing(realm, topic, now);
    if (stream === undefined) return { recovered: false, events: [], epoch: '' };
    this.trim(stream, now);
    const requested = sequenceOf(position.offset);
    const first = stream.entries[0];
    const oldestKept = first === undefined ? undefined : sequenceOf(first.offset);
    if (position.epoch !== stream.epoch || requested === undefined || !isCovered(requested, oldestKept, stream.sequence)) {
      return { recovered: false, events: [], epoch: stream.epoch };
    }
    const events = stream.entries.filter((entry) => compareOffsets(entry.offset, position.offset) > 0).map((entry) => withPosition(entry, stream));
    return { recovered: true, events, epoch: stream.epoch };
  }

  async head(realm: string, topic: string): Promise<StreamPosition> {
    const now = this.now();
    // A realm at its stream cap answers a subscriber of a topic with no stream a position it does
    // not store: subscribing to made-up topics must never push out a stream that holds events.
    // (Its first event then starts a new epoch, so that subscriber resumes with recovered: false.)
    if (this.existing(realm, topic, now) === undefined && (this.realms.get(realm)?.streams.size ?? 0) >= this.limits.maxStreamsPerRealm) {
      return { epoch: newStreamEpoch(), offset: offsetOf(0) };
    }
    const stream = this.streamFor(realm, topic, now);
    return { epoch: stream.epoch, offset: offsetOf(stream.sequence) };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.streams.clear();
    this.realms.clear();
    while (this.order.first !== undefined) this.order.remove(this.order.first);
    this.bytes = 0;
  }

  /**
   * Forgets events older than `maxAgeMs` and drops streams with no event for that long; returns
   * how many streams it dropped. Runs on every append and on the timer; cheap when there is nothing
   * to do (it looks at the oldest event and the least recently active stream only).
   */
  sweep(): number {
    const cutoff = this.now() - this.limits.maxAgeMs;
    for (let oldest = this.order.first; oldest !== undefined && oldest.value.at < cutoff; oldest = this.order.first) {
      this.removeOldest(oldest.value.stream);
    }
    let dropped = 0;
    for (const stream of this.streams.values()) {
      if (stream.activeAt >= cutoff) break;
      this.drop(stream);
      dropped += 1;
    }
    return dropped;
  }

  /** What the history holds: for one realm, or for the whole process. */
  usage(realm?: string): HistoryUsage {
    if (realm === undefined) return { streams: this.streams.size, events: this.order.size, bytes: this.bytes };
    const state = this.realms.get(realm);
    return state === undefined ? { streams: 0, events: 0, bytes: 0 } : { streams: state.streams.size, events: state.order.size, bytes: state.bytes };
  }

  /** The stream, unless it does not exist or went idle (then it is dropped). */
  private existing(realm: string, topic: string, now: number): Stream | undefined {
    const stream = this.streams.get(streamKey(realm, topic));
    if (stream !== undefined && stream.activeAt < now - this.limits.maxAgeMs) {
      this.drop(stream);
      return undefined;
    }
    return stream;
  }

  /** The stream, created (with a new epoch) when absent; the realm's least recently used goes when it has too many. */
  private streamFor(realm: string, topic: string, now: number): Stream {
    const existing = this.existing(realm, topic, now);
    if (existing !== undefined) return existing;
    let state = this.realms.get(realm);
    if (state === undefined) {
      state = { name: realm, streams: new Map(), order: new LinkedQueue(), bytes: 0 };
      this.realms.set(realm, state);
    }
    while (state.streams.size >= this.limits.maxStreamsPerRealm) {
      const leastRecent = state.streams.values().next().value;
      if (leastRecent === undefined) break;
      this.drop(leastRecent);
    }
    // A realm emptied by the loop above was removed from `realms`: put it back.
    this.realms.set(realm, state);
    const key = streamKey(realm, topic);
    const stream: Stream = { key, realm: state, epoch: newStreamEpoch(), sequence: 0, entries: [], bytes: 0, activeAt: now };
    state.streams.set(key, stream);
    this.streams.set(key, stream);
    return stream;
  }

  /** Marks the stream as the most recently active, in its realm and in the process. */
  private touch(stream: Stream, now: number): void {
    stream.activeAt = now;
    stream.realm.streams.delete(stream.key);
    stream.realm.streams.set(stream.key, stream);
    this.streams.delete(stream.key);
    this.streams.set(stream.key, stream);
  }

  /** Applies the stream's own bounds: events, age and bytes. */
  private trim(stream: Stream, now: number): void {
    const { maxEvents, maxStreamBytes, maxAgeMs } = this.limits;
    const cutoff = now - maxAgeMs;
    for (let first = stream.entries[0]; first !== undefined; first = stream.entries[0]) {
      if (stream.entries.length <= maxEvents && stream.bytes <= maxStreamBytes && first.at >= cutoff) break;
      this.removeOldest(stream);
    }
  }

  /** Applies the realm's and the process's byte bounds, evicting the oldest events first. */
  private enforceBytes(realm: RealmState): void {
    while (realm.bytes > this.limits.maxRealmBytes && realm.order.first !== undefined) {
      this.removeOldest(realm.order.first.value.stream);
    }
    while (this.bytes > this.limits.maxNodeBytes && this.order.first !== undefined) {
      this.removeOldest(this.order.first.value.stream);
    }
  }

  /** Removes the stream's oldest entry (which is also the oldest of it in its realm's and the process's order). */
  private removeOldest(stream: Stream): void {
    const entry = stream.entries.shift();
    if (entry !== undefined) this.forget(entry);
  }

  private forget(entry: Entry): void {
    const { stream } = entry;
    if (entry.realmLink !== undefined) stream.realm.order.remove(entry.realmLink);
    if (entry.nodeLink !== undefined) this.order.remove(entry.nodeLink);
    entry.realmLink = undefined;
    entry.nodeLink = undefined;
    stream.bytes -= entry.bytes;
    stream.realm.bytes -= entry.bytes;
    this.bytes -= entry.bytes;
  }

  /** Drops a stream and its entries; it comes back, if it does, with a new epoch. */
  private drop(stream: Stream): void {
    for (const entry of stream.entries) this.forget(entry);
    stream.entries = [];
    this.streams.delete(stream.key);
    stream.realm.streams.delete(stream.key);
    if (stream.realm.streams.size === 0) this.realms.delete(stream.realm.name);
  }
}

function streamKey(realm: string, topic: string): string {
  return `${realm}\u0000${topic}`;
}

function withPosition(entry: Entry, stream: Stream): RealtimeEvent {
  const event = JSON.parse(entry.json) as RealtimeEvent;
  return { ...event, metadata: { ...event.metadata, epoch: stream.epoch, offset: entry.offset } };
}
