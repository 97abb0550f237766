import { randomBytes } from 'node:crypto';
import { FANOUT_TOPIC } from '../bench-event.js';
import { BenchRedis } from '../bench-redis.js';
import { ClientPool } from '../client-pool.js';
import { connectPublisher, connectReceivers, ServerGroup, withFleet } from '../fleet.js';
import type { LoadPublisher } from '../load-publisher.js';
import { formatNumber, progress } from '../progress.js';
import { ServerProcess } from '../server-process.js';
import type { BenchOptions } from '../bench-options.js';
import type { BenchCase, BenchContext } from './bench-case.js';
import { measureLatency, measureThroughput, type LatencyResult, type MeasuredFleet, type ThroughputResult } from './measure.js';

/** The fixed rate (events/s) whose p99 the case compares: 25 × 1,000 subscribers = 25k deliveries/s, as in case 3. */
const LATENCY_RATE = 25;
const LATENCY_WARMUP_MS = 1000;
const DRAIN_TIMEOUT_MS = 10_000;

/** What the two-node run found, with the CPU split between the nodes and Redis. */
export interface TwoNodeRun {
  throughput: ThroughputResult;
  latency: LatencyResult;
  /** Cores used during the saturated window: node A (publisher + half), node B (half), redis-server. */
  saturatedCores: { nodeA: number; nodeB: number; redis: number };
  /** Redis CPU µs per delivery in the saturated window (not included in `cpuMicrosPerDelivery`). */
  redisMicrosPerDelivery: number;
  latencyCores: { nodeA: number; nodeB: number; redis: number };
  /** Subscribers on node A and node B. */
  split: [number, number];
}

/** The single-process baseline, and where each figure came from. */
export interface OneNodeRun {
  throughput: ThroughputResult;
  latency: LatencyResult;
  throughputFrom: 'case 1' | 'this case';
  latencyFrom: 'case 3' | 'this case';
}

function describeLatency(label: string, result: LatencyResult): string {
  const { latency } = result;
  return (
    `${label} @ ${formatNumber(result.rate)} events/s (${formatNumber(result.offeredDeliveriesPerSecond)} deliveries/s): ` +
    `p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms, p99 ${latency.p99Ms} ms` +
    (result.missing > 0 ? `, ${formatNumber(result.missing)} not delivered within ${DRAIN_TIMEOUT_MS / 1000} s` : '') +
    `, server CPU ${formatNumber(result.serverCpu * 100)}% (${formatNumber(result.cpuMicrosPerDelivery, 2)} µs/delivery)`
  );
}

function describeThroughput(label: string, result: ThroughputResult): string {
  return (
    `${label}: ${formatNumber(result.deliveriesPerSecond)} deliveries/s, server CPU ${formatNumber(result.serverCpu * 100)}%, ` +
    `${formatNumber(result.cpuMicrosPerDelivery, 2)} µs CPU per delivery` +
    (result.otherLoadCores >= 0.2 ? ` (other processes used ${formatNumber(result.otherLoadCores, 2)} cores meanwhile)` : '')
  );
}

/** Starts every promise's resource, or stops those that started and rethrows. */
async function startAll<T extends { close(): Promise<void> }>(starts: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((entry): entry is PromiseRejectedResult => entry.status === 'rejected');
  if (failed === undefined) return settled.map((entry) => (entry as PromiseFulfilledResult<T>).value);
  await Promise.all(settled.map((entry) => (entry.status === 'fulfilled' ? entry.value.close() : undefined)));
  throw failed.reason;
}

/**
 * Two platform processes sharing an owned redis-server: the publisher on node A, half the
 * subscribers on A and half on B. Everything is stopped whatever happens.
 */
