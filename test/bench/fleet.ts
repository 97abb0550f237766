import { ClientPool } from './client-pool.js';
import type { ServerKind, StoreChoice, SubscriptionPlan } from './ipc-protocol.js';
import { LoadPublisher, type PublisherOptions } from './load-publisher.js';
import { formatNumber, progress } from './progress.js';
import { ServerProcess } from './server-process.js';

/** A server process plus the client processes driving it. */
export interface Fleet {
  server: ServerProcess;
  pool: ClientPool;
}

/** Options of {@link withFleet}. */
export interface FleetOptions {
  kind: ServerKind;
  /** Scope for progress lines and the profile's file name. */
  scope: string;
  clients: number;
  store?: StoreChoice;
  profileDir?: string;
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
    return await body({ server, pool });
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
  const { connected, elapsedMs } = await fleet.pool.connect({ url: fleet.server.url, secret: fleet.server.secret, total, plan, firstIndex });
  if (connected !== total) throw new Error(`${scope}: only ${connected} of ${total} connections opened`);
  progress(scope, `${fleet.server.ready.kind}: ${formatNumber(total)} connections subscribed in ${formatNumber(elapsedMs / 1000, 1)} s`);
  return elapsedMs;
}

/** Connects a publisher to the fleet's server. */
export function connectPublisher(fleet: Fleet, options: Omit<PublisherOptions, 'url' | 'secret'>): Promise<LoadPublisher> {
  return LoadPublisher.connect({ url: fleet.server.url, secret: fleet.server.secret, ...options });
}
