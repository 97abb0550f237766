import deepstream, { type DeepstreamClient } from '../../../client/deepstream/index.js';
import { RealtimeClient } from '../../../client/index.js';
import { RECORD_SERVICE } from '../../../shared/index.js';
import { benchToken } from '../bench-socket.js';
import { SYNC_SERVICE } from '../bench-event.js';
import { LatencyHistogram, type LatencySummary } from '../latency-histogram.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress } from '../progress.js';
import { ServerProcess } from '../server-process.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';

const CONNECTIONS = 4;
const WARMUP_MS = 500;

/** Writes/s and latency of one write loop. */
export interface RecordWriteFigure {
  writesPerSecond: number;
  latency: LatencySummary;
}

/**
 * Runs `writers` loops for `durationMs` (after a warm-up), each awaiting its own write before the
 * next; answers the completed writes/s and their latency.
 */
async function measure(writers: number, durationMs: number, write: (writer: number, n: number) => Promise<void>): Promise<RecordWriteFigure> {
  const histogram = new LatencyHistogram();
  let counted = 0;
  const start = Date.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      for (let n = 1; Date.now() < end; n += 1) {
        const began = process.hrtime.bigint();
        await write(writer, n);
        if (Date.now() >= measureFrom && Date.now() < end) {
          counted += 1;
          histogram.record(Number((process.hrtime.bigint() - began) / 1000n));
        }
      }
    }),
  );
  return { writesPerSecond: counted / (durationMs / 1000), latency: histogram.summary() };
}

/**
 * The same revisioned whole-document writes two ways, against one platform server process in the
 * same run: `record.set(path, value)` through the deepstream dialect (local apply, path write,
 * one write in flight per record, `sync.save` with the record's version, the record's own change
 * subscription delivering each revision back) and plain `client.sync.replace(service, id, data,
 * revision)` from `RealtimeClient`. Each writer owns one document and awaits each write; the
 * clients run in this process, `--sync-concurrency` writers over 4 connections.
 */
async function runRecordWrites(context: BenchContext): Promise<{ records: RecordWriteFigure; sync: RecordWriteFigure; writers: number }> {
  const { options } = context;
  const scope = 'records';
  const writers = options.syncConcurrency;
  const server = await ServerProcess.start({ kind: 'platform', label: scope });
  const realtimes: RealtimeClient[] = [];
  const dialects: DeepstreamClient[] = [];
  try {
    const token = await benchToken(server.secret, 'bench-records', 'service');
    for (let i = 0; i < CONNECTIONS; i += 1) {
      const client = new RealtimeClient({ url: server.url, token, onWarning: () => {} });
      realtimes.push(client);
      await client.ready();
    }
    const revisions = new Array<number>(writers).fill(0);
    await waitForQuietMachine(scope);
    const sync = await measure(writers, options.durationMs, async (writer, n) => {
      const client = realtimes[writer % CONNECTIONS]!;
      const id = `plain-${writer}`;
      const doc = await client.sync.save(SYNC_SERVICE, id, { profile: { n, by: writer } }, revisions[writer]);
      revisions[writer] = doc.revision;
    });
    progress(scope, `plain sync.save: ${formatNumber(sync.writesPerSecond)} writes/s, p50 ${sync.latency.p50Ms} ms, p99 ${sync.latency.p99Ms} ms`);

    for (let i = 0; i < CONNECTIONS; i += 1) {
      const client = deepstream(server.url);
      dialects.push(client);
      await client.login({ token });
    }
    const records = await Promise.all(
      Array.from({ length: writers }, (_, writer) => dialects[writer % CONNECTIONS]!.record.getRecord(`bench/${writer}`).whenReady()),
    );
    await waitForQuietMachine(scope);
    const recordFigure = await measure(
      writers,
      options.durationMs,
      (writer, n) =>
        new Promise<void>((resolve, reject) => {
          records[writer]!.set('profile.n', n, (error) => (error === null ? resolve() : reject(new Error(error))));
        }),
    );
    progress(
      scope,
      `record.set (deepstream dialect, ${RECORD_SERVICE} service): ${formatNumber(recordFigure.writesPerSecond)} writes/s, p50 ${recordFigure.latency.p50Ms} ms, p99 ${recordFigure.latency.p99Ms} ms`,
    );
    return { records: recordFigure, sync, writers };
  } finally {
    for (const client of dialects) client.close();
    for (const client of realtimes) client.destroy();
    await server.close();
  }
}

/** Issue 14: record writes against plain sync writes, in the same run. */
export const recordWritesCase: BenchCase = {
  id: 'records',
  title: 'Record writes (deepstream dialect) against plain sync writes',
  async run(context) {
    const { records, sync, writers } = await runRecordWrites(context);
    const rows: BenchRow[] = [
      {
        id: 'records.writes',
        label: `record.set, ${writers} writers each awaiting its write (writes/s)`,
        unit: 'writes/s',
        better: 'higher',
        value: records.writesPerSecond,
        baseline: sync.writesPerSecond,
        baselineLabel: 'RealtimeClient sync.save with the revision, same writers',
      },
      {
        id: 'records.p99',
        label: 'record.set p99 latency',
        unit: 'ms',
        better: 'lower',
        value: records.latency.p99Ms,
        baseline: sync.latency.p99Ms,
        baselineLabel: 'sync.save p99',
      },
    ];
    return {
      rows,
      details: { records, sync, writers, connections: CONNECTIONS },
      notes: [
        'Both loops run their clients in the benchmark process against one server process. A record write costs a local path write and deep comparison, ' +
          'and each record also receives its own revision back through its change subscription (the plain writes subscribe to nothing).',
      ],
    };
  },
};