async function runTwoNodes(context: BenchContext): Promise<TwoNodeRun> {
  const { options } = context;
  const scope = 'multinode-2nodes';
  const redis = await BenchRedis.start();
  progress('multinode', `redis-server (owned, pid ${String(redis.pid)}) on ${redis.url}`);
  try {
    const secret = randomBytes(32).toString('base64url');
    const profile = context.profileDir === undefined ? {} : { profileDir: context.profileDir };
    const cluster = { url: redis.url, keyPrefix: redis.keyPrefix };
    const [nodeA, nodeB, pool] = (await startAll<ServerProcess | ClientPool>([
      ServerProcess.start({ kind: 'platform', label: `${scope}-a`, redis: cluster, secret, ...profile }),
      ServerProcess.start({ kind: 'platform', label: `${scope}-b`, redis: cluster, secret, ...profile }),
      ClientPool.start(options.clients),
    ])) as [ServerProcess, ServerProcess, ClientPool];
    let publisher: LoadPublisher | undefined;
    try {
      const group = new ServerGroup([nodeA, nodeB], () => redis.cpuMicros());
      const fleet: MeasuredFleet = { server: group, pool };
      const onA = Math.ceil(options.connections / 2);
      const onB = options.connections - onA;
      const plan = { kind: 'fanout', topic: FANOUT_TOPIC } as const;
      await connectReceivers({ server: nodeA, pool }, 'multinode', onA, plan, 0);
      await connectReceivers({ server: nodeB, pool }, 'multinode', onB, plan, onA);
      publisher = await connectPublisher({ server: nodeA, pool }, { payloadBytes: options.payloadBytes, buckets: 1 });

      let mark = group.readings.length;
      const throughput = await measureThroughput(fleet, publisher, {
        scope,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        windowEvents: Math.max(1, Math.ceil(options.inflightDeliveries / options.connections)),
      });
      const saturated = group.usageSince(mark);
      progress('multinode', describeThroughput('2 nodes + Redis', throughput));
      progress(
        'multinode',
        `2 nodes: node A ${formatNumber((saturated.nodeCores[0] ?? 0) * 100)}%, node B ${formatNumber((saturated.nodeCores[1] ?? 0) * 100)}%, ` +
          `redis-server ${formatNumber(saturated.redisCores * 100)}% of a core`,
      );

      mark = group.readings.length;
      const latency = await measureLatency(fleet, publisher, {
        scope,
        rate: LATENCY_RATE,
        subscribersPerEvent: options.connections,
        warmupMs: LATENCY_WARMUP_MS,
        durationMs: options.durationMs,
        drainTimeoutMs: DRAIN_TIMEOUT_MS,
      });
      const steady = group.usageSince(mark);
      progress('multinode', describeLatency('2 nodes + Redis', latency));
      return {
        throughput,
        latency,
        saturatedCores: { nodeA: saturated.nodeCores[0] ?? 0, nodeB: saturated.nodeCores[1] ?? 0, redis: saturated.redisCores },
        redisMicrosPerDelivery: (saturated.redisCores * 1e6) / Math.max(1, throughput.deliveriesPerSecond),
        latencyCores: { nodeA: steady.nodeCores[0] ?? 0, nodeB: steady.nodeCores[1] ?? 0, redis: steady.redisCores },
        split: [onA, onB],
      };
    } finally {
      publisher?.close();
      await Promise.all([pool.close(), nodeA.close(), nodeB.close()]);
    }
  } finally {
    await redis.stop();
  }
}

