import type { FeedSubscribeResult } from '../../shared/index.js';
import { monotonicMicros } from './bench-event.js';
import { benchToken, forEachLimited, seededRandom, unwrap } from './bench-socket.js';
import { randomCircle } from './geo-world.js';
import type { GeoConnectArgs, GeoReceiveSnapshot, GeoRecordWindow } from './ipc-protocol.js';
import { LatencyHistogram } from './latency-histogram.js';
import { LightSocket, readInteger } from './light-socket.js';

/**
 * The geo subscribers of one client process (bench case 10): each connection holds one object feed
 * (`objects:subscribe` with a random circle of 200 m to 5 km in the city, `executeImmediately`),
 * counts the objects its `feed:data` deltas carry, and records publish-to-receive latency from the
 * publish time the publisher stamps into each object's `data.t`.
 *
 * Only `added` and `updated` entries are timed: a `removed` entry carries the last state its
 * subscriber saw, so its `t` is the previous write's. Every entry counts as a delivery.
 *
 * @example
 * const receivers = new GeoReceivers();
 * await receivers.connect({ url, secret, firstIndex: 0, count: 500, concurrency: 50, seed: 10 });
 * receivers.snapshot().received;
 */
export class GeoReceivers {
  private readonly sockets: LightSocket[] = [];
  private received = 0;
  private readonly histogram = new LatencyHistogram();
  private window: GeoRecordWindow = { fromMicros: 0, toMicros: 0 };
  private readonly onTime = (t: number): void => {
    if (t >= this.window.fromMicros && t < this.window.toMicros) this.histogram.record(monotonicMicros() - t);
  };

  /** Opens `count` connections, each with the feed of circle `geoCircleFor(seed, index)`. */
  async connect(args: GeoConnectArgs): Promise<{ connected: number; elapsedMs: number }> {
    const started = performance.now();
    let connected = 0;
    await forEachLimited(args.count, args.concurrency, async (offset) => {
      const index = args.firstIndex + offset;
      const socket = await LightSocket.connect(args.url, await benchToken(args.secret, `bench-${index}`, 'client'));
      this.sockets.push(socket);
      socket.onEvent = (frame) => {
        this.received += scanFeedDelta(frame, this.onTime);
      };
      unwrap(await socket.request<FeedSubscribeResult>('objects:subscribe', { shape: geoCircleFor(args.seed, index), executeImmediately: true }));
      connected += 1;
    });
    return { connected, elapsedMs: Math.round(performance.now() - started) };
  }

  /** Resets the histogram and times, from now on, the entries published in the window. */
  record(window: GeoRecordWindow): void {
    this.histogram.reset();
    this.window = window;
  }

  snapshot(): GeoReceiveSnapshot {
    const cpu = process.cpuUsage();
    return { received: this.received, histogram: this.histogram.toData(), cpuMicros: cpu.user + cpu.system };
  }

  /** Closes every connection; answers how many. */
  disconnect(): number {
    const closed = this.sockets.length;
    for (const socket of this.sockets) socket.close();
    this.sockets.length = 0;
    return closed;
  }
}

/**
 * The circle of geo subscriber `index` (the same for a seed on every run and in every process).
 *
 * @example
 * geoCircleFor(10, 0); // { cx, cy, r }
 */
export function geoCircleFor(seed: number, index: number): { cx: number; cy: number; r: number } {
  return randomCircle(seededRandom(seed * 1_000_003 + index));
}

const FEED_DATA = '2["feed:data",';
const DELTA = '"kind":"delta"';
const REMOVED = '"removed":{';
const T = '"t":';

/**
 * Counts the object entries of a raw `feed:data` delta frame and calls `visit(t)` with the
 * `data.t` of each `added` or `updated` one, reading the numbers in place rather than parsing the
 * JSON. Other frames (a `'full'`, other events) count 0.
 *
 * Relies on the frame's shape: `{ subscriptionId, kind, added, updated, removed }` in that order
 * (`ObjectFeeds` builds it so) and `"t":` appearing only as the data key the publisher writes.
 *
 * @example
 * scanFeedDelta('2["feed:data",{"subscriptionId":"f1","kind":"delta","added":{},"updated":{"rider/1":{..."data":{"t":5}}},"removed":{}}]', visit); // 1, visit(5)
 */
export function scanFeedDelta(frame: string, visit: (t: number) => void): number {
  if (!frame.startsWith(FEED_DATA)) return 0;
  const kindAt = frame.indexOf(DELTA, FEED_DATA.length);
  if (kindAt === -1) return 0;
  const removedAt = frame.lastIndexOf(REMOVED);
  let entries = 0;
  for (let at = frame.indexOf(T, kindAt); at !== -1; at = frame.indexOf(T, at + T.length)) {
    entries += 1;
    if (removedAt === -1 || at < removedAt) visit(readInteger(frame, at + T.length));
  }
  return entries;
}
