import { startMongo, type MongoTestServer } from '../../support/mongodb.js';
import { ClientPool } from '../client-pool.js';
import { withFleet, type Fleet } from '../fleet.js';
import type { ServerKind, StoreChoice, WriteLoadResult, WritePattern } from '../ipc-protocol.js';
import { LatencyHistogram, type LatencySummary } from '../latency-histogram.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress } from '../progress.js';
import { HOT_DOCUMENT } from '../sync-writer.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';

const PATTERNS: WritePattern[] = ['hot', 'many'];
const WARMUP_MS = 1000;
const RAW_COLLECTION = 'raw_bench';

/** Writes/s and latency of one write load. */
export interface WriteFigure {
  writesPerSecond: number;
  latency: LatencySummary;
  errors: Record<string, number>;
  /** For the hot document: writes acknowledged vs what the document says (a lost update shows here). */
  check?: { acknowledged: number; revisionGrowth: number; n: number };
}

/** Splits the total concurrency over processes and connections. */
function split(context: BenchContext): { perProcess: number; connections: number; inflight: number } {
  const perProcess = Math.max(1, Math.ceil(context.options.syncConcurrency / context.options.clients));
  const connections = Math.min(4, perProcess);
  return { perProcess, connections, inflight: Math.ceil(perProcess / connections) };
}

function combine(results: WriteLoadResult[]): WriteFigure {
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  let ok = 0;
  let seconds = 0;
  for (const result of results) {
    histogram.merge(result.histogram);
    ok += result.ok;
    seconds = Math.max(seconds, result.elapsedMs / 1000);
    for (const [code, count] of Object.entries(result.errors)) errors[code] = (errors[code] ?? 0) + count;
  }
  return { writesPerSecond: ok / seconds, latency: histogram.summary(), errors };
}

function describe(scope: string, label: string, pattern: WritePattern, figure: WriteFigure): void {
  const errorCount = Object.values(figure.errors).reduce((sum, count) => sum + count, 0);
  progress(
    scope,
    `${label}, ${pattern === 'hot' ? 'one hot document' : 'many documents'}: ${formatNumber(figure.writesPerSecond)} writes/s, ` +
      `p50 ${figure.latency.p50Ms} ms, p99 ${figure.latency.p99Ms} ms` +
      (errorCount > 0 ? `, ${formatNumber(errorCount)} failed (${Object.keys(figure.errors).join(', ')})` : ''),
  );
}

/** Revisioned writes through a server (`sync:mutate` over Socket.IO), hot then many documents. */
async function runThroughServer(context: BenchContext, kind: ServerKind, store: StoreChoice, label: string): Promise<Record<WritePattern, WriteFigure>> {
  const { options } = context;
  const scope = 'sync';
  const profile = context.profileDir === undefined ? {} : { profileDir: context.profileDir };
  return withFleet({ kind, scope, clients: options.clients, store, ...profile }, async (fleet: Fleet) => {
    const [first] = fleet.pool.processes;
    if (first === undefined) throw new Error('no client process');
    const { url, secret } = fleet.server;
    await first.request('sync-prepare', { url, secret, first: 0, count: options.syncDocs, hot: true }, 300_000);
    const { connections, inflight } = split(context);
    const figures = {} as Record<WritePattern, WriteFigure>;
    for (const pattern of PATTERNS) {
      await waitForQuietMachine(scope);
      await fleet.server.startProfile();
      const results = await Promise.all(
        fleet.pool.processes.map((ipc, index) =>
          ipc.request(
            'sync-load',
            { url, secret, connections, inflight, warmupMs: WARMUP_MS, durationMs: options.durationMs, pattern, docCount: options.syncDocs, seed: index + 1 },
            300_000,
          ),
        ),
      );
      await fleet.server.stopProfile(`sync-${kind}-${store.kind}-${pattern}`);
      const figure = combine(results);
      if (pattern === 'hot') {
        const probe = await first.request('sync-probe', { url, secret, id: HOT_DOCUMENT });
        figure.check = { acknowledged: results.reduce((sum, result) => sum + result.totalOk, 0), revisionGrowth: probe.revision - 1, n: probe.n };
      }
      describe(scope, label, pattern, figure);
      figures[pattern] = figure;
    }
    return figures;
  });
}

/** The MongoDB baseline: raw driver updateOne calls from the client processes. */
async function runRawDriver(context: BenchContext, mongo: MongoTestServer): Promise<Record<WritePattern, WriteFigure>> {
  const { options } = context;
  const scope = 'sync';
  const pool = await ClientPool.start(options.clients);
  try {
    const [first] = pool.processes;
    if (first === undefined) throw new Error('no client process');
    const base = { url: mongo.url, dbName: mongo.dbName, collection: RAW_COLLECTION };
    await first.request('mongo-prepare', { ...base, docCount: options.syncDocs }, 300_000);
    const { perProcess } = split(context);
    const figures = {} as Record<WritePattern, WriteFigure>;
    for (const pattern of PATTERNS) {
      await waitForQuietMachine(scope);
      const results = await Promise.all(
        pool.processes.map((ipc, index) =>
          ipc.request(
            'mongo-load',
            {
              ...base,
              poolSize: perProcess,
              inflight: perProcess,
              warmupMs: WARMUP_MS,
              durationMs: options.durationMs,
              pattern,
              docCount: options.syncDocs,
              seed: index + 1,
            },
            300_000,
          ),
        ),
      );
      const figure = combine(results);
      describe(scope, `raw driver updateOne on ${mongo.kind}`, pattern, figure);
      figures[pattern] = figure;
    }
    return figures;
  } finally {
    await pool.close();
  }
}

