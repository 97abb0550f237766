import type { BenchOptions } from '../bench-options.js';
import { benchToken } from '../bench-socket.js';
import { ClientPool } from '../client-pool.js';
import { GeoPublisher } from '../geo-publisher.js';
import { GEO_OBJECTS } from '../geo-world.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress, sleep } from '../progress.js';
import { ServerProcess } from '../server-process.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';
import {
  BACKLOG_MS,
  describeGeoStep,
  DRAIN_TIMEOUT_MS,
  figure,
  measureGeoStep,
  MIN_BACKLOG,
  SUSTAIN_P99_MS,
  SUSTAIN_SHARE,
  type GeoMatching,
  type GeoStep,
} from './geo-step.js';

/** The issue's load: every one of the 10,000 objects moving once a second. */
export const GEO_OFFERED_RATE = 10_000;
/** Rates tried, from the issue's down, when the machine cannot keep up (updates/s). */
const RATE_LADDER = [10_000, 7_500, 5_000, 3_500, 2_500, 1_750, 1_250, 1_000, 750, 500, 350, 250, 100];
/** Each move shifts its object by up to ~15 m in each direction (a city vehicle's second). */
const STEP_DEGREES = 0.00015;
/** The whole case stays within this (steps that would not fit are left out, and said so). */
const CASE_BUDGET_MS = 105_000;
/** Most rates tried per matching mode. */
const MAX_STEPS: Record<GeoMatching, number> = { index: 4, scan: 3 };
/** Seeds of the objects' positions and moves, and of the subscribers' circles. */
const OBJECT_SEED = 13;
const CIRCLE_SEED = 10;

/** Every step on one server (one matching mode), and the highest it sustained. */
export interface GeoModeRun {
  matching: GeoMatching;
  steps: GeoStep[];
  sustained: GeoStep | undefined;
  /** Writing the 10,000 objects at their starting positions, and opening the subscribers (each with its first `'full'`). */
  seedMs: number;
  subscribeMs: number;
  /** Rates that were not tried because the case's time budget ran out. */
  skipped: boolean;
}

/** The next rung below `step`, aimed under what it reached, or undefined at the bottom. */
function nextRate(step: GeoStep): number | undefined {
  const target = 0.9 * Math.min(step.offeredRate, step.appliedRate, step.sentRate);
  return RATE_LADDER.find((rate) => rate < step.offeredRate && rate <= target) ?? RATE_LADDER.find((rate) => rate < step.offeredRate);
}

/** Waits until the server has applied `count` object writes in all; false after `timeoutMs`. */
async function waitForWrites(server: ServerProcess, count: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while ((await server.stats()).objectWrites < count) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * One server (matching `matching`): the objects written, the subscribers opened with their
 * feeds, then rates from `firstRate` down until one is sustained, within `maxSteps` and the
 * case's deadline. The server and the publisher are stopped, and the subscribers closed, whatever happens.
 */
async function runMode(context: BenchContext, pool: ClientPool, matching: GeoMatching, firstRate: number, deadline: number): Promise<GeoModeRun> {
  const { options } = context;
  const scope = `geofeeds`;
  const server = await ServerProcess.start({
    kind: 'platform',
    label: `geofeeds-${matching}`,
    objectMatching: matching,
    ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }),
  });
  let publisher: GeoPublisher | undefined;
  try {
    const token = await benchToken(server.secret, 'bench-geo-publisher', 'service');
    publisher = await GeoPublisher.launch({ url: server.url, token, objects: GEO_OBJECTS, seed: OBJECT_SEED, stepDegrees: STEP_DEGREES });
    const seedStarted = performance.now();
    await publisher.seed();
    if (!(await waitForWrites(server, GEO_OBJECTS, 60_000)))
      throw new Error(`${matching}: the server did not apply the ${formatNumber(GEO_OBJECTS)} seed writes within 60 s`);
    const seedMs = performance.now() - seedStarted;
    const { connected, elapsedMs: subscribeMs } = await pool.geoConnect({
      url: server.url,
      secret: server.secret,
      total: options.connections,
      seed: CIRCLE_SEED,
    });
    if (connected !== options.connections) throw new Error(`${matching}: only ${connected} of ${options.connections} subscribers opened`);
    progress(
      scope,
      `${matching}: ${formatNumber(GEO_OBJECTS)} objects written in ${formatNumber(seedMs / 1000, 1)} s, ` +
        `${formatNumber(connected)} circle feeds opened in ${formatNumber(subscribeMs / 1000, 1)} s`,
    );
    await waitForQuietMachine(scope, 3_000);
    const steps: GeoStep[] = [];
    const stepCostMs = options.warmupMs + options.durationMs + 2_000;
    let rate: number | undefined = firstRate;
    let skipped = false;
    while (rate !== undefined && steps.length < MAX_STEPS[matching]) {
      if (performance.now() + stepCostMs > deadline) {
        skipped = true;
        progress(scope, `${matching}: time budget spent; ${formatNumber(rate)} updates/s and below not tried`);
        break;
      }
      const step = await measureGeoStep(server, pool, publisher, matching, rate, options);
      steps.push(step);
      progress(scope, describeGeoStep(step));
      if (step.sustained) break;
      rate = nextRate(step);
    }
    return { matching, steps, sustained: steps.find((step) => step.sustained), seedMs, subscribeMs, skipped };
  } finally {
    await publisher?.close();
    await pool.disconnect();
    await server.close();
  }
}

