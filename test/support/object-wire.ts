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
 * Records every value of one server event on a socket, read in order through a cursor: `next()`
 * resolves with the first value after the last one read (already recorded, or to come) that
 * satisfies `test`, and moves the cursor past it; `until(test)` does the same from the start.
 */
export function record<T>(socket: Socket, event: string) {
  const values: T[] = [];
  let cursor = 0;
  let waiter: { test: (value: T) => boolean; resolve: (value: T) => void } | undefined;
  const take = (from: number, test: (value: T) => boolean): T | undefined => {
    for (let i = from; i < values.length; i += 1) {
      if (!test(values[i] as T)) continue;
      cursor = i + 1;
      return values[i];
    }
    cursor = values.length;
    return undefined;
  };
  socket.on(event, (value: T) => {
    values.push(value);
    if (waiter === undefined) return;
    const found = take(cursor, waiter.test);
    if (found === undefined) return;
    const { resolve } = waiter;
    waiter = undefined;
    resolve(found);
  });
  const wait = (from: number, test: (value: T) => boolean): Promise<T> => {
    const found = take(from, test);
    return found !== undefined ? Promise.resolve(found) : new Promise((resolve) => (waiter = { test, resolve }));
  };
  return {
    values,
    next: (test: (value: T) => boolean = () => true): Promise<T> => wait(cursor, test),
    until: (test: (value: T) => boolean): Promise<T> => wait(0, test),
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
