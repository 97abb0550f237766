import type { PublishRequest, RealtimeEvent } from '../../shared/index.js';
import { BENCH_REALM, FANOUT_TOPIC, makePayload, paddingFor } from './bench-event.js';
import { benchToken, openBenchSocket, type BenchSocket } from './bench-socket.js';
import type { ClientPool } from './client-pool.js';
import { sleep } from './progress.js';

/** Options of {@link LoadPublisher.connect}. */
export interface PublisherOptions {
  url: string;
  secret: string;
  /** Approximate JSON size of each event's payload. */
  payloadBytes: number;
  /** `shard.bucket` is `seq % buckets` (1 when nothing filters on it). */
  buckets: number;
  /**
   * Events per published frame. 1 is the platform's protocol; more wraps that many complete event
   * envelopes into one event's payload, to measure what batching would gain. @default 1
   */
  batch?: number;
  topic?: string;
  /** Publish round-robin over these topics instead of `topic` (event seq `s` goes to `topics[s % length]`). */
  topics?: readonly string[];
  /** The first seq (to continue after another publisher's events). @default 0 */
  firstSeq?: number;
}

/**
 * Publishes benchmark events over one `service` connection with `topic:publish`, as a backend or
 * a permitted client would. Every event carries its seq and publish time; seqs never repeat for
 * the life of the publisher.
 *
 * @example
 * const publisher = await LoadPublisher.connect({ url, secret, payloadBytes: 100, buckets: 1 });
 * await publisher.fixedRate(50, 250); // 250 events at 50/s
 */
export class LoadPublisher {
  private seq = 0;
  private failures = 0;
  private lastFailure: string | undefined;
  private readonly padding: string;
  private readonly batch: number;
  private readonly topic: string;
  private readonly onAck = (result: { ok: true; data: RealtimeEvent } | { ok: false; error: { code: string; message: string } }): void => {
    if (!result.ok) {
      this.failures += 1;
      this.lastFailure = `${result.error.code}: ${result.error.message}`;
    }
  };

  private constructor(
    private readonly socket: BenchSocket,
    private readonly options: PublisherOptions,
  ) {
    this.padding = paddingFor(options.payloadBytes);
    this.batch = options.batch ?? 1;
    this.topic = options.topic ?? FANOUT_TOPIC;
    this.seq = options.firstSeq ?? 0;
  }

  static async connect(options: PublisherOptions): Promise<LoadPublisher> {
    const socket = await openBenchSocket(options.url, await benchToken(options.secret, 'bench-publisher', 'service'));
    return new LoadPublisher(socket, options);
  }

  /** The seq the next event will carry (= events published so far). */
  get nextSeq(): number {
    return this.seq;
  }

  /** Publishes refused by the server, and the last reason. */
  get errors(): { count: number; last?: string } {
    return this.lastFailure === undefined ? { count: this.failures } : { count: this.failures, last: this.lastFailure };
  }

  /** Publishes one frame: one event, or `batch` events wrapped in one. */
  publishOne(): void {
    let request: PublishRequest;
    const topics = this.options.topics;
    if (topics !== undefined && topics.length > 0) {
      request = { topic: topics[this.seq % topics.length] ?? this.topic, type: 'bench.tick', payload: this.nextPayload() };
    } else if (this.batch === 1) {
      request = { topic: this.topic, type: 'bench.tick', payload: this.nextPayload() };
    } else {
      const inner: RealtimeEvent[] = [];
      for (let i = 0; i < this.batch; i += 1) {
        inner.push({
          id: String(this.seq).padStart(26, '0'),
          topic: this.topic,
          source: 'socket',
          type: 'bench.tick',
          payload: this.nextPayload(),
          metadata: { publisher: 'bench-publisher', timestamp: Date.now(), realm: BENCH_REALM },
        });
      }
      request = { topic: this.topic, type: 'bench.batch', payload: { batch: inner } };
    }
    this.socket.emit('topic:publish', request, this.onAck);
  }

  /**
   * Publishes as fast as the receivers take events: keeps at most `windowEvents` events that some
   * connection has not yet received, until `shouldStop()` says so.
   */
  async closedLoop(pool: ClientPool, windowEvents: number, shouldStop: () => boolean): Promise<void> {
    const window = Math.max(this.batch, windowEvents);
    while (!shouldStop()) {
      let burst = 0;
      while (this.seq - 1 - pool.doneSeq() < window && burst < window) {
        this.publishOne();
        burst += this.batch;
      }
      await pool.nextProgress(20);
    }
  }

  /** Publishes `count` events at `rate` events/s (open loop: it never waits for receivers). */
  async fixedRate(rate: number, count: number): Promise<void> {
    const started = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (sent < due) {
        this.publishOne();
        sent += this.batch;
      }
      const nextAt = started + (sent * 1000) / rate;
      await sleep(Math.max(0, nextAt - performance.now()));
    }
  }

  close(): void {
    this.socket.close();
  }

  private nextPayload(): Record<string, unknown> {
    const payload = makePayload(this.seq, this.options.buckets, this.options.payloadBytes, this.padding);
    this.seq += 1;
    return payload;
  }
}
