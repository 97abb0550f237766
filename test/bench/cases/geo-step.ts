import { monotonicMicros } from '../bench-event.js';
import type { BenchOptions } from '../bench-options.js';
import type { ClientPool } from '../client-pool.js';
import type { GeoPublisher } from '../geo-publisher.js';
import type { LatencySummary } from '../latency-histogram.js';
import { otherLoadCores, readMachineCpu } from '../machine-load.js';
import { formatNumber, sleep } from '../progress.js';
import { cpuBetween, type ServerProcess } from '../server-process.js';

/** How the server under test matches object writes to feeds (`objects.matching`). */
export type GeoMatching = 'index' | 'scan';

/** A rate is sustained when publisher and server both reach this share of it... */
export const SUSTAIN_SHARE = 0.95;
/** ...the p99 of publish-to-receive stays within this... */
export const SUSTAIN_P99_MS = 250;
/** ...and the receivers are quiet again within DRAIN_TIMEOUT_MS of the last update. */
const DRAIN_QUIET_MS = 300;
export const DRAIN_TIMEOUT_MS = 10_000;
/**
 * The publisher's backlog: moves sent but not known to be applied, at most this much of the rate
 * (and at least 200); moves due beyond it are dropped, so an overloaded server shows as a lower
 * sent rate rather than a queue that outlives the step.
 */
export const BACKLOG_MS = SUSTAIN_P99_MS;
export const MIN_BACKLOG = 200;
/** How long the server's idle CPU is read before each step, ms. */
const IDLE_MS = 500;

/** One rate on one server: what was offered, what the publisher and the server reached, and what the receivers saw. */
export interface GeoStep {
  matching: GeoMatching;
  /** Updates/s asked of the publisher. */
  offeredRate: number;
  /** Updates/s the publisher sent (warm-up and window). */
  sentRate: number;
  /** Moves that fell due while the publisher's backlog was full, and were not sent. */
  dropped: number;
  /** Updates/s the server applied in the window (acknowledged to the publisher, on its clock). */
  appliedRate: number;
  /** Object entries of `feed:data` deltas received per second in the window, over every subscriber. */
  deliveriesPerSecond: number;
  /** Null when the server applied no update in the window (as for the per-update CPU). */
  deliveriesPerUpdate: number | null;
  /** Publish-to-receive of the added and updated entries of updates published in the window (late ones included). */
  latency: LatencySummary;
  /**
   * Server CPU (user + system) as a fraction of one core, and its event-loop utilisation, over the
   * whole step (warm-up, window and drain); the per-update and per-delivery figures divide the same
   * CPU by every update the server applied and every entry the receivers got in that span.
   */
  serverCpu: number;
  /** Server CPU over half a second just before the step, with no load (background work the step's figures include too). */
  idleServerCpu: number;
  eventLoop: number;
  cpuMicrosPerUpdate: number | null;
  cpuMicrosPerDelivery: number | null;
  /** Client processes' (over the step) and the publisher's CPU, fractions of one core. */
  clientCpu: number;
  publisherCpu: number;
  otherLoadCores: number;
  /** From the last update sent until the receivers were quiet. */
  drainMs: number;
  drained: boolean;
  /** Writes the server refused (`protocol:error` frames to the publisher) by the end of this step. */
  refused: number;
  sustained: boolean;
}

/**
 * A figure, or a dash when it was not measurable.
 *
 * @example
 * figure(null); // '—'
 */
export function figure(x: number | null, digits = 0): string {
  return x === null ? '—' : formatNumber(x, digits);
}

/**
 * One progress line for a step.
 *
 * @example
 * progress('geofeeds', describeGeoStep(step));
 */
export function describeGeoStep(step: GeoStep): string {
  const n = figure;
  return (
    `${step.matching}: ${n(step.offeredRate)} updates/s offered, ${n(step.sentRate)} sent (${n(step.dropped)} dropped at the backlog bound), ${n(step.appliedRate)} applied; ` +
    `${n(step.deliveriesPerSecond)} deliveries/s (${n(step.deliveriesPerUpdate, 1)} per update); p50 ${step.latency.p50Ms} ms, p99 ${step.latency.p99Ms} ms; ` +
    `server CPU ${n(step.serverCpu * 100)}% (${n(step.cpuMicrosPerUpdate, 1)} µs/update, ${n(step.cpuMicrosPerDelivery, 2)} µs/delivery)` +
    (step.drained ? '' : `, receivers still busy ${DRAIN_TIMEOUT_MS / 1000} s after the last update`) +
    (step.otherLoadCores >= 0.2 ? ` (other processes used ${n(step.otherLoadCores, 2)} cores)` : '') +
    ` — ${step.sustained ? 'sustained' : 'not sustained'}`
  );
}

