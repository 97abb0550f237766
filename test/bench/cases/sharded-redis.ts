import { randomBytes } from 'node:crypto';
import { BenchRedis } from '../bench-redis.js';
import { ClientPool } from '../client-pool.js';
import { connectPublisher, connectReceivers, ServerGroup } from '../fleet.js';
import type { LoadPublisher } from '../load-publisher.js';
import { formatNumber, progress, sleep } from '../progress.js';
import { ServerProcess } from '../server-process.js';
import type { BenchOptions } from '../bench-options.js';
import type { BenchCase, BenchContext } from './bench-case.js';

/** The case's shape: 4 nodes, 400 topics, each topic's subscribers on one node. */
const NODES = 4;
const TOPICS = 400;
/** Subscribers per topic (all on the topic's node): 1,200 connections, 300 per node. */
const GROUP_SIZE = 3;
/** Events/s over all topics, published round-robin through node 1 (3 × that in deliveries/s). */
const RATE = 1000;
const WINDOW_MS = 6000;
const WARMUP_MS = 1000;
const DRAIN_TIMEOUT_MS = 15_000;
const TOPIC_PREFIX = 'sharded.t';

type Mode = 'classic' | 'sharded';

/**
 * One adapter's run: CPU per delivery per node over the measured window.
 *
 * @example
 * const run: ShardedRun = await runMode(context, 'sharded');
 */