/**
 * What a step achieved: the lower of what was sent and what the server acknowledged as applied
 * (the acknowledgements come one per 50 updates, so the applied figure is within 50 updates of
 * the window's; the lower of the two never overstates).
 *
 * @example
 * achievedRate(step); // 498.6
 */
export function achievedRate(step: GeoStep): number {
  return Math.min(step.sentRate, step.appliedRate);
}

/** The rate both servers are compared at: the highest the index sustained, else the lowest it tried. */
export function comparisonRate(index: GeoModeRun): number | undefined {
  return index.sustained?.offeredRate ?? index.steps.at(-1)?.offeredRate;
}

/** The notes of case 10 for BENCHMARKS.md, from its measured figures. */
export function geoFeedsNotes(options: BenchOptions, index: GeoModeRun, scan: GeoModeRun | undefined): string[] {
  const n = figure;
  const rate = comparisonRate(index);
  const ours = index.steps.find((step) => step.offeredRate === rate);
  const theirs = scan?.steps.find((step) => step.offeredRate === rate);
  const line = (step: GeoStep): string =>
    `| ${step.matching === 'index' ? 'index (ours)' : 'scan (brute force)'} | ${n(step.offeredRate)} | ${n(step.sentRate)} | ${n(step.dropped)} | ${n(step.appliedRate)} | ` +
    `${n(step.deliveriesPerSecond)} | ${n(step.deliveriesPerUpdate, 1)} | ${n(step.latency.p50Ms, 1)} | ${n(step.latency.p99Ms, 1)} | ` +
    `${n(step.serverCpu * 100)}% (${n(step.idleServerCpu * 100)}%) | ${n(step.cpuMicrosPerUpdate, 1)} | ${n(step.cpuMicrosPerDelivery, 2)} | ${n(step.clientCpu * 100)}% | ` +
    `${n(step.otherLoadCores, 2)} | ${step.sustained ? 'yes' : 'no'} |`;
  const notes = [
    `Setup: one platform server process per matching mode, each with ${n(GEO_OBJECTS)} objects written first (\`rider/<i>\` at random points of a ` +
      `±0.15° square around central Lagos, about 33 km a side, the world of case 9), then ${n(options.connections)} subscriber connections over ` +
      `${options.clients} client processes, each with one \`objects:subscribe\` \`{ shape: { cx, cy, r }, executeImmediately: true }\` (a random ` +
      `circle of 200 m to 5 km in the square, the same circles on both servers), and one \`service\` connection in a process of its own ` +
      `(\`test/bench/geo-publisher-entry.ts\`) moving the objects in turn with fire-and-forget \`object:set\` (no acknowledgement; single ` +
      `events: client batching is not on this branch), each move up to ~15 m per axis with the publish time in \`data.t\`; one move in 50 ` +
      `asks for an acknowledgement, and a move that falls due while more than ${BACKLOG_MS} ms of the rate (at least ${MIN_BACKLOG} moves) ` +
      `is not known to be applied is dropped rather than queued (an overloaded server then shows as a lower sent rate, not as a queue ` +
      `that outlives the step). The issue's load ` +
      `is ${n(GEO_OFFERED_RATE)} updates/s (every object once a second); when a rate is not sustained, the next lower rate of ` +
      `${RATE_LADDER.map((r) => n(r)).join(', ')} under 90% of what was reached is tried (at most ${MAX_STEPS.index} rates on the index, ` +
      `${MAX_STEPS.scan} on brute force, and the case stops within ${CASE_BUDGET_MS / 1000} s). Sustained means the publisher sent and ` +
      `the server applied (acknowledged to the publisher, which times the window) at least ${SUSTAIN_SHARE * 100}% of the rate over the ${options.durationMs / 1000} s ` +
      `window after ${options.warmupMs / 1000} s of warm-up, p99 ≤ ${SUSTAIN_P99_MS} ms, and the receivers quiet within ` +
      `${DRAIN_TIMEOUT_MS / 1000} s of the last update. Deliveries are the object entries of \`feed:data\` deltas counted at the receivers; ` +
      `latency is timed on \`added\` and \`updated\` entries (a \`removed\` one carries the last state its subscriber saw, so the previous ` +
      `write's time), for updates published in the window, late ones included. Server CPU is read from its counters before each rate ` +
      `and after its drain (a busy server answers stats requests late), so the CPU per update and per delivery cover all the work of ` +
      `that rate's updates (and the server's background work: its CPU with no load, read for half a second before each rate, is in ` +
      `brackets), and the server CPU column is its average over the step.`,
    `Baseline: the same server with \`createRealtimeServer({ objects: { matching: 'scan' } })\`, which makes each realm's \`ObjectMatcher\` ` +
      `test every subscription on every write instead of asking its grid and R-tree of subscription boxes (same exact test, same deltas: ` +
      `the matcher's cross-check runs in both modes), on the same objects, circles and moves. It is the brute-force check the issue ` +
      `names, inside the real server, so the difference between the two runs is what the index saves end to end; the bare Socket.IO ` +
      `baseline of case 1 would compare emitting, not matching. Case 9 times the matching alone. Brute force is run at the rate the ` +
      `index sustained first (the same load on both), then lower if it cannot sustain it.`,
    [
      '| matching | offered updates/s | sent/s | dropped | applied/s | deliveries/s | deliveries per update | p50 ms | p99 ms | server CPU (idle before) | µs CPU per update | µs CPU per delivery | load clients | other processes (cores) | sustained |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
      ...index.steps.map(line),
      ...(scan?.steps ?? []).map(line),
    ].join('\n'),
  ];
  if (ours !== undefined) {
    notes.push(
      `Result: ${index.sustained === undefined ? `no rate tried was sustained on this machine at this time (lowest tried: ${n(ours.offeredRate)} updates/s, ` + `${n(ours.appliedRate)} applied)` : `the index sustained ${n(achievedRate(index.sustained))} updates/s (${n(index.sustained.offeredRate)} offered${index.sustained.offeredRate < GEO_OFFERED_RATE ? `; the issue's ${n(GEO_OFFERED_RATE)}/s was not sustained here` : ''})`}. ` +
        `At ${n(ours.offeredRate)} updates/s it delivered ${n(ours.deliveriesPerSecond)} feed entries/s (${n(ours.deliveriesPerUpdate, 1)} subscribers per update), ` +
        `p50 ${n(ours.latency.p50Ms, 1)} ms and p99 ${n(ours.latency.p99Ms, 1)} ms publish-to-receive, at ${n(ours.cpuMicrosPerUpdate, 1)} µs of server CPU per update ` +
        `(${n(ours.cpuMicrosPerDelivery, 2)} µs per delivery)` +
        (theirs === undefined
          ? '; brute force was not measured at that rate (time budget).'
          : `; brute force at the same offered rate: ${n(theirs.appliedRate)} applied/s, ${n(theirs.deliveriesPerSecond)} deliveries/s, p99 ` +
            `${n(theirs.latency.p99Ms, 1)} ms, ${n(theirs.cpuMicrosPerUpdate, 1)} µs per update` +
            (theirs.cpuMicrosPerUpdate === null || ours.cpuMicrosPerUpdate === null
              ? ''
              : ` (${n(theirs.cpuMicrosPerUpdate / ours.cpuMicrosPerUpdate, 2)}× ours)`) +
            (scan?.sustained === undefined ? ', and no rate tried was sustained' : `; it sustained ${n(achievedRate(scan.sustained))} updates/s`) +
            '. What is left per update on the index is the write itself (validation, the store, history, the bus) and one Socket.IO emit per subscriber.'),
    );
  }
  return notes;
}

