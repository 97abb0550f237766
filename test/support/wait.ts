import type { ClientEvents, RealtimeClient, RealtimeRealm } from '../../client/index.js';

type Listenable = Pick<RealtimeClient | RealtimeRealm, 'on'>;

/**
 * Resolves with the next value of `event` that satisfies `predicate`.
 */
export function nextEvent<K extends keyof ClientEvents & string>(
  target: Listenable,
  event: K,
  predicate: (value: ClientEvents[K]) => boolean = () => true,
): Promise<ClientEvents[K]> {
  return new Promise((resolve) => {
    const off = target.on(event, (value: ClientEvents[K]) => {
      if (!predicate(value)) return;
      off();
      resolve(value);
    });
  });
}

/**
 * Records every value of `event`; `until(n)` resolves once `n` have arrived.
 */
export function collect<K extends keyof ClientEvents & string>(target: Listenable, event: K) {
  const values: ClientEvents[K][] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const off = target.on(event, (value: ClientEvents[K]) => {
    values.push(value);
    for (const waiter of [...waiters]) {
      if (values.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    values,
    off,
    until(count: number): Promise<ClientEvents[K][]> {
      if (values.length >= count) return Promise.resolve(values);
      return new Promise((resolve) => waiters.push({ count, resolve: () => resolve(values) }));
    },
  };
}

/** Resolves when the client reaches `state`. */
export function stateReached(client: RealtimeClient, state: ClientEvents['connection']['state']): Promise<void> {
  if (client.state === state) return Promise.resolve();
  return nextEvent(client, 'connection', (change) => change.state === state).then(() => undefined);
}
