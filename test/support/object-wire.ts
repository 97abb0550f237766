import type { Socket } from 'socket.io-client';
import type { AckResult, FeedData, PubsubMessage } from '../../shared/index.js';

/**
 * Sends one request on a raw socket and resolves with its acknowledgement.
 *
 * @example
 * const result = await request(socket, 'object:get', { realm: 'london', id: 'riders/7' });
 */
export function request<T = unknown>(socket: Socket, event: string, payload: unknown): Promise<AckResult<T>> {
  return new Promise((resolve) => socket.emit(event, payload, (result: AckResult<T>) => resolve(result)));
}

/** Sends a request and resolves with its data, failing the test on an error. */
export async function ok<T = unknown>(socket: Socket, event: string, payload: unknown): Promise<T> {
  const result = await request<T>(socket, event, payload);
  if (!result.ok) throw new Error(`${event} failed: ${result.error.code} ${result.error.message}`);
  return result.data;
}

/**
 * Records every value of one server event on a socket; `until(predicate)` resolves once one
 * satisfies it (with that value), `next()` with the next one.
 */
export function record<T>(socket: Socket, event: string) {
  const values: T[] = [];
  const waiters: Array<{ test: (value: T) => boolean; resolve: (value: T) => void }> = [];
  socket.on(event, (value: T) => {
    values.push(value);
    for (const waiter of [...waiters]) {
      if (!waiter.test(value)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(value);
    }
  });
  return {
    values,
    /** The first value (already recorded or to come) satisfying `test`. */
    until: (test: (value: T) => boolean): Promise<T> => {
      const found = values.find(test);
      return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ test, resolve }));
    },
    /** The next value to come that satisfies `test`. */
    next: (test: (value: T) => boolean = () => true): Promise<T> => new Promise((resolve) => waiters.push({ test, resolve })),
  };
}

/** Records `feed:data` frames. */
export function feedRecorder<T = unknown>(socket: Socket) {
  return record<FeedData<T>>(socket, 'feed:data');
}

/** Records `pubsub:message` frames. */
export function pubsubRecorder(socket: Socket) {
  return record<PubsubMessage>(socket, 'pubsub:message');
}

/** The ids in each part of a feed frame, sorted, for compact assertions. */
export function idsOf(data: FeedData<unknown>): { kind: string; added: string[]; updated: string[]; removed: string[] } {
  return {
    kind: data.kind,
    added: Object.keys(data.added).sort(),
    updated: Object.keys(data.updated).sort(),
    removed: Object.keys(data.removed).sort(),
  };
}
