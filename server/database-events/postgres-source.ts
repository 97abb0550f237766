import type { Logger } from 'pino';
import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type { DatabaseSourceStatus } from '../../shared/index.js';
import { jsonRow as toJsonRow } from './json-row.js';
import { compareLsn } from './lsn.js';
import { POSTGRES_NAME_PATTERN } from './postgres-names.js';
import type { PositionStore } from './position-store.js';
import type { RowChange } from './row-change.js';

/** How long `close()` waits for the transaction being read to finish before it stops anyway. */
const CLOSE_GRACE_MS = 5000;

/** How the platform reads an application's PostgreSQL (`DATABASE_EVENTS_POSTGRES_*`). */
export interface PostgresSourceOptions {
  /** A `postgres://` connection string of a role with the REPLICATION attribute. */
  url: string;
  /** The logical replication slot, created (pgoutput) when missing. @default 'realtime_events' */
  slot?: string;
  /** The publication, created when missing (FOR ALL TABLES, or FOR TABLE `tables`). @default 'realtime_events' */
  publication?: string;
  /** Tables of a publication the platform creates. @default every table (needs a superuser) */
  tables?: string[];
  /** How often slot lag is measured, ms. @default 5000 */
  lagIntervalMs?: number;
  /** Longest wait between reconnection attempts, ms. @default 30000 */
  maxRetryMs?: number;
}

/** What the source hands its changes to and records its position in. */
export interface PostgresSourceDeps {
  route: (change: RowChange) => Promise<void>;
  positions: PositionStore;
  logger: Logger;
  /** Reports slot lag in bytes (the Prometheus gauge). */
  onLag?: (bytes: number) => void;
}

/** A transaction being read: its commit LSN, and whether it was published before (a restart resends it). */
interface OpenTransaction {
  commitLsn: string;
  repeat: boolean;
  /** Changes of it routed so far, and how many of them a previous session had routed already. */
  routed: number;
  alreadyRouted: number;
}

/** A transaction a session stopped in the middle of (a graceful close): its first `routed` changes were published. */
interface PartialTransaction {
  commitLsn: string;
  routed: number;
}

/** The pgoutput decoder, counting what it decoded so keepalives are acknowledged only when all of it was handled. */
class CountingPgoutputPlugin extends PgoutputPlugin {
  decoded = 0;
  override parse(buffer: Buffer): Pgoutput.Message {
    this.decoded += 1;
    return super.parse(buffer);
  }
}

/**
 * Streams the committed row changes of a PostgreSQL database through logical replication
 * (`pgoutput`, read with `pg-logical-replication`) into the router.
 *
 * Why this exists, and what it guarantees:
 * - **Nothing lost**: a transaction's position is acknowledged to the slot (standby status update,
 *   `confirmed_flush_lsn`) only after every event of it was published and its commit LSN was saved
 *   in the position store. PostgreSQL keeps the WAL after that position and resends it after a
 *   restart or reconnect.
 * - **Nothing repeated**: the saved commit LSN is where streaming restarts, and any transaction
 *   resent with a commit LSN at or before it is skipped (PostgreSQL may resend from the slot's own
 *   position, which can trail). A crash in the moment between publishing a transaction and saving
 *   its position can repeat that one transaction.
 * - **Back-pressure**: the stream is paused while a change is routed (flow control): a slow
 *   publish path stops reading, WAL waits in the slot, and the slot's lag grows (reported in bytes
 *   by `status()` and the `realtime_database_slot_lag_bytes` gauge).
 * - **One reader**: a slot streams to one connection at a time; other nodes with the same settings
 *   wait in `standby` and retry, taking over when the reader goes away.
 *
 * @example
 * const source = new PostgresSource({ url: 'postgres://app@db/app' }, { route, positions, logger });
 * source.start();
 * await source.close();
 */
