import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { RealtimeClient } from '../../../client/index.js';
import { createRealtimeServer, signToken } from '../../../server/index.js';
import { startPostgres, type PostgresTestServer } from '../../support/postgres.js';
import { LatencyHistogram, type LatencySummary } from '../latency-histogram.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress } from '../progress.js';
import type { BenchCase, BenchRow } from './bench-case.js';

const SCOPE = 'dbevents';
/** Rows of the throughput run, written in transactions of BATCH rows. */
const THROUGHPUT_ROWS = 20_000;
const BATCH = 100;
/** Single-row transactions of the latency run, at LATENCY_RATE a second. */
const LATENCY_ROWS = 1500;
const LATENCY_RATE = 500;
const TIMEOUT_MS = 120_000;

/** One reader's figures: rows/s from the first write to the last delivery, and write → delivery latency at a fixed rate. */
interface ReaderRun {
  rowsPerSecond: number;
  latency: LatencySummary;
}

/** A reader under test: started on its slot, reporting each delivered row id; closed after. */
interface Reader {
  onRow(listener: (id: number) => void): void;
  close(): Promise<void>;
}

/** The baseline: `pg-logical-replication` alone, acknowledging each transaction once decoded (no mapping, publish or socket). */
async function bareReader(url: string, slot: string, publication: string): Promise<Reader> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]);
  await admin.end();
  const listeners: ((id: number) => void)[] = [];
  const service = new LogicalReplicationService({ connectionString: url }, { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } });
  service.on('data', async (_lsn: string, message: Pgoutput.Message) => {
    if (message.tag === 'insert') for (const listener of listeners) listener(Number(message.new['id']));
    if (message.tag === 'commit' && message.commitEndLsn !== null) await service.acknowledge(message.commitEndLsn);
  });
  service.on('error', () => undefined);
  void service.subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] }), slot);
  return { onRow: (listener) => listeners.push(listener), close: async () => void (await service.stop()) };
}

