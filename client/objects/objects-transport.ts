import type { ClientToServerEvents, RealtimeError, RequestOf, ResultOf } from '../../shared/index.js';

/**
 * What the object, area, realm and pub/sub clients need from the client that owns the connection:
 * acknowledged requests (`RequestManager.request`), fire-and-forget sends (`RequestManager.send`),
 * and where errors no promise can carry go (the client's `'error'` event).
 *
 * @example
 * const transport: ObjectsTransport = { request: (e, p) => requests.request(e, p), send: (e, p) => requests.send(e, p), reportError };
 */
export interface ObjectsTransport {
  request<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): Promise<ResultOf<E>>;
  send<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): void;
  reportError(error: RealtimeError): void;
}
