import { use, useSyncExternalStore } from 'react';
import type { LiveResource, LiveSnapshot } from './live-resource.js';

const IDLE: LiveSnapshot<never> = { status: 'loading', data: undefined, error: undefined };
const noSubscription = (): (() => void) => () => {};
const idle = (): LiveSnapshot<never> => IDLE;

/**
 * Reads a {@link LiveResource} in a component: subscribes while mounted, renders again on every
 * change. With `suspense`, suspends (React's `use` of the resource's one cached promise, marked settled once it is) until
 * the first value and throws the error to the nearest error boundary when there is no value.
 * `undefined` (a disabled hook) reads as loading and never suspends.
 *
 * @example
 * const { status, data } = useLiveResource(resources.get(key, start), false);
 */
export function useLiveResource<T>(resource: LiveResource<T> | undefined, suspense: boolean): LiveSnapshot<T> {
  const snapshot = useSyncExternalStore<LiveSnapshot<T>>(resource?.subscribe ?? noSubscription, resource?.getSnapshot ?? idle, resource?.getSnapshot ?? idle);
  if (suspense && resource !== undefined) {
    // Called on every render in this mode (React requires use() unconditionally once it suspended).
    use(resource.promise());
    const current = resource.getSnapshot();
    if (current.status === 'error' && current.data === undefined && current.error !== undefined) throw current.error;
    return current;
  }
  return snapshot;
}