/** Ours: a platform server (in this process) with a mapping, and a RealtimeClient subscribed to its topic. */
async function platformReader(url: string, slot: string, publication: string): Promise<Reader> {
  const secret = randomBytes(32).toString('base64url');
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret },
    logger: pino({ level: 'silent' }),
    databaseEvents: { postgres: { url, slot, publication } },
  });
  const { url: serverUrl } = await server.listen();
  await server.services.databaseEvents.mappings.create({
    table: 'bench_rows',
    topic: 'bench.row',
    events: ['insert'],
    payload: { id: '$row.id' },
    realm: 'bench',
  });
  const client = new RealtimeClient({ url: serverUrl, token: await signToken({ sub: 'bench', secret, claims: { realm: 'bench' } }) });
  const listeners: ((id: number) => void)[] = [];
  client.on('event:bench.row', (event) => {
    for (const listener of listeners) listener((event.payload as { id: number }).id);
  });
  client.subscribe({ topic: 'bench.row' });
  await client.ready();
  return {
    onRow: (listener) => listeners.push(listener),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

async function measure(postgres: PostgresTestServer, start: (slot: string) => Promise<Reader>, label: string, firstId: number): Promise<ReaderRun> {
  const reader = await start(`bench_${label}_${randomBytes(3).toString('hex')}`);
  const db = new pg.Client({ connectionString: postgres.url });
  await db.connect();
  try {
    await waitForQuietMachine(SCOPE);
    // Throughput: batches back to back; rows/s from the first write to the last delivery.
    let delivered = 0;
    let lastDelivery = 0n;
    const written = new Map<number, bigint>();
    const histogram = new LatencyHistogram();
    let finished: (() => void) | undefined;
    let awaited = Number.POSITIVE_INFINITY;
    reader.onRow((id) => {
      const now = process.hrtime.bigint();
      delivered += 1;
      lastDelivery = now;
      const at = written.get(id);
      if (at !== undefined) histogram.record(Number(now - at) / 1000);
      if (delivered >= awaited) finished?.();
    });
    const until = (count: number) =>
      new Promise<void>((resolve, reject) => {
        awaited = count;
        const timer = setTimeout(() => reject(new Error(`${label}: ${delivered} of ${count} rows delivered in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
        finished = () => {
          clearTimeout(timer);
          resolve();
        };
        if (delivered >= count) finished();
      });
    const begun = process.hrtime.bigint();
    for (let offset = 0; offset < THROUGHPUT_ROWS; offset += BATCH) {
      await db.query('INSERT INTO bench_rows (id) SELECT generate_series($1::int, $2::int)', [firstId + offset, firstId + offset + BATCH - 1]);
    }
    await until(THROUGHPUT_ROWS);
    const rowsPerSecond = THROUGHPUT_ROWS / (Number(lastDelivery - begun) / 1e9);
    // Latency: single-row transactions at a fixed rate, write (before the INSERT is sent) to delivery.
    const base = firstId + THROUGHPUT_ROWS;
    const interval = 1e9 / LATENCY_RATE;
    const paced = process.hrtime.bigint();
    for (let n = 0; n < LATENCY_ROWS; n += 1) {
      const due = paced + BigInt(Math.round(n * interval));
      const wait = Number(due - process.hrtime.bigint()) / 1e6;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      written.set(base + n, process.hrtime.bigint());
      await db.query('INSERT INTO bench_rows (id) VALUES ($1)', [base + n]);
    }
    await until(THROUGHPUT_ROWS + LATENCY_ROWS);
    const run = { rowsPerSecond, latency: histogram.summary() };
    progress(SCOPE, `${label}: ${formatNumber(run.rowsPerSecond)} rows/s; at ${LATENCY_RATE}/s p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms`);
    return run;
  } finally {
    await db.end();
    await reader.close();
  }
}

/**
 * Case 14 (issue 17): PostgreSQL row changes to delivered events — the platform (logical
 * replication, mapping evaluation, schema check, history, Socket.IO delivery to a subscriber)
 * against a bare `pg-logical-replication` reader that only decodes and acknowledges, on the same
 * PostgreSQL in the same run.
 */
export const databaseEventsCase: BenchCase = {
  id: 'dbevents',
  title: 'Database events (PostgreSQL)',
  async run() {
    const postgres = await startPostgres();
    try {
      const setup = new pg.Client({ connectionString: postgres.url });
      await setup.connect();
      await setup.query('CREATE TABLE bench_rows (id int PRIMARY KEY)');
      await setup.query('CREATE PUBLICATION bench_pub FOR TABLE bench_rows');
      await setup.end();
      const bare = await measure(postgres, (slot) => bareReader(postgres.url, slot, 'bench_pub'), 'bare', 0);
      const platform = await measure(postgres, (slot) => platformReader(postgres.url, slot, 'bench_pub'), 'platform', 1_000_000);
      const rows: BenchRow[] = [
        {
          id: 'dbevents.throughput',
          label: `Row changes/s, commit to delivery (${THROUGHPUT_ROWS} inserts in transactions of ${BATCH})`,
          unit: 'rows/s',
          better: 'higher',
          value: platform.rowsPerSecond,
          baseline: bare.rowsPerSecond,
          baselineLabel: 'bare pg-logical-replication reader (decode + acknowledge)',
        },
        {
          id: 'dbevents.p99',
          label: `p99 write to delivery, single-row transactions at ${LATENCY_RATE}/s`,
          unit: 'ms',
          better: 'lower',
          value: platform.latency.p99Ms,
          baseline: bare.latency.p99Ms,
          baselineLabel: 'bare pg-logical-replication reader',
        },
      ];
      return {
        rows,
        details: { platform, bare, throughputRows: THROUGHPUT_ROWS, batch: BATCH, latencyRows: LATENCY_ROWS, latencyRate: LATENCY_RATE },
        notes: [
          `A throwaway PostgreSQL 15 cluster (wal_level = logical, fsync off) on this machine. Each reader has its own slot on one publication. ` +
            `Ours runs in the orchestrator process with its subscriber (a RealtimeClient over Socket.IO): each row goes through the mapping, ` +
            `the topic-schema check, history and delivery, and a transaction is acknowledged only after its events are published. The baseline ` +
            `decodes with the same library and acknowledges each commit. Latency is from just before the INSERT is sent (autocommit) to the ` +
            `delivery (ours) or the decoded row (bare); p50 ours ${platform.latency.p50Ms} ms, bare ${bare.latency.p50Ms} ms.`,
        ],
      };
    } finally {
      await postgres.stop();
    }
  },
};