/**
 * Case 10, issue 13's end-to-end geo case: 10,000 objects moving (up to 10,000 location updates a
 * second) and 1,000 subscribers with random circle feeds on a real server, against the same server
 * matching by brute force. Reports updates/s offered and applied, deliveries/s, p50/p99
 * publish-to-receive and server CPU per update and per delivery, lowering the rate when the
 * machine cannot keep up.
 */
export const geoFeedsCase: BenchCase = {
  id: 'geofeeds',
  title: 'Geo feeds end to end: 10,000 moving objects, 1,000 circle subscribers (objects)',
  async run(context) {
    const { options } = context;
    const deadline = performance.now() + CASE_BUDGET_MS;
    const pool = await ClientPool.start(options.clients);
    let index: GeoModeRun;
    let scan: GeoModeRun | undefined;
    try {
      index = await runMode(context, pool, 'index', GEO_OFFERED_RATE, deadline);
      const rate = comparisonRate(index);
      if (rate !== undefined && performance.now() + 20_000 < deadline) scan = await runMode(context, pool, 'scan', rate, deadline);
      else progress('geofeeds', 'scan: time budget spent; brute force not measured');
    } finally {
      await pool.close();
    }
    const rate = comparisonRate(index);
    const ours = index.steps.find((step) => step.offeredRate === rate);
    const theirs = scan?.steps.find((step) => step.offeredRate === rate);
    const n = (x: number): string => formatNumber(x);
    const at = rate === undefined ? '' : ` at ${n(rate)} updates/s offered`;
    const baselineLabel = "same server, `objects.matching: 'scan'` (every subscription tested per write)";
    const row = (id: string, label: string, unit: string, better: 'higher' | 'lower', pick: (step: GeoStep) => number | null): BenchRow => ({
      id,
      label,
      unit,
      better,
      value: ours === undefined ? null : pick(ours),
      baseline: theirs === undefined ? null : pick(theirs),
      baselineLabel,
    });
    const rows: BenchRow[] = [
      {
        id: 'geofeeds.sustained',
        label: `Location updates/s sustained (${n(GEO_OBJECTS)} objects, ${n(options.connections)} circle feeds; ${n(GEO_OFFERED_RATE)}/s asked, p99 ≤ ${SUSTAIN_P99_MS} ms)`,
        unit: 'updates/s',
        better: 'higher',
        value: index.sustained === undefined ? null : achievedRate(index.sustained),
        baseline: scan?.sustained === undefined ? null : achievedRate(scan.sustained),
        baselineLabel: `${baselineLabel}, tried from the index's rate down`,
        ...(index.sustained === undefined ? { note: 'no rate tried was sustained' } : {}),
      },
      row('geofeeds.deliveries', `Feed deliveries/s${at}`, 'deliveries/s', 'higher', (step) => step.deliveriesPerSecond),
      row('geofeeds.p99', `p99 publish-to-receive${at}`, 'ms', 'lower', (step) => step.latency.p99Ms),
      row('geofeeds.cpu-per-update', `Server CPU per location update${at}`, 'µs', 'lower', (step) => step.cpuMicrosPerUpdate),
      row('geofeeds.cpu-per-delivery', `Server CPU per delivery${at}`, 'µs', 'lower', (step) => step.cpuMicrosPerDelivery),
    ];
    return {
      rows,
      details: { index, scan, comparisonRate: rate, offeredRate: GEO_OFFERED_RATE, objects: GEO_OBJECTS, sustainP99Ms: SUSTAIN_P99_MS },
      notes: geoFeedsNotes(options, index, scan),
    };
  },
};
