import { HTTP_STATUS_BY_CODE, isErrorCode, type ErrorCode } from './error-codes.js';
import type { RealtimeEvent } from './realtime-event.js';
import type { SubscribeResult } from './topic-protocol.js';

/**
 * The plain WebSocket protocol (`/ws`): JSON messages for clients that do not speak Socket.IO.
 *
 * Why this exists: the reference platform documents a `/ws` endpoint with `subscribe`,
 * `unsubscribe` and `ping` messages (smarterservices-spec.md §3.5); those shapes are kept
 * verbatim. Every other request is the Socket.IO event of the same name in the same style: a
 * message `{ type: '<event>', ref?, ...request fields }`, answered by `{ type: 'result', ref, data }`
 * or `{ type: 'error', ref, code, message, details? }`. A frame from the server is one message or a
 * JSON array of messages, in order; a client may send arrays too.
 *
 * @example
 * const hello: WsClientMessage = { type: 'subscribe', topic: 'orders.updated', filter: { shop: 'paris' } };
 */
export type WsClientMessage = WsPingMessage | WsAckReplyMessage | WsRequestMessage;

/**
 * `{ "type": "ping" }`: answered at once with `{ "type": "pong" }` (the reference's heartbeat).
 *
 * @example
 * const ping: WsPingMessage = { type: 'ping', ref: 1 };
 */
export interface WsPingMessage {
  type: 'ping';
  ref?: unknown;
}

/**
 * The answer to a server event that asked for one (`rpc:request`, `listen:offer` arrive with an
 * `ackId`): `{ "type": "ack", "ackId": 3, "data": { "accept": true } }`.
 */
export interface WsAckReplyMessage {
  type: 'ack';
  ackId: number;
  data?: unknown;
}

/**
 * A request: `type` names the Socket.IO event (`subscribe`, `sync:get`, `channel:join`, ...;
 * `publish` is `topic:publish`, whose event `type` goes in `eventType`), `ref` is echoed in the
 * answer, and every other field is the event's request.
 */
export interface WsRequestMessage {
  type: string;
  ref?: unknown;
  [field: string]: unknown;
}

/**
 * What the server sends. Server events other than `event` and `protocol:error` arrive as
 * `{ type: '<event name>', data }` ({@link WsServerEventMessage}).
 *
 * @example
 * if (message.type === 'event') render(message.topic, message.data.payload);
 */
export type WsServerMessage = WsSubscribedMessage | WsResultMessage | WsErrorMessage | WsEventMessage | WsPongMessage | WsServerEventMessage;

/**
 * The answer to `subscribe`: the reference's `{ type, subscriptionId, topic }` plus realm and stream position.
 *
 * @example
 * const answer: WsSubscribedMessage = { type: 'subscribed', subscriptionId: 'srv_1', realm: 'demo', topic: 't' };
 */
export type WsSubscribedMessage = { type: 'subscribed'; ref?: unknown } & SubscribeResult;

/**
 * A successful answer to any request but `subscribe`.
 *
 * @example
 * const answer: WsResultMessage = { type: 'result', ref: 'r1', data: { subscriptionId: 'srv_1' } };
 */
export interface WsResultMessage {
  type: 'result';
  ref?: unknown;
  data: unknown;
}

/**
 * A refused request (with its `ref`), a refused connection, or an error no request caused.
 *
 * @example
 * const refusal: WsErrorMessage = { type: 'error', ref: 'r1', code: 'FORBIDDEN', message: 'Not permitted' };
 */
export interface WsErrorMessage {
  type: 'error';
  ref?: unknown;
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * A delivered event (the reference's shape): `data` is the `RealtimeEvent`.
 *
 * @example
 * socket.onmessage = ({ data }) => { const m = JSON.parse(data) as WsEventMessage; show(m.data.payload); };
 */
export interface WsEventMessage {
  type: 'event';
  topic: string;
  data: RealtimeEvent;
}

/**
 * The answer to `{ "type": "ping" }`.
 *
 * @example
 * const pong: WsPongMessage = { type: 'pong', ref: 1 };
 */
export interface WsPongMessage {
  type: 'pong';
  ref?: unknown;
}

/**
 * Any other server event (`session:opened`, `channel:message`, `presence:changed`, ...): its
 * argument as `data`; `ackId` when the server waits for an `ack` message.
 */
export interface WsServerEventMessage {
  type: string;
  data: unknown;
  ackId?: number;
}

/**
 * `type` of a publish request on `/ws`, the same as `topic:publish`.
 *
 * @example
 * send({ type: WS_PUBLISH_ALIAS, topic: 'orders', eventType: 'created', payload: {} });
 */
export const WS_PUBLISH_ALIAS = 'publish';

/**
 * Close codes of a `/ws` connection besides the standard ones (1000 normal, 1001 the server is
 * going away or dropped a silent peer, 1009 a frame above the limit).
 *
 * @example
 * if (event.code === WS_CLOSE.SERVER_DISCONNECT) reconnectSoon();
 */
export const WS_CLOSE = Object.freeze({
  /** The server ended the session (draining, an expired token after `auth:expired`, a failed refresh). */
  SERVER_DISCONNECT: 4000,
});

/**
 * The close code of a refused connection: 4000 plus the HTTP status of the error code
 * (`AUTH_FAILED` 4401, `FORBIDDEN` 4403, `RATE_LIMITED` 4429, ...), 4500 for an unknown one.
 *
 * @example
 * wsCloseCodeFor('AUTH_FAILED'); // 4401
 */
export function wsCloseCodeFor(code: unknown): number {
  return 4000 + (isErrorCode(code) ? HTTP_STATUS_BY_CODE[code] : 500);
}
