import { UnavailableError, type RealtimeError } from '../../shared/index.js';
import { ConnectionManager, type ConnectionManagerOptions } from '../../client/connection-manager.js';
import type { ConnectionChange } from '../../client/connection-state.js';
import { RequestManager } from '../../client/request-manager.js';
import { Resubscriber } from '../../client/resubscriber.js';
import { SubscriptionManager, type ResubscribedNotice } from '../../client/subscription-manager.js';

/**
 * The client's three managers built and wired as `RealtimeClient` wires them (on `open`:
 * resubscribe, then flush queued requests), against a given server URL, with the state changes,
 * errors and resubscriptions recorded for assertions.
 */
export interface ManagerHarness {
  connection: ConnectionManager;
  requests: RequestManager;
  subscriptions: SubscriptionManager;
  changes: ConnectionChange[];
  errors: RealtimeError[];
  reported: RealtimeError[];
  resubscribed: ResubscribedNotice[];
  opens: number;
  /** The states entered, in order. */
  states(): string[];
  /** Resolves once the manager enters `state` (now or later), or rejects after `timeoutMs`. */
  until(state: ConnectionChange['state'], timeoutMs?: number): Promise<void>;
  destroy(): void;
}

export function createManagers(
  url: string,
  options: Partial<ConnectionManagerOptions> & { requestTimeout?: number; bufferTime?: number | false } = {},
): ManagerHarness {
  const { requestTimeout = 2000, bufferTime = 0, ...connectionOptions } = options;
  const connection = new ConnectionManager({
    url,
    path: '/socket.io',
    getToken: () => 'token-1',
    heartbeatInterval: 0,
    requestTimeout,
    reconnection: true,
    reconnectionAttempts: 5,
    reconnectionDelay: 20,
    reconnectionDelayMax: 200,
    randomizationFactor: 0,
    connectTimeout: 2000,
    transports: ['websocket'],
    batchedFrames: true,
    log: () => undefined,
    ...connectionOptions,
  });
  const requests = new RequestManager(connection, requestTimeout, bufferTime);
  const harness: ManagerHarness = {
    connection,
    requests,
    subscriptions: undefined as unknown as SubscriptionManager,
    changes: [],
    errors: [],
    reported: [],
    resubscribed: [],
    opens: 0,
    states: () => harness.changes.map((change) => change.state),
    until: (state, timeoutMs = 5000) =>
      new Promise<void>((resolve, reject) => {
        if (connection.state === state) return resolve();
        const timer = setTimeout(() => {
          dispose();
          reject(new Error(`Timed out waiting for state ${state}; states so far: ${harness.states().join(' → ')}`));
        }, timeoutMs);
        const dispose = connection.events.on('change', (change) => {
          if (change.state !== state) return;
          clearTimeout(timer);
          dispose();
          resolve();
        });
      }),
    destroy: () => {
      harness.subscriptions.destroy();
      requests.destroy(new UnavailableError('destroyed'));
      connection.destroy();
    },
  };
  harness.subscriptions = new SubscriptionManager(
    connection,
    requests,
    (error) => harness.reported.push(error),
    (notice) => harness.resubscribed.push(notice),
  );
  connection.events.on('change', (change) => harness.changes.push(change));
  connection.events.on('error', (error) => harness.errors.push(error));
  connection.events.on('open', () => {
    harness.opens += 1;
  });
  const resubscriber = new Resubscriber({ onOpen: (listener) => connection.events.on('open', listener), flushQueued: () => requests.flush() });
  resubscriber.add(harness.subscriptions);
  return harness;
}

/** Waits `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `predicate` holds, polling every 5 ms; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}
