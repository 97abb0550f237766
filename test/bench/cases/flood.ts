import { FANOUT_TOPIC } from '../bench-event.js';
import { benchToken } from '../bench-socket.js';
import { connectPublisher, connectReceivers, withFleet } from '../fleet.js';
import type { FloodReport } from '../flood-protocol.js';
import { Flooder } from '../flooder.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress, sleep } from '../progress.js';
import type { BenchCase, BenchRow } from './bench-case.js';
import { measureLatency, type LatencyResult } from './measure.js';

/** The receivers' load: 25 events/s × 1,000 subscribers = 25k deliveries/s, as in cases 3 and 6. */
const LATENCY_RATE = 25;
const LATENCY_WARMUP_MS = 1000;
const DRAIN_TIMEOUT_MS = 10_000;
/** Messages per second the flooding client offers. */
export const FLOOD_RATE = 10_000;
/** How long the flood runs before the measured window starts, ms. */
const FLOOD_LEAD_MS = 1000;
/** The receivers' p99 while flooded must stay within this factor of the quiet p99 (issue #11). */
export const P99_RATIO_BOUND = 2;
const FLOOD_CHANNEL = 'flood-room';

/** What the flood case measured. */
export interface FloodRun {
  /** Before the flood, and after it (the flood is bracketed, so warm-up or drift favours neither side). */
  quietBefore: LatencyResult;
  quietAfter: LatencyResult;
  flooded: LatencyResult;
  flood: FloodReport;
}

/** The quiet figure the flooded one is held to: the lower p99 of the two quiet windows (the stricter bound). */
export function quietBaseline(run: FloodRun): LatencyResult {
  return run.quietAfter.latency.p99Ms < run.quietBefore.latency.p99Ms ? run.quietAfter : run.quietBefore;
}

function describe(label: string, result: LatencyResult): string {
  const { latency } = result;
  return (
    `${label}: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms` +
    (result.missing > 0 ? `, ${formatNumber(result.missing)} not delivered within ${DRAIN_TIMEOUT_MS / 1000} s` : '') +
    `, server CPU ${formatNumber(result.serverCpu * 100)}%, event loop ${formatNumber(result.eventLoop * 100)}%`
  );
}

/**
 * Case 8: the receivers' publish-to-receive latency at 25 events/s × 1,000 subscribers, first
 * quiet, then while one plain `client` connection offers 10,000 channel messages a second, on the
 * same server in the same run. With the default rate limits the server accepts about 100 of them a
 * second (per connection, plus bursts) and answers the rest `RATE_LIMITED`; the receivers' p99
 * must stay within 2× of the quiet one.
 */
export const floodCase: BenchCase = {
  id: 'flood',
  title: 'One client flooding 10,000 messages/s while 1,000 others receive',
  async run(context) {
    const { options } = context;
    const scope = 'flood';
    const run = await withFleet(
      { kind: 'platform', scope, clients: options.clients, ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) },
      async (fleet): Promise<FloodRun> => {
        await connectReceivers(fleet, scope, options.connections, { kind: 'fanout', topic: FANOUT_TOPIC });
        const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1 });
        const token = await benchToken(fleet.server.secret, 'bench-flooder', 'client');
        const flooder = await Flooder.launch({ url: fleet.server.url, token, channel: FLOOD_CHANNEL, payloadBytes: options.payloadBytes });
        try {
          const measure = (quietWait: boolean): Promise<LatencyResult> =>
            measureLatency(fleet, publisher, {
              scope,
              rate: LATENCY_RATE,
              subscribersPerEvent: options.connections,
              warmupMs: LATENCY_WARMUP_MS,
              durationMs: options.durationMs,
              drainTimeoutMs: DRAIN_TIMEOUT_MS,
              quietWait,
            });
          const quietBefore = await measure(true);
          progress(scope, describe('quiet (before)', quietBefore));
          // The flood keeps the machine busy on purpose: wait for quiet before it starts, not during.
          await waitForQuietMachine(scope);
          await flooder.start(FLOOD_RATE);
          let flooded: LatencyResult;
          let flood: FloodReport;
          try {
            await sleep(FLOOD_LEAD_MS);
            flooded = await measure(false);
          } finally {
            flood = await flooder.stop();
          }
          // The flooder is one of ours: its CPU is not "other processes".
          const flooderCores = flood.cpuMicros / Math.max(1, flood.elapsedMs * 1000);
          flooded = { ...flooded, otherLoadCores: Math.max(0, flooded.otherLoadCores - flooderCores) };
          progress(scope, describe(`while flooded at ${formatNumber(FLOOD_RATE)} messages/s`, flooded));
          progress(scope, describeFlood(flood));
          const quietAfter = await measure(true);
          progress(scope, describe('quiet (after)', quietAfter));
          return { quietBefore, quietAfter, flooded, flood };
        } finally {
          publisher.close();
          await flooder.close();
        }
      },
    );
    const quiet = quietBaseline(run);
    const ratio = run.flooded.latency.p99Ms / Math.max(1e-9, quiet.latency.p99Ms);
    progress(scope, `p99 flooded / quiet = ${formatNumber(ratio, 2)}× (bound ${P99_RATIO_BOUND}×)${ratio <= P99_RATIO_BOUND ? '' : ' — OVER THE BOUND'}`);
    const seconds = run.flood.elapsedMs / 1000;
    const rows: BenchRow[] = [
      {
        id: 'flood.p99',
        label: `p99 publish-to-receive at ${formatNumber(LATENCY_RATE)} events/s × ${formatNumber(options.connections)} subscribers while one client floods ${formatNumber(FLOOD_RATE)} messages/s (bound: ${P99_RATIO_BOUND}× quiet)`,
        unit: 'ms',
        better: 'lower',
        value: run.flooded.latency.p99Ms,
        baseline: quiet.latency.p99Ms,
        baselineLabel: 'same server, same run, no flood (the lower of the windows before and after)',
      },
      {
        id: 'flood.accepted',
        label: "Flooder's messages accepted (default rate limits)",
        unit: 'messages/s',
        better: 'lower',
        value: run.flood.accepted / Math.max(1e-9, seconds),
        baseline: run.flood.sent / Math.max(1e-9, seconds),
        baselineLabel: 'messages offered',
      },
    ];
    return {
      rows,
      details: { ...run, ratio, p99RatioBound: P99_RATIO_BOUND, floodRate: FLOOD_RATE, latencyRate: LATENCY_RATE },
      notes: floodNotes(options.connections, options.durationMs, run, ratio),
    };
  },
};

