import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { collectOutput, freePort, stopChild, waitForPort } from './processes.js';

/**
 * A MongoDB-compatible server for one test file, with a database name of its own.
 *
 * @example
 * const mongo = await startMongo();
 * const client = new MongoClient(mongo.url);
 * const db = client.db(mongo.dbName);
 * afterAll(() => mongo.stop());
 */
export interface MongoTestServer {
  /** Connection string (no database in it). */
  url: string;
  /** A database name unique to this call. */
  dbName: string;
  /** Which server this is: from `MONGODB_URL`, a local `mongod`, or FerretDB from `.cache`. */
  kind: 'external' | 'mongod' | 'ferretdb';
  /** Drops the database (external server) or stops the server and deletes its files. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where `test/ferretdb/build.sh` puts the FerretDB binary. */
export const FERRETDB_BINARY = join(REPO_ROOT, '.cache', 'ferretdb', 'ferretdb');
const FERRETDB_BUILD_SCRIPT = join(REPO_ROOT, 'test', 'ferretdb', 'build.sh');

let databaseCounter = 0;

/**
 * Starts (or reuses) a MongoDB-compatible server for tests, in this order:
 * 1. `MONGODB_URL` when set: that server, with a fresh database name per call (dropped on `stop`);
 * 2. `mongod` when it is on PATH: a new one on a free 127.0.0.1 port and a temp directory;
 * 3. FerretDB (`.cache/ferretdb/ferretdb`, built with `test/ferretdb/build.sh` when missing, which
 *    takes about a minute): a new one on a free port over SQLite in a temp directory.
 *
 * It never skips: when nothing can be started it throws, saying why.
 *
 * @example
 * const mongo = await startMongo();
 * try { ... } finally { await mongo.stop(); }
 */
export async function startMongo(): Promise<MongoTestServer> {
  const dbName = uniqueDatabaseName();
  const external = process.env['MONGODB_URL'];
  if (external !== undefined && external !== '') return useExternal(external, dbName);
  if (onPath('mongod')) {
    return spawnServer('mongod', dbName, (port, dir) => [
      'mongod',
      ['--port', String(port), '--bind_ip', '127.0.0.1', '--dbpath', dir, '--quiet', '--nounixsocket'],
    ]);
  }
  await ensureFerretDB();
  return spawnServer('ferretdb', dbName, (port, dir) => [FERRETDB_BINARY, ['-listen', `127.0.0.1:${port}`, '-sqlite-dir', dir, '-log-level', 'error']]);
}

/**
 * Whether the server at `url` is FerretDB (its `buildInfo` carries `ferretdbVersion`). FerretDB
 * runs an update as a read, then a write by `_id`, so conditional updates are not atomic there
 * (FerretDB issue #3040): tests of concurrent compare-and-set cannot pass on it.
 *
 * @example
 * if (await isFerretDB(mongo.url)) { ... }
 */
export async function isFerretDB(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return 'ferretdbVersion' in info;
  } finally {
    await client.close();
  }
}

function uniqueDatabaseName(): string {
  // FerretDB accepts ^[a-zA-Z0-9_-]{1,63}$.
  databaseCounter += 1;
  return `test_${process.pid}_${databaseCounter}_${randomBytes(4).toString('hex')}`;
}

function useExternal(url: string, dbName: string): MongoTestServer {
  return {
    url,
    dbName,
    kind: 'external',
    async stop() {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.db(dbName).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function ensureFerretDB(): Promise<void> {
  if (isExecutable(FERRETDB_BINARY)) return;
  // Builds once (about a minute on a cold Go cache); progress goes to this process's stderr.
  const child = spawn('bash', [FERRETDB_BUILD_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  const outcome = await new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(err.message));
    child.once('exit', (code, signal) => resolve(`exit ${String(code ?? signal)}`));
  });
  if (!isExecutable(FERRETDB_BINARY)) {
    throw new Error(
      'No MongoDB-compatible server for the tests: MONGODB_URL is not set, mongod is not on PATH, and ' +
        `building FerretDB with ${FERRETDB_BUILD_SCRIPT} failed (${outcome}). It needs Go >= 1.24 and the Go module proxy.`,
    );
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

type Command = (port: number, dir: string) => [string, string[]];

async function spawnServer(kind: 'mongod' | 'ferretdb', dbName: string, command: Command): Promise<MongoTestServer> {
  // A free port can be taken by someone else before the server binds it: try a few.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const dir = mkdtempSync(join(tmpdir(), `${kind}-test-`));
    const port = await freePort();
    const [file, args] = command(port, dir);
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const output = collectOutput(child);
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    try {
      await waitForPort(port, child, output);
    } catch (err) {
      lastError = err;
      process.removeListener('exit', killOnExit);
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    return {
      url: `mongodb://127.0.0.1:${port}/`,
      dbName,
      kind,
      async stop() {
        process.removeListener('exit', killOnExit);
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`Could not start ${kind} for the tests: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
