import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { stopChild } from './processes.js';

/** One server process started with `server/cli.ts`, as `npm start` runs it. */
export interface PlatformNode {
  url: string;
  port: number;
  process: ChildProcessWithoutNullStreams;
  /** Everything the process logged so far (JSON lines). */
  logs(): string;
  /** SIGKILL: the node dies without cleaning up, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts a platform node as a child process on a free port with the given environment (JWT
 * secret, REDIS_URL, ...) and resolves once it is listening.
 *
 * @example
 * const node = await startPlatformNode({ JWT_SECRET: secret, REDIS_URL: redis.url });
 */
export async function startPlatformNode(env: Record<string, string>): Promise<PlatformNode> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts'], {
    // REDIS_ADAPTER passes through, so the cluster suites can be run against the sharded adapter too.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      ...(process.env.REDIS_ADAPTER === undefined ? {} : { REDIS_ADAPTER: process.env.REDIS_ADAPTER }),
      ...env,
    },
    cwd: process.cwd(),
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (output += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = /"port":(\d+),"msg":"listening"/.exec(output);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`node exited with ${String(code)} before listening:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    logs: () => output,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    stop: () => stopChild(child),
  };
}