function describeFlood(flood: FloodReport): string {
  const seconds = flood.elapsedMs / 1000;
  const refused = Object.entries(flood.refused)
    .map(([code, count]) => `${formatNumber(count)} ${code}`)
    .join(', ');
  return (
    `flooder: ${formatNumber(flood.sent)} sent in ${formatNumber(seconds, 1)} s (${formatNumber(flood.sent / seconds)}/s), ` +
    `${formatNumber(flood.accepted)} accepted (${formatNumber(flood.accepted / seconds)}/s), refused: ${refused === '' ? 'none' : refused}, ` +
    `${formatNumber(flood.sent - flood.acked)} unanswered; flooder CPU ${formatNumber((flood.cpuMicros / (flood.elapsedMs * 1000)) * 100)}%`
  );
}

/** The notes of the flood case for BENCHMARKS.md, from its measured figures. */
export function floodNotes(connections: number, durationMs: number, run: FloodRun, ratio: number): string[] {
  const ms = (value: number): string => formatNumber(value, 1);
  const line = (label: string, result: LatencyResult): string =>
    `| ${label} | ${ms(result.latency.p50Ms)} | ${ms(result.latency.p95Ms)} | ${ms(result.latency.p99Ms)} | ${ms(result.latency.maxMs)} | ` +
    `${formatNumber(result.missing)} | ${formatNumber(result.serverCpu * 100)}% | ${formatNumber(result.eventLoop * 100)}% | ${formatNumber(result.otherLoadCores, 2)} |`;
  return [
    `Setup: one platform server with the default rate limits, ${formatNumber(connections)} receivers subscribed to one topic (as in case 3), ` +
      `the runner's \`service\` connection publishing ${LATENCY_RATE} events/s to them (${formatNumber(LATENCY_RATE * connections)} deliveries/s), ` +
      `and a separate process (\`test/bench/flood-entry.ts\`) holding one connection of a plain \`client\` user that joined a channel of ` +
      `its own and offers ${formatNumber(FLOOD_RATE)} \`channel:publish\` requests a second with acknowledgements, open loop. The ` +
      `receivers' latency is measured over ${durationMs / 1000} s after 1 s of warm-up, first quiet, then with the flood running ` +
      `(started ${FLOOD_LEAD_MS / 1000} s before the window), then quiet again, on the same server in the same run. The flooded p99 is ` +
      'held to the lower of the two quiet ones.',
    [
      '| run | p50 ms | p95 ms | p99 ms | max ms | not delivered | server CPU | event loop | other processes (cores) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      line('quiet, before', run.quietBefore),
      line(`flooded (${formatNumber(FLOOD_RATE)} messages/s offered)`, run.flooded),
      line('quiet, after', run.quietAfter),
    ].join('\n'),
    `Result: p99 ${ms(run.flooded.latency.p99Ms)} ms while flooded against ${ms(quietBaseline(run).latency.p99Ms)} ms quiet: ` +
      `${formatNumber(ratio, 2)}× (the bound is ${P99_RATIO_BOUND}×${ratio <= P99_RATIO_BOUND ? ', met' : ', **not met**'}). ${describeFlood(run.flood)}. ` +
      'The flood reaches nobody (the flooder is alone in its channel), so what it costs the others is the work of reading, checking and ' +
      "refusing its requests; the flooder process itself shares the machine's cores with the server and the receivers.",
  ];
}
