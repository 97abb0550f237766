import { REQUEST_SCHEMAS, parseInput, type ClientToServerEvents, type RequestOf } from '../../shared/index.js';
import type { RestCall, RestTransport } from './rest-transport.js';

/** What every REST namespace works with: the transport, and the realm its calls name. */
export interface RestScope {
  readonly transport: RestTransport;
  /** Sent as `X-Realm`; `undefined` leaves the realm to the token's default. */
  readonly realm: string | undefined;
}

/** A call of a namespace: its scope adds the realm. */
export type ScopedCall = Omit<RestCall, 'realm'>;

/**
 * Sends `call` in the scope's realm.
 *
 * @example
 * const page = await sendIn<DocumentListPage>(scope, { method: 'GET', path: '/api/sync/notes/documents' });
 */
export function sendIn<T>(scope: RestScope, call: ScopedCall): Promise<T> {
  return scope.transport.send<T>({ ...call, realm: scope.realm });
}

/**
 * `request` checked with the schema of the socket event that asks the same thing
 * (`REQUEST_SCHEMAS`, the one the REST route checks it with too): a request the server would
 * refuse is refused here with the same `InvalidArgumentError`, before anything is sent.
 *
 * @example
 * const body = checkedRequest('topic:publish', { realm, topic, payload });
 */
export function checkedRequest<E extends keyof ClientToServerEvents>(event: E, request: RequestOf<E>): RequestOf<E> {
  parseInput(REQUEST_SCHEMAS[event], request, `${event} request`);
  return request;
}

/**
 * `{ realm }` when the scope names one, to put in a request that is checked with its schema.
 *
 * @example
 * checkedRequest('sync:get', { ...realmOf(scope), service, id });
 */
export function realmOf(scope: RestScope): { realm?: string } {
  return scope.realm === undefined ? {} : { realm: scope.realm };
}

/**
 * One URL path segment (`encodeURIComponent`: a `/` in an object id becomes `%2F`, which the
 * routes decode).
 *
 * @example
 * `/api/socket/channels/${segment('chat:room1')}/members`
 */
export function segment(value: string): string {
  return encodeURIComponent(value);
}