export class PostgresSource {
  private readonly slot: string;
  private readonly publication: string;
  private readonly lagIntervalMs: number;
  private readonly maxRetryMs: number;
  private state: DatabaseSourceStatus['state'] = 'stopped';
  private changes = 0;
  private lastError: { message: string; at: number } | undefined;
  private lagBytes: number | undefined;
  /** The commit LSN of the last published transaction, and the end LSN acknowledged for it. */
  private committed: { commitLsn: string; endLsn: string } | undefined;
  private service: LogicalReplicationService | undefined;
  private admin: pg.Client | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private running: Promise<void> | undefined;
  private handled = 0;
  private open: OpenTransaction | undefined;
  private partial: PartialTransaction | undefined;
  private inFlight: Promise<void> | undefined;
  private onSettled: (() => void) | undefined;
  private onPrepared: (() => void) | undefined;
  private wakeRetry: (() => void) | undefined;
  /** The slot's confirmed position when this session started, or a keepalive's acknowledged since. */
  private slotConfirmed: string | undefined;

  constructor(
    private readonly options: PostgresSourceOptions,
    private readonly deps: PostgresSourceDeps,
  ) {
    this.slot = options.slot ?? 'realtime_events';
    this.publication = options.publication ?? 'realtime_events';
    for (const [what, name] of [
      ['slot', this.slot],
      ['publication', this.publication],
    ] as const) {
      if (!POSTGRES_NAME_PATTERN.test(name)) throw new Error(`The PostgreSQL ${what} name "${name}" must be lowercase letters, digits and _ (at most 63)`);
    }
    this.lagIntervalMs = options.lagIntervalMs ?? 5000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  /** The key of this source's position in the position store. */
  get positionKey(): string {
    return `postgres.${this.slot}`;
  }

  /**
   * Starts streaming in the background (reconnecting with backoff); `close()` stops it. Resolves
   * once the first attempt has prepared the slot (changes committed from then on are kept for
   * the platform) or failed (it keeps retrying; the server starts anyway).
   */
  start(): Promise<void> {
    this.closing = false;
    const prepared = new Promise<void>((resolve) => {
      this.onPrepared = resolve;
    });
    this.running = this.run();
    return prepared;
  }

  async status(): Promise<DatabaseSourceStatus> {
    await this.measureLag().catch(() => undefined);
    return {
      kind: 'postgres',
      state: this.state,
      changes: this.changes,
      slot: this.slot,
      publication: this.publication,
      ...(this.committed === undefined ? {} : { confirmedLsn: this.committed.endLsn }),
      ...(this.lagBytes === undefined ? {} : { lagBytes: this.lagBytes }),
      ...(this.lastError === undefined ? {} : { lastError: { ...this.lastError } }),
    };
  }

  /** Stops reading: the change being routed finishes, its transaction is acknowledged if complete. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.wakeRetry?.();
    if (this.lagTimer !== undefined) clearInterval(this.lagTimer);
    // The transaction being read is finished (and acknowledged) first; no new one is started.
    if (this.open !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CLOSE_GRACE_MS);
        this.onSettled = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.inFlight?.catch(() => undefined);
    await this.service?.stop().catch(() => undefined);
    await this.running;
    await this.inFlight?.catch(() => undefined);
    // Stopped inside a transaction: what of it was published is saved, so the next session,
    // which PostgreSQL resends the whole transaction to, publishes only the rest.
    const open = this.open;
    if (open !== undefined && !open.repeat && open.routed > 0) {
      await this.deps.positions
        .save(this.positionKey, { ...this.committed, partial: { commitLsn: open.commitLsn, routed: open.routed } })
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'PostgreSQL database events: could not save the position of a stopped transaction'));
    }
    await this.admin?.end().catch(() => undefined);
    this.admin = undefined;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    let delay = 500;
    while (!this.closing) {
      try {
        this.state = 'connecting';
        await this.stream();
        delay = 500;
      } catch (err) {
        this.onPrepared?.();
        if (this.closing) break;
        const message = err instanceof Error ? err.message : String(err);
        this.state = /is active for PID/i.test(message) ? 'standby' : 'failed';
        this.lastError = { message, at: Date.now() };
        this.deps.logger[this.state === 'standby' ? 'info' : 'warn']({ err: message, slot: this.slot }, 'PostgreSQL database events: retrying');
      }
      if (this.closing) break;
      await new Promise<void>((resolve) => {
        this.retryTimer = setTimeout(resolve, delay);
        this.wakeRetry = resolve;
      });
      delay = Math.min(delay * 2, this.maxRetryMs);
    }
  }

  /** One replication session: prepare the slot and publication, then stream until the connection ends. */
  private async stream(): Promise<void> {
    await this.prepare();
    this.onPrepared?.();
    const saved = await this.deps.positions.load(this.positionKey);
    if (typeof saved?.['commitLsn'] === 'string' && typeof saved['endLsn'] === 'string') {
      const stored = { commitLsn: saved['commitLsn'], endLsn: saved['endLsn'] };
      if (this.committed === undefined || compareLsn(stored.commitLsn, this.committed.commitLsn) > 0) this.committed = stored;
    }
    const partial = saved?.['partial'] as Partial<PartialTransaction> | undefined;
    if (typeof partial?.commitLsn === 'string' && typeof partial.routed === 'number') this.partial = { commitLsn: partial.commitLsn, routed: partial.routed };
    if (this.closing) return;
    const plugin = new CountingPgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication] });
    const service = new LogicalReplicationService(
      { connectionString: this.options.url },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
    );
    this.service = service;
    this.handled = 0;
    this.open = undefined;
    let failure: unknown;
    service.on('error', (err: Error) => {
      failure ??= err;
      void service.stop();
    });
    service.on('start', () => {
      // close() may have run while this session was connecting: it stops it now.
      if (this.closing) {
        void service.stop();
        return;
      }
      this.state = 'streaming';
      this.deps.logger.info({ slot: this.slot, publication: this.publication, from: this.committed?.endLsn }, 'PostgreSQL database events: streaming');
    });
    service.on('data', async (_lsn: string, message: Pgoutput.Message) => {
      const handling = this.handle(service, message);
      this.inFlight = handling;
      try {
        await handling;
      } finally {
        this.handled += 1;
      }
    });
    service.on('heartbeat', async (lsn: string, _timestamp: number, shouldRespond: boolean) => {
      // Between transactions with every decoded message handled, the server's position may be
      // acknowledged: all WAL before it was sent, and none of it was for a mapped change we hold.
      const idle = !this.closing && this.open === undefined && this.handled === plugin.decoded;
      const confirmed = this.confirmedLsn();
      if (idle && (confirmed === undefined || compareLsn(lsn, confirmed) > 0)) {
        this.slotConfirmed = lsn;
        await service.acknowledge(lsn);
      } else if (shouldRespond && confirmed !== undefined) {
        await service.acknowledge(confirmed);
      }
    });
    await service.subscribe(plugin, this.slot, this.committed?.endLsn ?? '0/0');
    if (failure !== undefined) throw failure;
    if (!this.closing) throw new Error('The replication connection ended');
  }

  /** The furthest position acknowledged: the last published commit's end, or the slot's own. */
  private confirmedLsn(): string | undefined {
    const ends = [this.committed?.endLsn, this.slotConfirmed].filter((lsn): lsn is string => lsn !== undefined);
    return ends.sort(compareLsn).at(-1);
  }

  private async handle(service: LogicalReplicationService, message: Pgoutput.Message): Promise<void> {
    switch (message.tag) {
      case 'begin': {
        if (this.closing) return; // closing: this transaction is left to the next session
        const commitLsn = message.commitLsn ?? '0/0';
        const repeat = this.committed !== undefined && compareLsn(commitLsn, this.committed.commitLsn) <= 0;
        const alreadyRouted = this.partial?.commitLsn === commitLsn ? this.partial.routed : 0;
        this.open = { commitLsn, repeat, routed: 0, alreadyRouted };
        return;
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const open = this.open;
        if (open === undefined || open.repeat) return;
        open.routed += 1;
        if (open.routed <= open.alreadyRouted) return;
        this.changes += 1;
        await this.deps.route(changeOf(message));
        return;
      }
      case 'commit': {
        const open = this.open;
        this.open = undefined;
        if (open === undefined || message.commitEndLsn === null) return;
        if (!open.repeat) {
          this.committed = { commitLsn: open.commitLsn, endLsn: message.commitEndLsn };
          this.partial = undefined;
          await this.deps.positions.save(this.positionKey, this.committed);
        }
        await service.acknowledge(message.commitEndLsn);
        this.onSettled?.();
        return;
      }
      default:
        return;
    }
  }

  /** Creates the publication and the slot when they are missing, and starts measuring lag. */
  private async prepare(): Promise<void> {
    if (this.admin === undefined) {
      const admin = new pg.Client({ connectionString: this.options.url });
      admin.on('error', () => undefined);
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    try {
      const publication = await admin.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [this.publication]);
      if (publication.rowCount === 0) {
        const tables = this.options.tables;
        const target =
          tables === undefined || tables.length === 0
            ? 'FOR ALL TABLES'
            : `FOR TABLE ${tables
                .map((table) =>
                  table
                    .split('.')
                    .map((part) => pg.escapeIdentifier(part))
                    .join('.'),
                )
                .join(', ')}`;
        await admin.query(`CREATE PUBLICATION ${pg.escapeIdentifier(this.publication)} ${target}`);
      }
      const slot = await admin.query<{ plugin: string; wal_status: string | null; confirmed: string | null }>(
        'SELECT plugin, wal_status, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
        [this.slot],
      );
      const found = slot.rows[0];
      if (found?.confirmed !== undefined && found.confirmed !== null) this.slotConfirmed = found.confirmed;
      if (found === undefined) {
        const created = await admin.query<{ lsn: string }>("SELECT lsn::text AS lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')", [this.slot]);
        this.slotConfirmed = created.rows[0]?.lsn;
      } else if (found.plugin !== 'pgoutput') {
        throw new Error(`The replication slot "${this.slot}" uses ${found.plugin}; database events need a pgoutput slot`);
      } else if (found.wal_status === 'lost') {
        throw new Error(
          `The replication slot "${this.slot}" was invalidated (it fell behind max_slot_wal_keep_size): changes since were lost; drop it to start again`,
        );
      }
    } catch (err) {
      await admin.end().catch(() => undefined);
      this.admin = undefined;
      throw err;
    }
    if (this.lagTimer === undefined) {
      this.lagTimer = setInterval(() => void this.measureLag().catch(() => undefined), this.lagIntervalMs);
      this.lagTimer.unref();
    }
  }

  /** How many bytes of WAL the slot holds beyond its confirmed position. */
  private async measureLag(): Promise<void> {
    const admin = this.admin;
    if (admin === undefined) return;
    const result = await admin.query<{ lag: string | null }>(
      'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1',
      [this.slot],
    );
    const lag = result.rows[0]?.lag;
    if (lag === undefined || lag === null) return;
    this.lagBytes = Math.max(0, Number(lag));
    this.deps.onLag?.(this.lagBytes);
  }
}

/** PostgreSQL's `int8`: `pg` parses it to text (it can pass 2^53); a row carries it as a number when exact. */
const INT8_OID = 20;

function changeOf(message: Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete): RowChange {
  const { name: table, schema } = message.relation;
  const int8 = message.relation.columns.filter((column) => column.typeOid === INT8_OID).map((column) => column.name);
  const jsonRow = (row: Record<string, unknown> | null | undefined) => withExactInt8(toJsonRow(row), int8);
  if (message.tag === 'insert') return { table, schema, operation: 'insert', row: jsonRow(message.new) ?? {} };
  if (message.tag === 'update') {
    const old = jsonRow(message.old);
    return { table, schema, operation: 'update', row: jsonRow(message.new) ?? {}, ...(old === undefined ? {} : { old }) };
  }
  const old = jsonRow(message.old ?? message.key) ?? {};
  return { table, schema, operation: 'delete', row: old, old };
}

function withExactInt8(row: RowChange['row'] | undefined, columns: readonly string[]): RowChange['row'] | undefined {
  if (row === undefined) return undefined;
  for (const column of columns) {
    const value = row[column];
    if (typeof value === 'string' && Number.isSafeInteger(Number(value))) row[column] = Number(value);
  }
  return row;
}
