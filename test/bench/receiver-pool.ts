import type { SubscribeRequest, SubscribeResult } from '../../shared/index.js';
import { EVENT_KIND, monotonicMicros } from './bench-event.js';
import { benchToken, forEachLimited, unwrap } from './bench-socket.js';
import { LightSocket, scanPayloads } from './light-socket.js';
import type { ConnectArgs, ConnectResult, ReceiveSnapshot, RecordRange, SubscriptionPlan } from './ipc-protocol.js';
import { LatencyHistogram } from './latency-histogram.js';

/**
 * The receiving connections of one client process: opens and subscribes them, counts what they
 * receive, records publish-to-receive latency, and knows how far every connection has caught up.
 *
 * "Caught up" (`doneSeq`): connection i receives every `stride`-th event starting at `offset`
 * (stride 1 without a filter; `buckets` with the bucket filter), in order, so after receiving seq
 * s it has everything it will ever get up to s + stride - 1. The minimum over connections is what
 * the closed-loop publisher waits on.
 *
 * @example
 * const pool = new ReceiverPool();
 * await pool.connect(args);
 * pool.snapshot().received;
 */
export class ReceiverPool {
  private readonly sockets: LightSocket[] = [];
  /** Per connection: last seq received, and the stride of its subscription. */
  private lastSeq: number[] = [];
  private strides: number[] = [];
  private received = 0;
  private readonly histogram = new LatencyHistogram();
  private range: RecordRange = { fromSeq: 0, toSeq: 0 };

  /** Opens `count` connections and subscribes each according to `plan`. */
  async connect(args: ConnectArgs): Promise<ConnectResult> {
    const started = performance.now();
    let connected = 0;
    await forEachLimited(args.count, args.concurrency, async (offset) => {
      const index = args.firstIndex + offset;
      const token = await benchToken(args.secret, `bench-${index}`, 'client');
      const socket = await LightSocket.connect(args.url, token, { batchedFrames: args.batchedFrames });
      const slot = this.sockets.length;
      this.sockets.push(socket);
      const { stride, first } = strideOf(args.plan, index);
      this.strides[slot] = stride;
      this.lastSeq[slot] = first - stride;
      socket.onEvent = (frame) => scanPayloads(frame, (seq, t) => this.onPayload(slot, seq, t));
      for (const request of subscriptionsOf(args.plan, index)) {
        unwrap(await socket.request<SubscribeResult>('subscribe', request));
      }
      connected += 1;
    });
    return { connected, elapsedMs: Math.round(performance.now() - started), doneSeq: this.doneSeq() };
  }

  /** Resets the latency histogram and records `fromSeq <= seq < toSeq` from now on. */
  record(range: RecordRange): void {
    this.histogram.reset();
    this.range = range;
  }

  snapshot(): ReceiveSnapshot {
    const cpu = process.cpuUsage();
    return { received: this.received, doneSeq: this.doneSeq(), histogram: this.histogram.toData(), cpuMicros: cpu.user + cpu.system };
  }

  /** The highest seq every connection here has fully received (-1 before any; MAX_SAFE_INTEGER with no connections). */
  doneSeq(): number {
    let done = Number.MAX_SAFE_INTEGER;
    for (let slot = 0; slot < this.lastSeq.length; slot += 1) {
      const caughtUp = (this.lastSeq[slot] ?? 0) + (this.strides[slot] ?? 1) - 1;
      if (caughtUp < done) done = caughtUp;
    }
    return done;
  }

  /** Closes every connection. */
  disconnect(): number {
    const closed = this.sockets.length;
    for (const socket of this.sockets) socket.close();
    this.sockets.length = 0;
    this.lastSeq = [];
    this.strides = [];
    return closed;
  }

  /** One received event (a batch frame, in the batching experiment, holds several). */
  private onPayload(slot: number, seq: number, t: number): void {
    this.received += 1;
    this.lastSeq[slot] = seq;
    if (seq >= this.range.fromSeq && seq < this.range.toSeq) this.histogram.record(monotonicMicros() - t);
  }
}

function strideOf(plan: SubscriptionPlan, index: number): { stride: number; first: number } {
  if (plan.kind === 'filtered') return { stride: plan.buckets, first: index % plan.buckets };
  return { stride: 1, first: 0 };
}

function subscriptionsOf(plan: SubscriptionPlan, index: number): SubscribeRequest[] {
  switch (plan.kind) {
    case 'fanout':
      return [{ subscriptionId: 'sub_1', topic: plan.topic }];
    case 'filtered':
      return [
        {
          subscriptionId: 'sub_1',
          topic: plan.topic,
          filter: { kind: EVENT_KIND, 'shard.bucket': index % plan.buckets },
        },
      ];
    case 'idle':
      return [
        { subscriptionId: 'sub_1', topic: plan.sharedTopic },
        { subscriptionId: 'sub_2', topic: `${plan.ownTopicPrefix}${index}` },
      ];
    case 'grouped':
      return [{ subscriptionId: 'sub_1', topic: `${plan.topicPrefix}${Math.floor(index / plan.groupSize)}` }];
  }
}
