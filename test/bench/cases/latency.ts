import { FANOUT_TOPIC } from '../bench-event.js';
import { connectPublisher, connectReceivers, type Fleet, type FleetOptions, withFleet } from '../fleet.js';
import type { LoadPublisher } from '../load-publisher.js';
import type { ServerKind } from '../ipc-protocol.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';
import { measureLatency, type LatencyResult } from './measure.js';

/** The latency bound of the capacity search. */
export const P99_BOUND_MS = 100;
/** Most extra measurements the capacity search makes after the fixed rates. */
const MAX_SEARCH_STEPS = 5;
/** The search stops once the bracket is narrower than this fraction. */
const SEARCH_PRECISION = 0.1;
/**
 * Fewest events a fixed rate's window measures: its p99 over 1,000 subscribers is set by its few
 * slowest events, so at 10 events/s a 4 s window (40 events) is decided by one or two of them.
 */
const MIN_EVENTS_PER_RATE = 200;
/** How long late deliveries are waited for after publishing stops. */
const DRAIN_TIMEOUT_MS = 10_000;

/** One server's latency results: the fixed rates, the search steps, and the capacity found. */
export interface LatencyRun {
  fixed: LatencyResult[];
  search: LatencyResult[];
  /** Highest rate (events/s) that held p99 ≤ the bound with nothing missing; 0 if none. */
  capacityRate: number;
  capacityDeliveriesPerSecond: number;
}

/** A fixed rate's measured window, ms: `durationMs`, or long enough for {@link MIN_EVENTS_PER_RATE} events. */
function fixedWindowMs(durationMs: number, rate: number): number {
  return Math.max(durationMs, Math.ceil((MIN_EVENTS_PER_RATE / rate) * 1000));
}

function sustains(result: LatencyResult): boolean {
  return result.missing === 0 && result.latency.p99Ms <= P99_BOUND_MS;
}

function describe(kind: string, result: LatencyResult): string {
  const { latency } = result;
  return (
    `${kind} @ ${formatNumber(result.rate)} events/s (${formatNumber(result.offeredDeliveriesPerSecond)} deliveries/s): ` +
    `p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms` +
    (result.missing > 0 ? `, ${formatNumber(result.missing)} not delivered within ${DRAIN_TIMEOUT_MS / 1000} s` : '') +
    `, server CPU ${formatNumber(result.serverCpu * 100)}% (${formatNumber(result.cpuMicrosPerDelivery, 2)} µs/delivery)` +
    (result.otherLoadCores >= 0.2 ? ` (other processes: ${formatNumber(result.otherLoadCores, 2)} cores)` : '')
  );
}

/** One server under test: its fleet, its publisher, and the name its progress lines use. */
interface LatencyTarget {
  kind: string;
  fleet: Fleet;
  publisher: LoadPublisher;
}

/** Opens every fleet of `configs` (one after another), runs `body` with them all up, and closes them all. */
function withFleets<T>(configs: FleetOptions[], body: (fleets: Fleet[]) => Promise<T>, opened: Fleet[] = []): Promise<T> {
  const next = configs[opened.length];
  if (next === undefined) return body(opened);
  return withFleet(next, (fleet) => withFleets(configs, body, [...opened, fleet]));
}

/**
 * The three servers' latency runs, measured side by side: all three fleets are up at once, each
 * fixed rate is measured on each server in turn (the first server of the turn rotating from rate
 * to rate), then each server's capacity search runs while the other two sit idle.
 *
 * Why side by side: measured one server after the other, minutes apart, whatever else the machine
 * is doing at the time (the cases before, a neighbour) lands on one server's rates only.
 */
