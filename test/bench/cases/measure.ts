import type { ClientPool } from '../client-pool.js';
import type { LatencySummary } from '../latency-histogram.js';
import type { LoadPublisher } from '../load-publisher.js';
import { otherLoadCores, readMachineCpu, waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress, sleep } from '../progress.js';
import { cpuBetween, type MeasuredServer } from '../server-process.js';
import type { ServerStats } from '../ipc-protocol.js';

/** What a measurement drives: the server side (one process or several) and the receiving clients. */
export interface MeasuredFleet {
  server: MeasuredServer;
  pool: ClientPool;
  /** Whether the receivers ask for batched frames (names the profile file). */
  batchedFrames?: boolean;
}

/** What a closed-loop (saturating) measurement found. */
export interface ThroughputResult {
  /** Deliveries counted at the receivers per second. */
  deliveriesPerSecond: number;
  /** Events published per second. */
  eventsPerSecond: number;
  /** Server CPU (user + system) as a fraction of one core. */
  serverCpu: number;
  /** Server event-loop utilisation (0-1). */
  eventLoop: number;
  /** Server CPU µs per delivered event. */
  cpuMicrosPerDelivery: number;
  /** Client processes' CPU as a fraction of one core. */
  clientCpu: number;
  /** Cores used by processes outside the benchmark during the window (noise). */
  otherLoadCores: number;
  publishErrors: number;
}

/** Everything the benchmark's processes have used so far, µs. */
function ownCpuMicros(server: ServerStats, clientsMicros: number): number {
  const own = process.cpuUsage();
  return server.cpuUserMicros + server.cpuSystemMicros + clientsMicros + own.user + own.system;
}

/**
 * Saturates the server: the publisher keeps `windowEvents` undelivered events in flight, and the
 * deliveries counted at the receivers over `durationMs` (after `warmupMs`) give the rate.
 *
 * @example
 * const result = await measureThroughput(fleet, publisher, { scope: 'fanout', warmupMs: 2000, durationMs: 5000, windowEvents: 32 });
 */
export async function measureThroughput(
  fleet: MeasuredFleet,
  publisher: LoadPublisher,
  options: { scope: string; warmupMs: number; durationMs: number; windowEvents: number },
): Promise<ThroughputResult> {
  const { scope } = options;
  const kind = fleet.server.ready.kind;
  await waitForQuietMachine(scope);
  let stopped = false;
  const loop = publisher.closedLoop(fleet.pool, options.windowEvents, () => stopped);
  try {
    await sleep(options.warmupMs);
    await fleet.server.startProfile();
    const machineStart = readMachineCpu();
    const [startStats, start] = await Promise.all([fleet.server.stats(), fleet.pool.snapshot()]);
    const startSeq = publisher.nextSeq;
    let previous = start;
    let previousStats = startStats;
    const deadline = start.at + options.durationMs;
    while (performance.now() < deadline - 1) {
      await sleep(Math.min(1000, deadline - performance.now()));
      const [current, currentStats] = await Promise.all([fleet.pool.snapshot(), fleet.server.stats()]);
      const seconds = (current.at - previous.at) / 1000;
      const rate = (current.received - previous.received) / seconds;
      const serverCpu = cpuBetween(previousStats, currentStats);
      const clientCpu = (current.cpuMicros - previous.cpuMicros) / (seconds * 1e6);
      progress(
        scope,
        `${kind}: ${formatNumber(rate)} deliveries/s (server CPU ${formatNumber(serverCpu.utilisation * 100)}%, ` +
          `clients ${formatNumber(clientCpu * 100)}%)`,
      );
      previous = current;
      previousStats = currentStats;
    }
    const machineEnd = readMachineCpu();
    await fleet.server.stopProfile(`${scope}-${kind}${fleet.batchedFrames ? '-batched' : ''}-saturated`);
    const end = previous;
    const endStats = previousStats;
    const seconds = (end.at - start.at) / 1000;
    const deliveries = end.received - start.received;
    const cpu = cpuBetween(startStats, endStats);
    const ownMicros = ownCpuMicros(endStats, end.cpuMicros) - ownCpuMicros(startStats, start.cpuMicros);
    return {
      deliveriesPerSecond: deliveries / seconds,
      eventsPerSecond: (publisher.nextSeq - startSeq) / seconds,
      serverCpu: cpu.utilisation,
      eventLoop: cpu.eventLoop,
      cpuMicrosPerDelivery: cpu.cpuMicros / Math.max(1, deliveries),
      clientCpu: (end.cpuMicros - start.cpuMicros) / (seconds * 1e6),
      otherLoadCores: otherLoadCores(machineStart, machineEnd, ownMicros, seconds * 1e6),
      publishErrors: publisher.errors.count,
    };
  } finally {
    stopped = true;
    await loop;
    const drained = await fleet.pool.waitForDone(publisher.nextSeq - 1, 30_000);
    if (!drained) progress(scope, `${kind}: receivers did not catch up within 30 s after the load stopped`);
  }
}