/** The same load on one platform process (no Redis), reusing case 1 and case 3 figures of this run when present. */
async function runOneNode(context: BenchContext): Promise<OneNodeRun> {
  const { options } = context;
  const sharedThroughput = context.shared.fanout?.platform;
  const sharedLatency = context.shared.latency?.platform.find((result) => result.rate === LATENCY_RATE);
  if (sharedThroughput !== undefined && sharedLatency !== undefined) {
    progress('multinode', '1 node: using case 1 (throughput) and case 3 (p99 at 25 events/s) from this run');
    return { throughput: sharedThroughput, latency: sharedLatency, throughputFrom: 'case 1', latencyFrom: 'case 3' };
  }
  const scope = 'multinode-1node';
  return withFleet(
    { kind: 'platform', scope, clients: options.clients, ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) },
    async (fleet) => {
      await connectReceivers(fleet, 'multinode', options.connections, { kind: 'fanout', topic: FANOUT_TOPIC });
      const publisher = await connectPublisher(fleet, { payloadBytes: options.payloadBytes, buckets: 1 });
      try {
        let throughput = sharedThroughput;
        if (throughput === undefined) {
          throughput = await measureThroughput(fleet, publisher, {
            scope,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs,
            windowEvents: Math.max(1, Math.ceil(options.inflightDeliveries / options.connections)),
          });
          progress('multinode', describeThroughput('1 node', throughput));
        }
        let latency = sharedLatency;
        if (latency === undefined) {
          latency = await measureLatency(fleet, publisher, {
            scope,
            rate: LATENCY_RATE,
            subscribersPerEvent: options.connections,
            warmupMs: LATENCY_WARMUP_MS,
            durationMs: options.durationMs,
            drainTimeoutMs: DRAIN_TIMEOUT_MS,
          });
          progress('multinode', describeLatency('1 node', latency));
        }
        return {
          throughput,
          latency,
          throughputFrom: sharedThroughput === undefined ? 'this case' : 'case 1',
          latencyFrom: sharedLatency === undefined ? 'this case' : 'case 3',
        };
      } finally {
        publisher.close();
      }
    },
  );
}

/** The notes of case 6 for BENCHMARKS.md, from its measured figures. */
export function multiNodeNotes(options: BenchOptions, two: TwoNodeRun, one: OneNodeRun): string[] {
  const n = (x: number, digits = 0): string => formatNumber(x, digits);
  const ratio = two.throughput.deliveriesPerSecond / Math.max(1, one.throughput.deliveriesPerSecond);
  const rateDeliveries = LATENCY_RATE * options.connections;
  const totalCores = two.saturatedCores.nodeA + two.saturatedCores.nodeB + two.saturatedCores.redis;
  const extraSaturated = two.throughput.cpuMicrosPerDelivery - one.throughput.cpuMicrosPerDelivery;
  const extraSteady = two.latency.cpuMicrosPerDelivery - one.latency.cpuMicrosPerDelivery;
  return [
    `Setup: an owned \`redis-server\` on a free 127.0.0.1 port (no persistence, stopped at the end), two platform processes started ` +
      `with \`createRealtimeServer({ redis: { url, keyPrefix } })\` (so broadcasts cross nodes through \`@socket.io/redis-adapter\`, and ` +
      `history and presence live in Redis), the same ${options.clients} client processes as case 1 with ${n(two.split[0])} subscribers on ` +
      `node A and ${n(two.split[1])} on node B, and the publisher's \`service\` connection on node A. Same topic, payload and closed loop ` +
      `as case 1 (${n(options.inflightDeliveries)} undelivered deliveries in flight, counted at the receivers over ${options.durationMs / 1000} s ` +
      `after ${options.warmupMs / 1000} s of warm-up); then ${n(LATENCY_RATE)} events/s for ${options.durationMs / 1000} s after ` +
      `${LATENCY_WARMUP_MS / 1000} s for p99. The baseline is our single process without Redis: throughput from ` +
      `${one.throughputFrom}, p99 from ${one.latencyFrom} of this run.`,
    `Result: 2 nodes ${n(two.throughput.deliveriesPerSecond)} deliveries/s against ${n(one.throughput.deliveriesPerSecond)}/s on one ` +
      `process (${n(ratio, 2)}×). Server CPU per delivery summed over both nodes ${n(two.throughput.cpuMicrosPerDelivery, 2)} µs against ` +
      `${n(one.throughput.cpuMicrosPerDelivery, 2)} µs; redis-server adds ${n(two.redisMicrosPerDelivery, 2)} µs per delivery. While saturated, ` +
      `node A used ${n(two.saturatedCores.nodeA * 100)}%, node B ${n(two.saturatedCores.nodeB * 100)}% and redis-server ` +
      `${n(two.saturatedCores.redis * 100)}% of a core (${n(totalCores, 2)} cores in all; load clients ${n(two.throughput.clientCpu * 100)}%). ` +
      `At ${n(rateDeliveries)} deliveries/s: p99 ${n(two.latency.latency.p99Ms, 1)} ms (p50 ${n(two.latency.latency.p50Ms, 1)} ms) on 2 nodes, ` +
      `${n(one.latency.latency.p99Ms, 1)} ms (p50 ${n(one.latency.latency.p50Ms, 1)} ms) on one; CPU per delivery at that rate ` +
      `${n(two.latency.cpuMicrosPerDelivery, 2)} µs (both nodes) against ${n(one.latency.cpuMicrosPerDelivery, 2)} µs.`,
    `What the Redis hop costs: node A publishes each event once to Redis (and appends it to the topic's history stream there), ` +
      `node B decodes it once and broadcasts it to its own room, so the hop's own work is per event, shared by every subscriber of ` +
      `the receiving node (every node receives every broadcast, subscribed or not: the classic adapter's known cost, socket.io#5226). ` +
      `Measured here: ${n(extraSaturated, 2)} µs more server CPU per delivery when saturated (≈ ${n((extraSaturated * options.connections) / 1000, 2)} ms ` +
      `per event) and ${n(extraSteady, 2)} µs at ${n(LATENCY_RATE)} events/s, plus redis-server's own ${n(two.redisMicrosPerDelivery, 2)} µs. That ` +
      `difference also carries the second process's fixed costs (its own event loop, GC, Redis connections, presence heartbeats), ` +
      `which weigh more at low rates; a one-process-with-Redis run would separate them. On this 2-core machine both nodes, ` +
      `redis-server and the load clients share the same two cores, so the case shows what clustering costs, not what it gains (a ` +
      `second node adds capacity only with cores of its own). Read ratios within ±15% of 1 as parity, as for case 1.`,
  ];
}