async function runLatencies(context: BenchContext): Promise<{ batched: LatencyRun; platform: LatencyRun; bare: LatencyRun }> {
  const { options } = context;
  const scope = 'latency';
  const subscribers = options.connections;
  const profile = context.profileDir === undefined ? {} : { profileDir: context.profileDir };
  const servers: { kind: ServerKind; batchedFrames: boolean }[] = [
    { kind: 'platform', batchedFrames: true },
    { kind: 'platform', batchedFrames: false },
    { kind: 'bare', batchedFrames: false },
  ];
  const configs = servers.map((server) => ({ ...server, scope, clients: options.clients, ...profile }));
  return withFleets(configs, async (fleets) => {
    const targets: LatencyTarget[] = [];
    try {
      for (const [index, fleet] of fleets.entries()) {
        const server = servers[index] as (typeof servers)[number];
        await connectReceivers(fleet, scope, subscribers, { kind: 'fanout', topic: FANOUT_TOPIC });
        const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1 });
        targets.push({ kind: server.batchedFrames ? `${server.kind} (batched frames)` : server.kind, fleet, publisher });
      }
      const measure = async (target: LatencyTarget, rate: number, warmupMs: number, durationMs: number): Promise<LatencyResult> => {
        const result = await measureLatency(target.fleet, target.publisher, {
          scope,
          rate,
          subscribersPerEvent: subscribers,
          warmupMs,
          durationMs,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
        });
        progress(scope, describe(target.kind, result));
        return result;
      };
      const fixed: LatencyResult[][] = targets.map(() => []);
      for (const [rateIndex, rate] of options.rates.entries()) {
        for (let turn = 0; turn < targets.length; turn += 1) {
          const index = (rateIndex + turn) % targets.length;
          (fixed[index] as LatencyResult[]).push(await measure(targets[index] as LatencyTarget, rate, 1000, fixedWindowMs(options.durationMs, rate)));
        }
      }
      const runs: LatencyRun[] = [];
      for (const [index, target] of targets.entries()) {
        runs.push(await searchCapacity(target, fixed[index] as LatencyResult[], options.rates, options.durationMs, subscribers, measure));
      }
      const [batched, platform, bare] = runs as [LatencyRun, LatencyRun, LatencyRun];
      return { batched, platform, bare };
    } finally {
      for (const target of targets) target.publisher.close();
    }
  });
}

/** One server's capacity search: brackets the highest sustainable rate, starting from its fixed rates. */
async function searchCapacity(
  target: LatencyTarget,
  fixed: LatencyResult[],
  rates: number[],
  durationMs: number,
  subscribers: number,
  measure: (target: LatencyTarget, rate: number, warmupMs: number, durationMs: number) => Promise<LatencyResult>,
): Promise<LatencyRun> {
  let low = Math.max(0, ...fixed.filter(sustains).map((result) => result.rate));
  let high = Math.min(Number.POSITIVE_INFINITY, ...fixed.filter((result) => !sustains(result) && result.rate > low).map((result) => result.rate));
  const search: LatencyResult[] = [];
  const stepMs = Math.max(1000, Math.round(durationMs / 2));
  for (let step = 0; step < MAX_SEARCH_STEPS; step += 1) {
    if (Number.isFinite(high) && high - low <= Math.max(1, low * SEARCH_PRECISION)) break;
    const next = Math.round(Number.isFinite(high) ? (low + high) / 2 : low > 0 ? low * 1.5 : Math.max(1, Math.min(...rates) / 2));
    if (next <= low || next >= high) break;
    const result = await measure(target, next, 500, stepMs);
    search.push(result);
    if (sustains(result)) low = next;
    else high = next;
  }
  progress(
    'latency',
    `${target.kind}: highest rate with p99 ≤ ${P99_BOUND_MS} ms: ${formatNumber(low)} events/s = ${formatNumber(low * subscribers)} deliveries/s`,
  );
  return { fixed, search, capacityRate: low, capacityDeliveriesPerSecond: low * subscribers };
}

