import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { spawnNodeChild, stopChild } from './child-processes.js';
import { IpcClient } from './ipc-channel.js';
import type { ServerCommands, ServerKind, ServerLaunch, ServerNotices, ServerReady, ServerStats, StoreChoice } from './ipc-protocol.js';

/** Options of {@link ServerProcess.start}. */
export interface ServerProcessOptions {
  kind: ServerKind;
  /** @default { kind: 'memory' } */
  store?: StoreChoice;
  /** When set, measurements profile the server and write `.cpuprofile` files here. */
  profileDir?: string;
  /** Names the profile file. */
  label: string;
  /** Join a cluster through this Redis (platform only). */
  redis?: { url: string; keyPrefix: string; adapter?: 'classic' | 'sharded' };
  /** The HS256 secret; a random one when absent (nodes of one cluster share theirs). */
  secret?: string;
  /** How object feeds match writes (platform only). @default 'index' */
  objectMatching?: 'index' | 'scan';
}

/** What the measurements need of the server side: one {@link ServerProcess}, or several summed. */
export interface MeasuredServer {
  readonly ready: ServerReady;
  readonly url: string;
  readonly secret: string;
  stats(gc?: boolean): Promise<ServerStats>;
  startProfile(): Promise<void>;
  stopProfile(name: string): Promise<void>;
}

/**
 * A server under test in its own process (so its event loop is what is measured), with a random
 * HS256 secret for the benchmark's tokens.
 *
 * @example
 * const server = await ServerProcess.start({ kind: 'platform', label: 'fanout' });
 * const before = await server.stats();
 * await server.close();
 */
export class ServerProcess implements MeasuredServer {
  private constructor(
    private readonly child: ChildProcess,
    private readonly ipc: IpcClient<ServerCommands, ServerNotices>,
    readonly ready: ServerReady,
    readonly secret: string,
    private readonly profileDir: string | undefined,
  ) {}

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const secret = options.secret ?? randomBytes(32).toString('base64url');
    if (options.profileDir !== undefined) mkdirSync(options.profileDir, { recursive: true });
    const child = spawnNodeChild({
      entry: 'server-entry.ts',
      args: [
        JSON.stringify({
          kind: options.kind,
          secret,
          store: options.store ?? { kind: 'memory' },
          ...(options.redis === undefined ? {} : { redis: options.redis }),
          ...(options.objectMatching === undefined ? {} : { objectMatching: options.objectMatching }),
        } satisfies ServerLaunch),
      ],
      nodeFlags: ['--expose-gc'],
      label: `${options.kind} server`,
    });
    const ipc = new IpcClient<ServerCommands, ServerNotices>(child, `${options.kind} server`);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`${options.kind} server exited (${String(code)}) before it listened`))),
    );
    const ready = await Promise.race([ipc.nextNotice('ready', 60_000), exited]);
    return new ServerProcess(child, ipc, ready, secret, options.profileDir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.ready.port}`;
  }

  /** CPU, memory and event-loop counters; `gc` first forces two full collections. */
  stats(gc = false): Promise<ServerStats> {
    return this.ipc.request('stats', { gc }, 60_000);
  }

  /**
   * With --profile, starts the server's CPU profiler; `stopProfile` writes what it sampled to
   * `<profileDir>/<name>.cpuprofile`. Both do nothing without --profile.
   */
  async startProfile(): Promise<void> {
    if (this.profileDir !== undefined) await this.ipc.request('profile-start', {});
  }

  async stopProfile(name: string): Promise<void> {
    if (this.profileDir !== undefined) await this.ipc.request('profile-stop', { path: join(this.profileDir, `${name}.cpuprofile`) });
  }

  /** Writes a heap snapshot of the server (after two full collections) to `path`. */
  async heapSnapshot(path: string): Promise<void> {
    await this.ipc.request('heap-snapshot', { path }, 600_000);
  }

  /** Closes the server and waits for the process to end. */
  async close(): Promise<void> {
    try {
      await this.ipc.request('close', {}, 10_000);
    } catch {
      // Already gone, or stuck: stopChild below kills it.
    }
    await stopChild(this.child, 15_000);
  }
}

/** CPU time (µs) and wall time (µs) between two stats, and their ratio. */
export function cpuBetween(before: ServerStats, after: ServerStats): { cpuMicros: number; wallMicros: number; utilisation: number; eventLoop: number } {
  const cpuMicros = after.cpuUserMicros + after.cpuSystemMicros - before.cpuUserMicros - before.cpuSystemMicros;
  const wallMicros = after.atMicros - before.atMicros;
  const active = after.eluActiveMs - before.eluActiveMs;
  const idle = after.eluIdleMs - before.eluIdleMs;
  return { cpuMicros, wallMicros, utilisation: cpuMicros / wallMicros, eventLoop: active / Math.max(1e-9, active + idle) };
}
