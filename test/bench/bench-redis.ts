import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput, freePort, waitForPort } from '../support/processes.js';
import { adoptChild, stopChild } from './child-processes.js';

/**
 * A redis-server owned by the benchmark (so the multi-node case does not depend on, or disturb, a
 * Redis someone else uses): a free 127.0.0.1 port, no persistence, killed with the other children
 * when the run ends or is interrupted.
 *
 * @example
 * const redis = await BenchRedis.start();
 * const cpu = redis.cpuMicros();
 * await redis.stop();
 */
export class BenchRedis {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
    /** Unique to this run, for createRealtimeServer's `redis.keyPrefix`. */
    readonly keyPrefix: string,
  ) {}

  static async start(): Promise<BenchRedis> {
    if (spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status !== 0) {
      throw new Error('the multi-node case needs redis-server on the PATH (apt-get install redis-server)');
    }
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    adoptChild(child);
    try {
      await waitForPort(port, child, collectOutput(child));
    } catch (err) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return new BenchRedis(child, dir, `redis://127.0.0.1:${port}`, `bench${randomBytes(3).toString('hex')}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** redis-server's CPU time so far (user + system), µs; 0 when /proc cannot tell. */
  cpuMicros(): number {
    try {
      const stat = readFileSync(`/proc/${String(this.child.pid)}/stat`, 'utf8');
      // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
    } catch {
      return 0;
    }
  }

  /** SIGTERM, SIGKILL after 5 s; removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await stopChild(this.child, 5_000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const CLOCK_TICKS = ((): number => {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(result.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();