/** Case 3: publish-to-receive latency at fixed offered rates, and the highest rate within p99 ≤ 100 ms, batched frames on and off. */
export const latencyCase: BenchCase = {
  id: 'latency',
  title: 'Latency and capacity',
  async run(context) {
    const { options } = context;
    const { batched, platform: ours, bare } = await runLatencies(context);
    context.shared.latency = { platform: ours.fixed };
    context.shared.capacity = {
      batched: batched.capacityDeliveriesPerSecond,
      unbatched: ours.capacityDeliveriesPerSecond,
      bare: bare.capacityDeliveriesPerSecond,
    };
    const p99Rows = (run: LatencyRun, idPrefix: string, which: string): BenchRow[] =>
      options.rates.map((rate, index) => ({
        id: `${idPrefix}.${rate}`,
        label:
          `p99 publish-to-receive at ${formatNumber(rate)} events/s × ${formatNumber(options.connections)} subscribers ` +
          `(${formatNumber(rate * options.connections)} deliveries/s), ${which}`,
        unit: 'ms',
        better: 'lower',
        value: run.fixed[index]?.latency.p99Ms ?? null,
        baseline: bare.fixed[index]?.latency.p99Ms ?? null,
        baselineLabel: 'bare Socket.IO, same rate',
      }));
    const rows: BenchRow[] = [
      ...p99Rows(batched, 'latency.p99', 'batched frames (the default)'),
      ...p99Rows(ours, 'latency.unbatched.p99', 'batched frames off'),
    ];
    rows.push(
      {
        id: 'latency.capacity',
        label: `Highest delivery rate with p99 ≤ ${P99_BOUND_MS} ms (ramp search), batched frames`,
        unit: 'deliveries/s',
        better: 'higher',
        value: batched.capacityDeliveriesPerSecond,
        baseline: bare.capacityDeliveriesPerSecond,
        baselineLabel: 'bare Socket.IO',
      },
      {
        id: 'latency.unbatched.capacity',
        label: `Highest delivery rate with p99 ≤ ${P99_BOUND_MS} ms (ramp search), batched frames off`,
        unit: 'deliveries/s',
        better: 'higher',
        value: ours.capacityDeliveriesPerSecond,
        baseline: bare.capacityDeliveriesPerSecond,
        baselineLabel: 'bare Socket.IO',
      },
    );
    const ms = (value: number): string => formatNumber(value, 1);
    const line = (result: LatencyResult): string =>
      `| ${formatNumber(result.rate)} | ${formatNumber(result.offeredDeliveriesPerSecond)} | ${ms(result.latency.p50Ms)} | ${ms(result.latency.p95Ms)} | ` +
      `${ms(result.latency.p99Ms)} | ${ms(result.latency.maxMs)} | ${formatNumber(result.missing)} | ${formatNumber(result.serverCpu * 100)}% | ` +
      `${formatNumber(result.cpuMicrosPerDelivery, 2)} |`;
    const table = (kind: string, run: LatencyRun): string =>
      [
        `${kind}:`,
        '',
        '| events/s | deliveries/s | p50 ms | p95 ms | p99 ms | max ms | not delivered | server CPU | µs CPU / delivery |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...[...run.fixed, ...run.search].sort((a, b) => a.rate - b.rate).map(line),
      ].join('\n');
    return {
      rows,
      details: { batched, platform: ours, bare, p99BoundMs: P99_BOUND_MS },
      notes: [
        `Open loop at fixed rates to ${formatNumber(options.connections)} subscribers; latency is from just before the publisher's emit to the ` +
          `receiver reading the frame, on the machine's monotonic clock (both processes on one machine), over every delivery of the events ` +
          `published in a ${options.durationMs / 1000} s window after 1 s of warm-up (late ones included; at a low rate the window is longer, ` +
          `so that it holds at least ${MIN_EVENTS_PER_RATE} events: ${options.rates.map((rate) => `${formatNumber(fixedWindowMs(options.durationMs, rate) / 1000, 1)} s at ${formatNumber(rate)}/s`).join(', ')}). The capacity search then tries ` +
          `rates between the fixed ones (at most ${MAX_SEARCH_STEPS} steps of ${Math.max(1, options.durationMs / 2000)} s) and keeps the highest with ` +
          `p99 ≤ ${P99_BOUND_MS} ms and nothing lost. Each rate is measured once: near saturation a single window is noisy, so the ` +
          `search result is good to about one step. The three servers are measured side by side: all three are up at once (each with ` +
          `its own subscribers and client processes), each fixed rate is measured on each of them in turn, the first of the turn ` +
          `rotating from rate to rate, and then each capacity search runs while the other two servers sit idle.`,
        table('Platform, batched frames (receivers ask with `batch=1`, as `RealtimeClient` does by default)', batched),
        table('Platform, batched frames off', ours),
        table('Bare Socket.IO', bare),
      ],
    };
  },
};
