import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { collectOutput, freePort, stopChild, waitForPort } from './processes.js';

/**
 * A PostgreSQL server with `wal_level = logical` for one test file, and a database of its own.
 *
 * @example
 * const postgres = await startPostgres();
 * const client = new pg.Client(postgres.url);
 * afterAll(() => postgres.stop());
 */
export interface PostgresTestServer {
  /** Connection string of this call's database. */
  url: string;
  /** Which server: `POSTGRES_URL`'s, or a cluster this call started. */
  kind: 'external' | 'owned';
  /** Drops the database (external) or stops the cluster and deletes its files. */
  stop(): Promise<void>;
}

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * Uses `POSTGRES_URL` when set (it must have `wal_level = logical`): a fresh database on it.
 * Otherwise starts a throwaway cluster: `initdb` from PostgreSQL 15 (Debian's `postgresql`
 * package; `.ci/run` installs it) into a temp directory, run as the `postgres` OS user when the
 * tests run as root (which PostgreSQL refuses), as the current user otherwise, with `wal_level = logical` on a free port and its
 * socket in that directory. Never skips: throws when no server can be had.
 *
 * @example
 * const postgres = await startPostgres();
 */
export async function startPostgres(): Promise<PostgresTestServer> {
  const database = `t_${randomBytes(5).toString('hex')}`;
  const external = process.env['POSTGRES_URL'];
  if (external !== undefined && external !== '') {
    await admin(external, `CREATE DATABASE ${database}`);
    const url = withDatabase(external, database);
    return {
      url,
      kind: 'external',
      stop: async () => {
        await admin(url, 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = current_database() AND NOT active').catch(
          () => undefined,
        );
        await admin(external, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      },
    };
  }
  if (!existsSync(join(BIN, 'initdb')))
    throw new Error('Tests need PostgreSQL 15: set POSTGRES_URL (wal_level = logical) or install postgresql (apt-get install postgresql)');
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` OS user.
  const ids = process.getuid?.() === 0 ? ownerIds() : undefined;
  const owner = ids ?? {};
  const dir = mkdtempSync(join(tmpdir(), 'realtime-pg-'));
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  const init = spawnSync(join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    ...owner,
    encoding: 'utf8',
    cwd: dir,
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(BIN, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'wal_level=logical',
      '-c',
      'fsync=off',
      '-c',
      'max_wal_senders=20',
      '-c',
      'max_replication_slots=20',
      '-c',
      'wal_sender_timeout=60s',
    ],
    { ...owner, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await waitForPort(port, child, collectOutput(child));
  const root = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForQueries(root);
  await admin(root, `CREATE DATABASE ${database}`);
  return {
    url: withDatabase(root, database),
    kind: 'owned',
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ownerIds(): { uid: number; gid: number } {
  // Tests run as root here and in CI; PostgreSQL's own user owns the cluster.
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error('The tests start PostgreSQL as the "postgres" OS user, which does not exist (apt-get install postgresql)');
  return { uid, gid };
}

/** Waits for the server to accept queries (it listens a moment before it has finished starting up). */
async function waitForQueries(url: string): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await admin(url, 'SELECT 1');
      return;
    } catch (err) {
      if (attempt > 100) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
