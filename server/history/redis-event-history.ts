import { createHash } from 'node:crypto';
import type { RedisClient } from '../cluster/redis-client.js';
import { UnavailableError, type RealtimeEvent, type StreamPosition } from '../../shared/index.js';
import { newStreamEpoch } from '../ids.js';
import { resolveHistoryLimits, type EventHistory, type HistoryLimits, type ReplayResult } from './event-history.js';
import { APPEND_SCRIPT, HEAD_SCRIPT } from './redis-history-scripts.js';
import { isCovered, offsetOf, sequenceOf } from './stream-coverage.js';

const APPEND_SHA = sha1(APPEND_SCRIPT);
const HEAD_SHA = sha1(HEAD_SCRIPT);

/** The keys of one stream and of its realm's bookkeeping (see `redis-history-scripts.ts`). */
interface StreamKeys {
  base: string;
  stream: string;
  meta: string;
  order: string;
  streams: string;
  totals: string;
}

/**
 * Topic history in Redis streams, shared by every node: offsets come from one counter per stream,
 * so they are ordered per topic across nodes and any node can replay what a reconnecting client
 * missed.
 *
 * Bounds (each append enforces them in one Lua script, atomically across nodes): per stream
 * `maxEvents` and `maxStreamBytes`; per realm `maxRealmBytes` (the realm's oldest events go first,
 * whatever their stream) and `maxStreamsPerRealm` (the least recently used stream goes). Every key
 * expires `maxAgeMs` after the last event that touched it, so an idle stream is dropped, and comes
 * back with a new epoch. `maxNodeBytes` does not apply: nothing is kept in the node. Events of a
 * busy stream are not trimmed by age, only by count and bytes.
 *
 * Keys: `<prefix>:history:{<realm>}:s:<topic>` (stream), `...:m:<topic>` (meta) and the realm's
 * `...:order`, `...:streams`, `...:totals`; the hash tag keeps a realm in one Redis Cluster slot,
 * which the realm-wide bounds need.
 *
 * @example
 * const history = new RedisEventHistory(redis, { maxEvents: 1000, maxStreamBytes: 1024 * 1024 }, 'rt');
 */
export class RedisEventHistory implements EventHistory {
  private readonly limits: Required<HistoryLimits>;

  constructor(
    private readonly redis: RedisClient,
    limits: HistoryLimits = {},
    private readonly keyPrefix = 'rt',
  ) {
    this.limits = resolveHistoryLimits(limits);
  }

  async append(event: RealtimeEvent): Promise<StreamPosition> {
    const keys = this.keys(event.metadata.realm, event.topic);
    const { maxEvents, maxStreamBytes, maxRealmBytes, maxStreamsPerRealm, maxAgeMs } = this.limits;
    const [epoch, sequence] = (await this.script(APPEND_SCRIPT, APPEND_SHA, keys, [
      newStreamEpoch(),
      JSON.stringify(event),
      keys.base,
      event.topic,
      String(maxAgeMs),
      String(maxEvents),
      String(maxStreamBytes),
      String(maxRealmBytes),
      String(maxStreamsPerRealm),
    ])) as [string, number];
    return { epoch, offset: offsetOf(sequence) };
  }

  async since(realm: string, topic: string, position: StreamPosition): Promise<ReplayResult> {
    const { stream, meta } = this.keys(realm, topic);
    const [[, epoch], [, latest], [, first]] = (await this.run(() =>
      this.redis.multi().hget(meta, 'epoch').hget(meta, 'seq').xrange(stream, '-', '+', 'COUNT', 1).exec(),
    )) as [[unknown, string | null], [unknown, string | null], [unknown, [string, string[]][]]];
    const requested = sequenceOf(position.offset);
    const oldestKept = first[0] === undefined ? undefined : sequenceOf(first[0][0]);
    if (epoch === null || epoch !== position.epoch || requested === undefined || !isCovered(requested, oldestKept, Number(latest ?? 0))) {
      return { recovered: false, events: [], epoch: epoch ?? '' };
    }
    const entries = await this.run(() => this.redis.xrange(stream, `(${position.offset}`, '+'));
    const events = entries.map(([offset, fields]) => {
      const event = JSON.parse(fields[1] ?? '{}') as RealtimeEvent;
      return { ...event, metadata: { ...event.metadata, epoch, offset } };
    });
    return { recovered: true, events, epoch };
  }

  async head(realm: string, topic: string): Promise<StreamPosition> {
    const keys = this.keys(realm, topic);
    const [epoch, sequence] = (await this.script(HEAD_SCRIPT, HEAD_SHA, keys, [
      newStreamEpoch(),
      keys.base,
      topic,
      String(this.limits.maxAgeMs),
      String(this.limits.maxStreamsPerRealm),
    ])) as [string, string | null];
    return { epoch, offset: offsetOf(Number(sequence ?? 0)) };
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the cluster wiring, which closes it.
  }

  private keys(realm: string, topic: string): StreamKeys {
    // Realm ids have no braces, so the hash tag is exactly the realm: one slot per realm.
    const base = `${this.keyPrefix}:history:{${realm}}:`;
    return {
      base,
      stream: `${base}s:${topic}`,
      meta: `${base}m:${topic}`,
      order: `${base}order`,
      streams: `${base}streams`,
      totals: `${base}totals`,
    };
  }

  /** Runs a script by its SHA1 (the text is sent only when Redis does not have it cached yet). */
  private script(lua: string, sha: string, keys: StreamKeys, args: string[]): Promise<unknown> {
    const names = [keys.stream, keys.meta, keys.order, keys.streams, keys.totals];
    return this.run(async () => {
      try {
        return await this.redis.evalsha(sha, names.length, ...names, ...args);
      } catch (err) {
        if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
        return this.redis.eval(lua, names.length, ...names, ...args);
      }
    });
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new UnavailableError('Event history (Redis) is unavailable', { cause: err });
    }
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
