/**
 * A benchmark server process: the platform (createRealtimeServer) or the bare Socket.IO baseline,
 * listening on 127.0.0.1 port 0. It reports its port with a `ready` notice and answers `stats`
 * (CPU, memory, event-loop utilisation; optionally after a forced GC) and `close` over IPC.
 *
 * Started by the orchestrator (`child-processes.ts`), never by hand: its one argument is a
 * {@link ServerLaunch} as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { pino } from 'pino';
import { createRealtimeServer } from '../../server/index.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import { MongoDocumentStore } from '../../server/sync/mongo-document-store.js';
import type { DocumentStore } from '../../server/sync/document-store.js';
import { createBareServer } from './bare-server.js';
import { monotonicMicros } from './bench-event.js';
import { sendNotice, serveCommands } from './ipc-channel.js';
import type { ServerCommands, ServerLaunch, ServerNotices, ServerStats } from './ipc-protocol.js';

const launch = JSON.parse(process.argv[2] ?? '{}') as ServerLaunch;

interface Running {
  port: number;
  connections: () => number;
  objectWrites: () => number;
  close: () => Promise<void>;
}

async function start(): Promise<Running> {
  if (launch.kind === 'bare') {
    const bare = createBareServer();
    await new Promise<void>((resolve) => bare.httpServer.listen(0, '127.0.0.1', resolve));
    return {
      port: (bare.httpServer.address() as AddressInfo).port,
      connections: () => bare.io.of('/').sockets.size,
      objectWrites: () => 0,
      close: async () => {
        await bare.io.close();
      },
    };
  }
  const documents: DocumentStore =
    launch.store.kind === 'mongo'
      ? new MongoDocumentStore({ url: launch.store.url, dbName: launch.store.dbName, sweepIntervalMs: 0 })
      : new MemoryDocumentStore();
  const server = createRealtimeServer({
    port: 0,
    host: '127.0.0.1',
    auth: { secret: launch.secret },
    logger: pino({ level: 'warn' }),
    documents,
    // Case 5 measures how many sync writes a node takes (~17k/s), from `service` tokens in one
    // realm: the per-realm `writes` limit (2,000/s) would cap it. Raised out of reach, it still
    // runs on every write, so its cost stays in the figure. Every other limit keeps its default.
    // The RPC case's calls count against the per-realm `messages` limit (5,000/s) the same way.
    rateLimits: { writes: { perRealm: 1_000_000 }, messages: { perRealm: 1_000_000 } },
    ...(launch.redis === undefined ? {} : { redis: launch.redis }),
    ...(launch.objectMatching === undefined ? {} : { objects: { matching: launch.objectMatching } }),
  });
  // Case 10's "updates applied" count: one listener on the object bus, a counter per write.
  let objectWrites = 0;
  server.services.objectBus.onChange((change) => {
    if (change.kind === 'object' && change.cause === 'write') objectWrites += 1;
  });
  const { port } = await server.listen();
  return { port, connections: () => server.gateway.connectionCount, objectWrites: () => objectWrites, close: () => server.close() };
}

function fdLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
}

function stats(running: Running, collect: boolean): ServerStats {
  if (collect && typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  const elu = performance.eventLoopUtilization();
  return {
    pid: process.pid,
    atMicros: monotonicMicros(),
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    heapSpaces: Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, { size: space.space_size, used: space.space_used_size }])),
    eluActiveMs: elu.active,
    eluIdleMs: elu.idle,
    connections: running.connections(),
    objectWrites: running.objectWrites(),
  };
}

/** The V8 profiler, over an in-process inspector session (sampling every 100 µs). */
class WindowProfiler {
  private session: Session | undefined;

  async start(): Promise<void> {
    if (this.session !== undefined) return;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    this.session = session;
  }

  async stop(path: string): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    writeFileSync(path, JSON.stringify(profile));
  }
}

const running = await start();
const profiler = new WindowProfiler();
let closing: Promise<void> | undefined;
const shutdown = (): Promise<void> => {
  // Exiting normally (not by a signal) lets --cpu-prof write its profile.
  closing ??= running.close().finally(() => setImmediate(() => process.exit(0)));
  return closing;
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

serveCommands<ServerCommands>({
  stats: ({ gc }) => stats(running, gc === true),
  'profile-start': async () => {
    await profiler.start();
    return null;
  },
  'profile-stop': async ({ path }) => {
    await profiler.stop(path);
    return null;
  },
  'heap-snapshot': ({ path }) => {
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      globalThis.gc();
    }
    writeHeapSnapshot(path);
    return null;
  },
  close: async () => {
    void shutdown();
    return null;
  },
});
sendNotice<ServerNotices, 'ready'>('ready', { kind: launch.kind, port: running.port, pid: process.pid, fdLimit: fdLimit() });
