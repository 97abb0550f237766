import type { HivekitBackend } from './hivekit-backend.js';

/**
 * What the Hivekit handlers (realms, objects, areas, pub/sub, history) share with the client:
 * the current backend (WebSocket or HTTP), the one path every call takes (logging, Hivekit-style
 * errors), and where listener errors go.
 *
 * @example
 * const object = await context.call('object.get', [id], () => context.backend().objects(realm).get(id));
 */
export interface HivekitContext {
  /** The backend of the current `connect()` or `useHTTP()`; throws before either. */
  backend(): HivekitBackend;
  /** Runs a platform call: logged with `logMessages`, rejected as `{ message, code }`. */
  call<T>(name: string, args: unknown[], run: () => Promise<T> | T): Promise<T>;
  /** A listener of a realm or a subscription threw. */
  reportListenerError(err: unknown): void;
}
