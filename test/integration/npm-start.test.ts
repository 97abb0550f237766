import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm start` exactly as documented: the npm process is what a supervisor (Docker, systemd,
 * Kubernetes) signals, so SIGTERM or SIGINT to it must stop the whole process tree cleanly.
 */
const started: number[] = [];

// `npm start` builds dist/ first when a source is newer than the last build (prestart); build here,
// once, so no test below pays for it within its timeout.
beforeAll(() => {
  execFileSync('npm', ['run', 'build', '--', '--if-stale'], { stdio: 'ignore', env: { ...process.env, npm_config_update_notifier: 'false' } });
});

afterEach(() => {
  // Whatever a failed test left running: only the processes these tests started.
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** The pids below `pid` (children, grandchildren, ...). */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, ppid] of table) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function command(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'pid=,cmd=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return `${pid} (gone)`;
  }
}

/** Whether `pid` is gone within a few seconds (it is no child of ours: there is no exit event to wait for). */
async function exitsSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 250 && alive(pid); i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return !alive(pid);
}

/** `npm start` in development mode; resolves with the process and the URL it printed. */
async function npmStart(env: Record<string, string> = {}): Promise<{ npm: ChildProcess; url: string; stdout: () => string }> {
  const npm = spawn('npm', ['start'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', LOG_LEVEL: 'info', npm_config_update_notifier: 'false', ...env },
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(npm.pid as number);
  let text = '';
  npm.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  npm.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /development mode\) at (http:\/\/\S+)/.exec(text)?.[1];
      if (match !== undefined && /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/m.test(text)) resolve(match);
    };
    npm.stdout?.on('data', onData);
    npm.once('exit', (code) => reject(new Error(`npm start exited with ${String(code)}: ${text}`)));
  });
  for (const pid of descendants(npm.pid as number)) started.push(pid);
  return { npm, url, stdout: () => text };
}

/** Whether something accepts TCP connections at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops the whole process tree cleanly on ${signal} to the npm process`, async () => {
      const { npm, url, stdout } = await npmStart();
      const tree = descendants(npm.pid as number);
      expect(tree.length).toBeGreaterThan(0);
      expect((await fetch(`${url}/health`)).status).toBe(200);

      const exited = once(npm, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      npm.kill(signal);
      const [code] = await exited;
      expect(code, stdout()).toBe(0);
      // npm waits for its child; nothing of the tree may outlive it (checked a moment later: a
      // process only disappears from the table once its parent reaps it).
      const commands = new Map(tree.map((pid) => [pid, command(pid)]));
      for (const pid of tree) expect(await exitsSoon(pid), `still running after npm exited: ${commands.get(pid)}`).toBe(true);
      expect(await accepts('127.0.0.1', Number(new URL(url).port))).toBe(false);
      expect(stdout()).toMatch(/"msg":"closed"/);
    });
  }

  it('runs the compiled JavaScript in dist/, not TypeScript through tsx', async () => {
    const { npm } = await npmStart();
    const commands = descendants(npm.pid as number).map(command);
    expect(
      commands.some((line) => / node dist\/server\/cli\.js$/.test(line)),
      commands.join('\n'),
    ).toBe(true);
    expect(
      commands.some((line) => line.includes('tsx')),
      commands.join('\n'),
    ).toBe(false);
    npm.kill('SIGTERM');
    await once(npm, 'exit');
  });

  it('binds 127.0.0.1 in development mode unless HOST is set', async () => {
    const local = await npmStart();
    const port = Number(new URL(local.url).port);
    expect(new URL(local.url).hostname).toBe('127.0.0.1');
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Linux routes all of 127/8 to the loopback interface: a server bound to every interface
    // answers on 127.0.0.2, one bound to 127.0.0.1 does not.
    expect(await accepts('127.0.0.2', port)).toBe(false);
    local.npm.kill('SIGTERM');
    await once(local.npm, 'exit');

    const everywhere = await npmStart({ HOST: '0.0.0.0' });
    expect(await accepts('127.0.0.2', Number(new URL(everywhere.url).port))).toBe(true);
    everywhere.npm.kill('SIGTERM');
    await once(everywhere.npm, 'exit');
  });
});