/**
 * Case 6, multi-node fan-out through Redis: the fan-out of case 1 (one topic, the same subscribers,
 * payload and closed loop) with the subscribers split over two platform processes that share a
 * redis-server (`createRealtimeServer({ redis })`: @socket.io/redis-adapter, history and presence in
 * Redis), the publisher on node A. Compared with the same load on one process without Redis: saturated
 * deliveries/s, server CPU per delivery summed over both processes, and p99 at 25 events/s.
 */
export const multiNodeCase: BenchCase = {
  id: 'multinode',
  title: 'Multi-node fan-out (Redis)',
  async run(context) {
    const { options } = context;
    const two = await runTwoNodes(context);
    const one = await runOneNode(context);
    const n = (x: number, digits = 0): string => formatNumber(x, digits);
    const oneLabel = (from: string): string => `ours, one process, no Redis (${from})`;
    const rateDeliveries = LATENCY_RATE * options.connections;
    return {
      rows: [
        {
          id: 'multinode.deliveries',
          label: `Fan-out, one topic, ${n(options.connections)} subscribers over 2 nodes through Redis (saturated)`,
          unit: 'deliveries/s',
          better: 'higher',
          value: two.throughput.deliveriesPerSecond,
          baseline: one.throughput.deliveriesPerSecond,
          baselineLabel: oneLabel(one.throughputFrom),
        },
        {
          id: 'multinode.cpu-per-delivery',
          label: 'Server CPU per delivery, both nodes summed (same runs; Redis not included)',
          unit: 'µs',
          better: 'lower',
          value: two.throughput.cpuMicrosPerDelivery,
          baseline: one.throughput.cpuMicrosPerDelivery,
          baselineLabel: oneLabel(one.throughputFrom),
        },
        {
          id: `multinode.p99.${LATENCY_RATE}`,
          label: `p99 latency at ${n(LATENCY_RATE)} events/s (${n(rateDeliveries)} deliveries/s), 2 nodes through Redis`,
          unit: 'ms',
          better: 'lower',
          value: two.latency.latency.p99Ms,
          baseline: one.latency.latency.p99Ms,
          baselineLabel: oneLabel(one.latencyFrom),
          ...(two.latency.missing > 0 ? { note: `${n(two.latency.missing)} deliveries missing` } : {}),
        },
      ],
      details: { twoNodes: two, oneNode: one, latencyRate: LATENCY_RATE },
      notes: multiNodeNotes(options, two, one),
    };
  },
};
