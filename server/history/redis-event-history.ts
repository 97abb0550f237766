import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { UnavailableError, type RealtimeEvent, type StreamPosition } from '../../shared/index.js';
import { DEFAULT_HISTORY_LIMITS, type EventHistory, type HistoryLimits, type ReplayResult } from './event-history.js';
import { isCovered, offsetOf, sequenceOf } from './stream-coverage.js';

/**
 * Appends an event in one atomic step: the stream's meta hash holds its epoch (created with the
 * first event) and a dense sequence number, which becomes the entry id `0-<seq>`; the stream keeps
 * the last `maxEvents` entries, and idle streams expire. Returns `{ epoch, seq }`.
 */
const APPEND_SCRIPT = `
redis.call('HSETNX', KEYS[2], 'epoch', ARGV[1])
local epoch = redis.call('HGET', KEYS[2], 'epoch')
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '0-' .. seq, 'e', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return { epoch, seq }
`;

/** The stream's position, creating its epoch when the stream has none yet. */
const HEAD_SCRIPT = `
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return redis.call('HMGET', KEYS[1], 'epoch', 'seq')
`;

/** A stream's meta (epoch, sequence) outlives its entries by this much. */
const META_TTL_MS = 24 * 60 * 60_000;

/**
 * Topic history in Redis streams, shared by every node: offsets come from one counter per stream,
 * so they are ordered per topic across nodes and any node can replay what a reconnecting client
 * missed. Each stream keeps its last `maxEvents` entries and expires after `maxAgeMs` without
 * events. Keys: `<prefix>:history:{<realm>:<topic>}` and `...:meta`.
 *
 * @example
 * const history = new RedisEventHistory(redis, { maxEvents: 1000 }, 'rt');
 */
export class RedisEventHistory implements EventHistory {
  private readonly limits: Required<HistoryLimits>;

  constructor(
    private readonly redis: Redis,
    limits: HistoryLimits = {},
    private readonly keyPrefix = 'rt',
  ) {
    this.limits = { ...DEFAULT_HISTORY_LIMITS, ...limits };
  }

  async append(event: RealtimeEvent): Promise<StreamPosition> {
    const { stream, meta } = this.keys(event.metadata.realm, event.topic);
    const [epoch, sequence] = (await this.run(() =>
      this.redis.eval(
        APPEND_SCRIPT,
        2,
        stream,
        meta,
        randomBytes(6).toString('base64url'),
        String(this.limits.maxEvents),
        JSON.stringify(event),
        String(this.limits.maxAgeMs),
        String(META_TTL_MS),
      ),
    )) as [string, number];
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
    const { meta } = this.keys(realm, topic);
    const [epoch, sequence] = (await this.run(() =>
      this.redis.eval(HEAD_SCRIPT, 1, meta, randomBytes(6).toString('base64url'), String(META_TTL_MS)),
    )) as [string, string | null];
    return { epoch, offset: offsetOf(Number(sequence ?? 0)) };
  }

  async close(): Promise<void> {
    // The Redis connection belongs to the cluster wiring, which closes it.
  }

  private keys(realm: string, topic: string): { stream: string; meta: string } {
    // The hash tag keeps a stream and its meta in one Redis Cluster slot.
    const stream = `${this.keyPrefix}:history:{${realm}:${topic}}`;
    return { stream, meta: `${stream}:meta` };
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new UnavailableError('Event history (Redis) is unavailable', { cause: err });
    }
  }
}