export interface ShardedRun {
  mode: Mode;
  events: number;
  deliveries: number;
  missing: number;
  /** Per node (node 1 publishes), server CPU µs per delivery that node made. */
  nodeMicrosPerDelivery: number[];
  /** Per node, cores used in the window. */
  nodeCores: number[];
  /** All nodes' CPU over all deliveries, µs. */
  microsPerDelivery: number;
  redisMicrosPerDelivery: number;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** Polls the pool until `expected` deliveries arrived since `from` (or the drain timeout); returns how many did. */
async function deliveredAtLeast(pool: ClientPool, from: number, expected: number): Promise<number> {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  let received = (await pool.snapshot()).received - from;
  while (received < expected && performance.now() < deadline) {
    await sleep(50);
    received = (await pool.snapshot()).received - from;
  }
  return received;
}

/** Starts the nodes, connects the subscribers and the publisher, measures one window, stops everything. */
async function runMode(context: BenchContext, mode: Mode): Promise<ShardedRun> {
  const scope = `sharded-${mode}`;
  const redis = await BenchRedis.start();
  const nodes: ServerProcess[] = [];
  let pool: ClientPool | undefined;
  let publisher: LoadPublisher | undefined;
  try {
    const secret = randomBytes(32).toString('base64url');
    const cluster = { url: redis.url, keyPrefix: redis.keyPrefix, adapter: mode };
    const profile = context.profileDir === undefined ? {} : { profileDir: context.profileDir };
    const started = await Promise.allSettled(
      Array.from({ length: NODES }, (_, index) =>
        ServerProcess.start({ kind: 'platform', label: `${scope}-${index + 1}`, redis: cluster, secret, ...profile }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value);
    const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    pool = await ClientPool.start(context.options.clients);
    const perNode = (TOPICS / NODES) * GROUP_SIZE;
    const plan = { kind: 'grouped', topicPrefix: TOPIC_PREFIX, groupSize: GROUP_SIZE } as const;
    for (const [index, node] of nodes.entries()) await connectReceivers({ server: node, pool }, scope, perNode, plan, index * perNode);
    const topics = Array.from({ length: TOPICS }, (_, index) => `${TOPIC_PREFIX}${index}`);
    const first = nodes[0] as ServerProcess;
    publisher = await connectPublisher({ server: first, pool }, { payloadBytes: context.options.payloadBytes, buckets: 1, topics });
    const group = new ServerGroup(nodes, () => redis.cpuMicros());

    const start = (await pool.snapshot()).received;
    const warmupEvents = Math.round((RATE * WARMUP_MS) / 1000);
    await publisher.fixedRate(RATE, warmupEvents);
    // The window starts once the warm-up's deliveries are all in, so it counts its own alone.
    const before = start + (await deliveredAtLeast(pool, start, warmupEvents * GROUP_SIZE));
    const mark = group.readings.length;
    await group.stats();
    const events = Math.round((RATE * WINDOW_MS) / 1000);
    await publisher.fixedRate(RATE, events);
    const expected = events * GROUP_SIZE;
    const received = await deliveredAtLeast(pool, before, expected);
    await group.stats();
    const usage = group.usageSince(mark);
    // Topics are spread evenly: each node made a quarter of the deliveries.
    const perNodeDeliveries = received / NODES;
    const nodeMicrosPerDelivery = usage.nodeCores.map((cores) => (cores * usage.wallMicros) / Math.max(1, perNodeDeliveries));
    const run: ShardedRun = {
      mode,
      events,
      deliveries: received,
      missing: Math.max(0, expected - received),
      nodeMicrosPerDelivery,
      nodeCores: usage.nodeCores,
      microsPerDelivery: (usage.nodeCores.reduce((sum, cores) => sum + cores, 0) * usage.wallMicros) / Math.max(1, received),
      redisMicrosPerDelivery: (usage.redisCores * usage.wallMicros) / Math.max(1, received),
    };
    progress(
      'sharded',
      `${mode}: ${formatNumber(received)} deliveries of ${formatNumber(events)} events; µs CPU per delivery per node ` +
        `${nodeMicrosPerDelivery.map((value) => formatNumber(value, 1)).join(' / ')} (node 1 publishes), all nodes ${formatNumber(run.microsPerDelivery, 1)}, ` +
        `redis-server ${formatNumber(run.redisMicrosPerDelivery, 1)}` +
        (run.missing > 0 ? `, ${formatNumber(run.missing)} missing` : ''),
    );
    return run;
  } finally {
    publisher?.close();
    await Promise.allSettled([pool?.close(), ...nodes.map((node) => node.close())]);
    await redis.stop();
  }
}

/** The notes of case 13 for BENCHMARKS.md, from its measured figures. */
export function shardedNotes(options: BenchOptions, classic: ShardedRun, sharded: ShardedRun): string[] {
  const n = (x: number, digits = 0): string => formatNumber(x, digits);
  const receiving = (run: ShardedRun) => mean(run.nodeMicrosPerDelivery.slice(1));
  return [
    `Setup: an owned \`redis-server\` (one server: sharded pub/sub works on a single Redis 7 too, and the nodes' side of the cost ` +
      `is the same as on a cluster), ${NODES} platform processes started with \`redis: { url, keyPrefix, adapter }\`, once with ` +
      `\`adapter: 'classic'\` and once with \`'sharded'\` in the same run. ${n(TOPICS)} topics, each with ${GROUP_SIZE} subscribers, all on ` +
      `one node (${n(TOPICS / NODES)} topics per node, ${n((TOPICS / NODES) * GROUP_SIZE)} connections per node, over ${options.clients} ` +
      `client processes). One \`service\` connection on node 1 publishes ${n(RATE)} events/s round-robin over the topics ` +
      `(~${options.payloadBytes}-byte payloads) for ${WINDOW_MS / 1000} s after ${WARMUP_MS / 1000} s of warm-up; CPU per delivery per ` +
      `node is that node's CPU over the window (until every delivery arrived) divided by the deliveries it made (a quarter of all).`,
    `Result: on the receiving nodes (2-4) ${n(receiving(sharded), 1)} µs per delivery with the sharded adapter against ` +
      `${n(receiving(classic), 1)} µs with the classic one; on the publishing node ${n(sharded.nodeMicrosPerDelivery[0] ?? 0, 1)} µs against ` +
      `${n(classic.nodeMicrosPerDelivery[0] ?? 0, 1)} µs; all nodes summed ${n(sharded.microsPerDelivery, 1)} µs against ` +
      `${n(classic.microsPerDelivery, 1)} µs; redis-server ${n(sharded.redisMicrosPerDelivery, 1)} µs against ${n(classic.redisMicrosPerDelivery, 1)} µs.` +
      (classic.missing + sharded.missing > 0 ? ` Missing deliveries: classic ${n(classic.missing)}, sharded ${n(sharded.missing)}.` : ''),
    `Why: with the classic adapter every event reaches every node (\`serverSideEmit\`), which decodes it and finds no local ` +
      `subscriber three times out of four; with the sharded adapter each event goes only to the node subscribed to its topic's ` +
      `sharded channel, so a node's cost follows its own deliveries, not the cluster's traffic. The publisher pays one SPUBLISH per ` +
      `event in both modes (the sharded one waits for Redis to answer it before acknowledging). On this shared 2-core machine all ` +
      `${NODES} nodes, redis-server and the load clients share the cores: read the figures as rough, the ratio as the finding.`,
  ];
}

/**
 * Case 13, sharded Redis: 4 nodes, 400 topics, each topic's subscribers on one node; server CPU per
 * delivery per node with the classic adapter (every node receives every event) against the
 * sharded one (per-topic sharded channels), in the same run.
 */
export const shardedRedisCase: BenchCase = {
  id: 'sharded',
  title: 'Sharded Redis: classic against sharded adapter (4 nodes, 400 topics)',
  async run(context) {
    const classic = await runMode(context, 'classic');
    const sharded = await runMode(context, 'sharded');
    const receiving = (run: ShardedRun) => mean(run.nodeMicrosPerDelivery.slice(1));
    const baselineLabel = 'classic adapter, same load';
    return {
      rows: [
        {
          id: 'sharded.cpu-per-delivery.receiving',
          label: `Server CPU per delivery on a receiving node (mean of nodes 2-4), sharded adapter`,
          unit: 'µs',
          better: 'lower',
          value: receiving(sharded),
          baseline: receiving(classic),
          baselineLabel,
        },
        {
          id: 'sharded.cpu-per-delivery.publishing',
          label: 'Server CPU per delivery on the publishing node (node 1), sharded adapter',
          unit: 'µs',
          better: 'lower',
          value: sharded.nodeMicrosPerDelivery[0] ?? null,
          baseline: classic.nodeMicrosPerDelivery[0] ?? null,
          baselineLabel,
        },
        {
          id: 'sharded.cpu-per-delivery.all',
          label: 'Server CPU per delivery, all 4 nodes summed, sharded adapter',
          unit: 'µs',
          better: 'lower',
          value: sharded.microsPerDelivery,
          baseline: classic.microsPerDelivery,
          baselineLabel,
          ...(sharded.missing + classic.missing > 0 ? { note: `missing: classic ${classic.missing}, sharded ${sharded.missing}` } : {}),
        },
      ],
      details: { classic, sharded, nodes: NODES, topics: TOPICS, groupSize: GROUP_SIZE, rate: RATE, windowMs: WINDOW_MS },
      notes: shardedNotes(context.options, classic, sharded),
    };
  },
};
