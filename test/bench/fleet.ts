import { ClientPool } from './client-pool.js';
import type { ServerKind, ServerReady, ServerStats, StoreChoice, SubscriptionPlan } from './ipc-protocol.js';
import { LoadPublisher, type PublisherOptions } from './load-publisher.js';
import { formatNumber, progress } from './progress.js';
import { ServerProcess, type MeasuredServer } from './server-process.js';

/** A server process plus the client processes driving it. */
export interface Fleet {
  server: ServerProcess;
  pool: ClientPool;
  /** Whether the receivers ask for batched frames. @default false */
  batchedFrames?: boolean;
}

/** Options of {@link withFleet}. */
export interface FleetOptions {
  kind: ServerKind;
  /** Scope for progress lines and the profile's file name. */
  scope: string;
  clients: number;
  store?: StoreChoice;
  profileDir?: string;
  /**
   * The receivers ask for batched frames (`batch=1`, `RealtimeClient`'s default) and unpack them;
   * a server that does not batch (bare Socket.IO) ignores the ask.
   * @default false
   */
  batchedFrames?: boolean;
}

/**
 * Starts a server and its client processes, runs `body`, and stops them all whatever happens.
 *
 * @example
 * const result = await withFleet({ kind: 'platform', scope: 'fanout', clients: 2 }, async ({ server, pool }) => ...);
 */
export async function withFleet<T>(options: FleetOptions, body: (fleet: Fleet) => Promise<T>): Promise<T> {
  const [server, pool] = await Promise.all([
    ServerProcess.start({
      kind: options.kind,
      label: options.scope,
      ...(options.store === undefined ? {} : { store: options.store }),
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
    }),
    ClientPool.start(options.clients),
  ]);
  try {
    return await body({ server, pool, batchedFrames: options.batchedFrames ?? false });
  } finally {
    await Promise.all([pool.close(), server.close()]);
  }
}

/**
 * Connects `total` subscribed connections, printing how long it took.
 *
 * @example
 * await connectReceivers(fleet, 'fanout', 1000, { kind: 'fanout', topic });
 */
export async function connectReceivers(fleet: Fleet, scope: string, total: number, plan: SubscriptionPlan, firstIndex = 0): Promise<number> {
  const { connected, elapsedMs } = await fleet.pool.connect({
    url: fleet.server.url,
    secret: fleet.server.secret,
    total,
    plan,
    firstIndex,
    batchedFrames: fleet.batchedFrames ?? false,
  });
  if (connected !== total) throw new Error(`${scope}: only ${connected} of ${total} connections opened`);
  progress(scope, `${fleet.server.ready.kind}: ${formatNumber(total)} connections subscribed in ${formatNumber(elapsedMs / 1000, 1)} s`);
  return elapsedMs;
}

/** Connects a publisher to the fleet's server. */
export function connectPublisher(fleet: Fleet, options: Omit<PublisherOptions, 'url' | 'secret'>): Promise<LoadPublisher> {
  return LoadPublisher.connect({ url: fleet.server.url, secret: fleet.server.secret, ...options });
}

/** One reading of a {@link ServerGroup}: each node's CPU so far and Redis's, µs. */
export interface GroupReading {
  atMicros: number;
  nodeCpuMicros: number[];
  redisCpuMicros: number;
}

/**
 * Several server processes measured as one: `stats()` sums their CPU, memory, connections and
 * event-loop time (so `cpuBetween` gives CPU in cores summed over the nodes, and the mean event-loop
 * utilisation). Every `stats()` also logs each node's and Redis's CPU, so a caller can split a
 * measured window afterwards. Connections go to the node they are told; the publisher to node 0.
 */
export class ServerGroup implements MeasuredServer {
  readonly readings: GroupReading[] = [];

  constructor(
    readonly nodes: ServerProcess[],
    private readonly redisCpuMicros: () => number,
  ) {
    if (nodes.length === 0) throw new Error('ServerGroup needs at least one node');
  }

  private get first(): ServerProcess {
    return this.nodes[0] as ServerProcess;
  }

  get ready(): ServerReady {
    return this.first.ready;
  }

  get url(): string {
    return this.first.url;
  }

  get secret(): string {
    return this.first.secret;
  }

  async stats(gc = false): Promise<ServerStats> {
    const all = await Promise.all(this.nodes.map((node) => node.stats(gc)));
    const redis = this.redisCpuMicros();
    const sum = (pick: (stats: ServerStats) => number): number => all.reduce((total, stats) => total + pick(stats), 0);
    const atMicros = sum((stats) => stats.atMicros) / all.length;
    this.readings.push({ atMicros, nodeCpuMicros: all.map((stats) => stats.cpuUserMicros + stats.cpuSystemMicros), redisCpuMicros: redis });
    return {
      pid: this.first.ready.pid,
      atMicros,
      cpuUserMicros: sum((stats) => stats.cpuUserMicros),
      cpuSystemMicros: sum((stats) => stats.cpuSystemMicros),
      rss: sum((stats) => stats.rss),
      heapUsed: sum((stats) => stats.heapUsed),
      heapTotal: sum((stats) => stats.heapTotal),
      external: sum((stats) => stats.external),
      arrayBuffers: sum((stats) => stats.arrayBuffers),
      eluActiveMs: sum((stats) => stats.eluActiveMs),
      eluIdleMs: sum((stats) => stats.eluIdleMs),
      connections: sum((stats) => stats.connections),
      objectWrites: sum((stats) => stats.objectWrites),
    };
  }

  async startProfile(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.startProfile()));
  }

  async stopProfile(name: string): Promise<void> {
    await Promise.all(this.nodes.map((node, index) => node.stopProfile(`${name}-node${index + 1}`)));
  }

  /** Per node and Redis: cores used between the reading at index `from` of `readings` and the latest. */
  usageSince(from: number): { nodeCores: number[]; redisCores: number; wallMicros: number } {
    const first = this.readings[from];
    const last = this.readings.at(-1);
    if (first === undefined || last === undefined || last === first) return { nodeCores: this.nodes.map(() => 0), redisCores: 0, wallMicros: 0 };
    const wallMicros = last.atMicros - first.atMicros;
    return {
      nodeCores: last.nodeCpuMicros.map((micros, index) => (micros - (first.nodeCpuMicros[index] ?? 0)) / wallMicros),
      redisCores: (last.redisCpuMicros - first.redisCpuMicros) / wallMicros,
      wallMicros,
    };
  }
}
