import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from './compiled-entries.js';

/**
 * Starts the benchmark's child processes (servers and load clients) and makes sure none outlives
 * the orchestrator.
 *
 * Why a shell in front: a server holding 20,000 connections needs as many file descriptors, and
 * Node cannot raise its own limit. `sh -c 'ulimit -n <hard>; exec node ...'` raises the soft limit
 * to the hard one, then replaces itself with Node (same pid, IPC descriptor inherited), so killing
 * the pid we hold kills the process itself. The hard limit can only be raised with
 * CAP_SYS_RESOURCE, which this does not attempt.
 */

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** What to start: a TypeScript entry in this folder, run compiled (see `compiled-entries.ts`). */
export interface NodeChildOptions {
  /** File name relative to this folder, e.g. `server-entry.ts`. */
  entry: string;
  args?: string[];
  /** Extra Node flags, e.g. `--expose-gc`, `--cpu-prof`. */
  nodeFlags?: string[];
  /** Shown in errors. */
  label: string;
}

/**
 * Spawns `node <entry, compiled>` with an IPC channel, the soft open-files limit raised to the
 * hard limit, and stdout/stderr passed through.
 *
 * @example
 * const child = spawnNodeChild({ entry: 'client-entry.ts', label: 'client 1' });
 */
export function spawnNodeChild(options: NodeChildOptions): ChildProcess {
  installExitHooks();
  const nodeArgs = [...(options.nodeFlags ?? []), compiledEntry(options.entry), ...(options.args ?? [])];
  const child = spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...nodeArgs], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/**
 * Puts a child that is not a Node entry (e.g. redis-server) under the same guard: killed when the
 * orchestrator exits or is interrupted.
 *
 * @example
 * adoptChild(spawn('redis-server', args));
 */
export function adoptChild(child: ChildProcess): void {
  installExitHooks();
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/**
 * Waits for a child to exit; after `graceMs` sends SIGKILL.
 *
 * @example
 * await stopChild(child, 5000);
 */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Kills every child still running (synchronous: safe in an `exit` handler). */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', () => killAllChildren('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
      killAllChildren('SIGTERM');
      // `exit` listeners (ours, and startMongo's) SIGKILL whatever is left.
      setTimeout(() => process.exit(130), 300).unref();
    });
  }
}