/**
 * One rate: warm-up, the measured window, then the drain. Rates come from clocks that stay
 * responsive under load (the publisher's acknowledgements for updates applied, the receivers for
 * deliveries); server CPU from its counters read while it is idle, before the step and after the
 * drain, so it covers all the work of the step's updates whatever the server's backlog did to
 * the timing of its answers.
 *
 * @example
 * const step = await measureGeoStep(server, pool, publisher, 'index', 2500, options);
 */
export async function measureGeoStep(
  server: ServerProcess,
  pool: ClientPool,
  publisher: GeoPublisher,
  matching: GeoMatching,
  rate: number,
  options: BenchOptions,
): Promise<GeoStep> {
  const { warmupMs, durationMs } = options;
  const count = Math.round((rate * (warmupMs + durationMs)) / 1000);
  // The server's own background (1,000 idle connections' heartbeats, timers) before the load.
  const idleStart = await server.stats();
  await sleep(IDLE_MS);
  const machineStart = readMachineCpu();
  const ownStart = process.cpuUsage();
  const [before, received0] = await Promise.all([server.stats(), pool.geoSnapshot()]);
  const idleCpu = cpuBetween(idleStart, before).utilisation;
  const t0 = monotonicMicros();
  await pool.geoRecord({ fromMicros: t0 + warmupMs * 1000, toMicros: t0 + (warmupMs + durationMs) * 1000 });
  const maxBacklog = Math.max(MIN_BACKLOG, Math.round((rate * BACKLOG_MS) / 1000));
  const running = publisher.run({ rate, count, maxBacklog, windowFromMs: warmupMs, windowToMs: warmupMs + durationMs });
  await sleep(warmupMs);
  const start = await pool.geoSnapshot();
  await sleep(durationMs);
  const end = await pool.geoSnapshot();
  const report = await running;
  const sentAt = performance.now();
  let latest = await pool.geoSnapshot();
  let quietSince = performance.now();
  let drained = false;
  while (performance.now() - sentAt < DRAIN_TIMEOUT_MS) {
    await sleep(100);
    const next = await pool.geoSnapshot();
    if (next.received !== latest.received) quietSince = performance.now();
    latest = next;
    if (performance.now() - quietSince >= DRAIN_QUIET_MS) {
      drained = true;
      break;
    }
  }
  const after = await server.stats();
  const machineEnd = readMachineCpu();
  const ownUsed = process.cpuUsage(ownStart);
  const drainMs = Math.max(0, quietSince - sentAt);
  const cpu = cpuBetween(before, after);
  const writes = after.objectWrites - before.objectWrites;
  const deliveries = latest.received - received0.received;
  const windowDeliveries = end.received - start.received;
  const clientSeconds = (end.at - start.at) / 1000;
  const publisherCpu = report.cpuMicros / Math.max(1, report.elapsedMs * 1000);
  // The benchmark's own processes: server, clients, publisher (its average over the run) and this one.
  const clientMicros = latest.cpuMicros - received0.cpuMicros;
  const ownMicros = cpu.cpuMicros + clientMicros + publisherCpu * cpu.wallMicros + ownUsed.user + ownUsed.system;
  const latency = latest.histogram.summary();
  const step: Omit<GeoStep, 'sustained'> = {
    matching,
    offeredRate: rate,
    sentRate: report.sent / Math.max(1e-9, report.elapsedMs / 1000),
    dropped: report.dropped,
    appliedRate: report.appliedInWindow / Math.max(1e-9, report.windowMs / 1000),
    deliveriesPerSecond: windowDeliveries / clientSeconds,
    deliveriesPerUpdate: writes === 0 ? null : deliveries / writes,
    latency,
    serverCpu: cpu.utilisation,
    idleServerCpu: idleCpu,
    eventLoop: cpu.eventLoop,
    cpuMicrosPerUpdate: writes === 0 ? null : cpu.cpuMicros / writes,
    cpuMicrosPerDelivery: deliveries === 0 ? null : cpu.cpuMicros / deliveries,
    clientCpu: clientMicros / cpu.wallMicros,
    publisherCpu,
    otherLoadCores: otherLoadCores(machineStart, machineEnd, ownMicros, cpu.wallMicros),
    drainMs,
    drained,
    refused: report.refused,
  };
  const sustained =
    step.sentRate >= SUSTAIN_SHARE * rate && step.appliedRate >= SUSTAIN_SHARE * rate && latency.count > 0 && latency.p99Ms <= SUSTAIN_P99_MS && drained;
  return { ...step, sustained };
}
