import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, freePort, stopChild, waitForPort } from './processes.js';

/**
 * A Redis server for one test file, and a key prefix of its own so files sharing a server never
 * see each other's keys or channels.
 *
 * @example
 * const redis = await startRedis();
 * afterAll(() => redis.stop());
 */
export interface RedisTestServer {
  url: string;
  /** A prefix unique to this call, for `REDIS_KEY_PREFIX`. */
  keyPrefix: string;
  /** Which server: `REDIS_URL`'s, or one this call started from Debian's `redis-server`. */
  kind: 'external' | 'owned';
  /** Stops an owned server (SIGKILL-free) and deletes its files; a no-op for an external one. */
  stop(): Promise<void>;
  /** Owned servers only: kills the process (simulating an outage); `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * Uses `REDIS_URL` when set; otherwise starts `redis-server` (Debian's package; `.ci/run` installs
 * it) on a free port, without persistence. `{ owned: true }` always starts one, for tests that stop
 * and restart Redis. Never skips: throws when no server can be had.
 *
 * @example
 * const redis = await startRedis({ owned: true });
 */
export async function startRedis(options: { owned?: boolean } = {}): Promise<RedisTestServer> {
  const keyPrefix = `t${randomBytes(4).toString('hex')}`;
  const external = process.env['REDIS_URL'];
  if (options.owned !== true && external !== undefined && external !== '') {
    const noop = async () => undefined;
    return { url: external, keyPrefix, kind: 'external', stop: noop, kill: refuse, restart: refuse };
  }
  if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Tests need Redis: set REDIS_URL or install redis-server (apt-get install redis-server)');
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'realtime-redis-'));
  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    const process = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = process;
    await waitForPort(port, process, collectOutput(process));
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    keyPrefix,
    kind: 'owned',
    stop: async () => {
      if (child !== undefined) await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
    kill: async () => {
      if (child === undefined || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    restart: launch,
  };
}

async function refuse(): Promise<void> {
  throw new Error('Only a Redis server started by the tests ({ owned: true }) can be killed or restarted');
}