/** Case 5: revisioned writes/s on the embedded store and on MongoDB, against their baselines. */
export const syncWritesCase: BenchCase = {
  id: 'sync',
  title: 'Sync writes',
  async run(context) {
    const { options } = context;
    const embedded = await runThroughServer(context, 'platform', { kind: 'memory' }, 'platform, embedded store');
    const bare = await runThroughServer(context, 'bare', { kind: 'memory' }, 'bare Socket.IO, Map');
    progress('sync', 'starting the MongoDB-compatible server (startMongo)');
    const mongo = await startMongo();
    try {
      const onMongo = await runThroughServer(
        context,
        'platform',
        { kind: 'mongo', url: mongo.url, dbName: mongo.dbName },
        `platform, MongoDB store on ${mongo.kind}`,
      );
      const raw = await runRawDriver(context, mongo);
      const row = (id: string, label: string, value: WriteFigure, baseline: WriteFigure, baselineLabel: string): BenchRow => ({
        id,
        label,
        unit: 'writes/s',
        better: 'higher',
        value: value.writesPerSecond,
        baseline: baseline.writesPerSecond,
        baselineLabel,
      });
      const bareLabel = 'bare Socket.IO request/ack, increment in a Map';
      const rawLabel = `raw driver \`updateOne\` ($inc) by the same key, same server (${mongo.kind})`;
      const rows = [
        row('sync.embedded.hot', 'Revisioned writes, one hot document, embedded store', embedded.hot, bare.hot, bareLabel),
        row('sync.embedded.many', `Revisioned writes, ${formatNumber(options.syncDocs)} documents, embedded store`, embedded.many, bare.many, bareLabel),
        row('sync.mongo.hot', `Revisioned writes, one hot document, MongoDB store (${mongo.kind})`, onMongo.hot, raw.hot, rawLabel),
        row(
          'sync.mongo.many',
          `Revisioned writes, ${formatNumber(options.syncDocs)} documents, MongoDB store (${mongo.kind})`,
          onMongo.many,
          raw.many,
          rawLabel,
        ),
      ];
      const latencyLine = (name: string, figures: Record<WritePattern, WriteFigure>): string =>
        `| ${name} | ${figures.hot.latency.p50Ms} / ${figures.hot.latency.p99Ms} | ${figures.many.latency.p50Ms} / ${figures.many.latency.p99Ms} |`;
      const notes = [
        `\`sync:mutate\` (increment \`/n\`, one revision per write) over Socket.IO with ${options.syncConcurrency} writes in flight ` +
          `(${options.clients} client processes), no \`expectedRevision\`: concurrent writers to the hot document go through the store's ` +
          `compare-and-set retry. The MongoDB baseline issues one \`updateOne\` per write by the same (realm, service, id) key, from the client ` +
          `processes (no server, no read, no compare-and-set, no event); ours reads, then updates conditionally on the revision, then ` +
          `publishes the change event: two round trips to the database per write.`,
        [
          '| write latency p50 / p99, ms | hot | many |',
          '|---|---:|---:|',
          latencyLine('platform, embedded', embedded),
          latencyLine('bare Socket.IO', bare),
          latencyLine(`platform, ${mongo.kind}`, onMongo),
          latencyLine('raw driver', raw),
        ].join('\n'),
      ];
      for (const [name, figure] of [
        ['embedded store', embedded.hot],
        [mongo.kind, onMongo.hot],
      ] as const) {
        const check = figure.check;
        if (check !== undefined && (check.revisionGrowth !== check.acknowledged || check.n !== check.acknowledged)) {
          notes.push(
            `Hot document, ${name}: ${formatNumber(check.acknowledged)} writes acknowledged, revision grew by ${formatNumber(check.revisionGrowth)}, ` +
              `n = ${formatNumber(check.n)}` +
              (name === 'ferretdb'
                ? ' — FerretDB runs a conditional update as a read then a write, so it is not atomic (FerretDB issue #3040); real MongoDB is.'
                : '.'),
          );
        }
      }
      if (mongo.kind === 'ferretdb') {
        notes.push(
          'The MongoDB-compatible server here is FerretDB over SQLite (test/support/mongodb.ts; no mongod on this machine): a stand-in, ' +
            'far slower than MongoDB and sharing the two cores with everything else, so the absolute MongoDB figures say more about it than ' +
            'about us; the ratio to raw driver calls on the same server is the meaningful figure. Set MONGODB_URL to measure a real MongoDB.',
        );
      }
      return { rows, details: { embedded, bare, mongo: onMongo, raw, mongoKind: mongo.kind }, notes };
    } finally {
      await mongo.stop();
    }
  },
};
