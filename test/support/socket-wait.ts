import type { SocketClient, SocketClientEvents } from '../../client/index.js';

/**
 * Resolves with the next `event` of a socket client that satisfies `predicate`.
 */
export function nextSocketEvent<K extends keyof SocketClientEvents>(
  target: SocketClient,
  event: K,
  predicate: (value: SocketClientEvents[K]) => boolean = () => true,
): Promise<SocketClientEvents[K]> {
  return new Promise((resolve) => {
    const off = target.on(event, (value) => {
      if (!predicate(value)) return;
      off();
      resolve(value);
    });
  });
}

/**
 * Records every `event` of a socket client; `until(n)` resolves once `n` have arrived, and
 * `untilMatch(predicate)` once one satisfies `predicate`.
 */
export function collectSocketEvents<K extends keyof SocketClientEvents>(target: SocketClient, event: K) {
  const values: SocketClientEvents[K][] = [];
  const waiters: { done: () => boolean; resolve: () => void }[] = [];
  const off = target.on(event, (value) => {
    values.push(value);
    for (const waiter of [...waiters]) {
      if (!waiter.done()) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const wait = (done: () => boolean): Promise<SocketClientEvents[K][]> =>
    done() ? Promise.resolve(values) : new Promise((resolve) => waiters.push({ done, resolve: () => resolve(values) }));
  return {
    values,
    off,
    until: (count: number) => wait(() => values.length >= count),
    untilMatch: (predicate: (value: SocketClientEvents[K]) => boolean) => wait(() => values.some(predicate)),
  };
}