/** What a fixed-rate (open-loop) measurement found. */
export interface LatencyResult {
  /** Offered events/s and deliveries/s. */
  rate: number;
  offeredDeliveriesPerSecond: number;
  latency: LatencySummary;
  /** Deliveries of measured events that had not arrived by the end of the drain timeout. */
  missing: number;
  serverCpu: number;
  /** Server CPU µs per delivery at this rate (below saturation this is steadier than throughput). */
  cpuMicrosPerDelivery: number;
  eventLoop: number;
  otherLoadCores: number;
}

/**
 * Publishes at a fixed `rate` for `warmupMs + durationMs`, then records the publish-to-receive
 * latency of every delivery of the events published in the measured part (late ones included:
 * it waits for them up to `drainTimeoutMs`).
 *
 * @example
 * const result = await measureLatency(fleet, publisher, { scope: 'latency', rate: 50, subscribersPerEvent: 1000, ... });
 */
export async function measureLatency(
  fleet: MeasuredFleet,
  publisher: LoadPublisher,
  options: {
    scope: string;
    rate: number;
    subscribersPerEvent: number;
    warmupMs: number;
    durationMs: number;
    drainTimeoutMs: number;
    /** Wait for a quiet machine first; false when the case itself keeps it busy (the flood case). @default true */
    quietWait?: boolean;
  },
): Promise<LatencyResult> {
  const warmupEvents = Math.ceil((options.rate * options.warmupMs) / 1000);
  const measuredEvents = Math.max(1, Math.round((options.rate * options.durationMs) / 1000));
  const fromSeq = publisher.nextSeq + warmupEvents;
  const toSeq = fromSeq + measuredEvents;
  if (options.quietWait !== false) await waitForQuietMachine(options.scope);
  await fleet.pool.record({ fromSeq, toSeq });
  await publisher.fixedRate(options.rate, warmupEvents);
  await fleet.server.startProfile();
  const machineStart = readMachineCpu();
  const [startStats, start] = await Promise.all([fleet.server.stats(), fleet.pool.snapshot()]);
  await publisher.fixedRate(options.rate, measuredEvents);
  const [endStats, end] = await Promise.all([fleet.server.stats(), fleet.pool.snapshot()]);
  const machineEnd = readMachineCpu();
  await fleet.server.stopProfile(`${options.scope}-${fleet.server.ready.kind}${fleet.batchedFrames ? '-batched' : ''}-${options.rate}-per-s`);
  const drained = await fleet.pool.waitForDone(toSeq - 1, options.drainTimeoutMs);
  const final = await fleet.pool.snapshot();
  const cpu = cpuBetween(startStats, endStats);
  const ownMicros = ownCpuMicros(endStats, end.cpuMicros) - ownCpuMicros(startStats, start.cpuMicros);
  const expected = measuredEvents * options.subscribersPerEvent;
  if (!drained) {
    // The rest may still arrive; let it, so the next measurement starts clean.
    await fleet.pool.waitForDone(toSeq - 1, options.drainTimeoutMs);
  }
  return {
    rate: options.rate,
    offeredDeliveriesPerSecond: options.rate * options.subscribersPerEvent,
    latency: final.histogram.summary(),
    missing: Math.max(0, expected - final.histogram.count),
    serverCpu: cpu.utilisation,
    cpuMicrosPerDelivery: cpu.cpuMicros / Math.max(1, end.received - start.received),
    eventLoop: cpu.eventLoop,
    otherLoadCores: otherLoadCores(machineStart, machineEnd, ownMicros, cpu.wallMicros),
  };
}
