import { Decoder, Encoder, PacketType, type Packet } from 'socket.io-parser';
import {
  CLIENT_EVENT_NAMES,
  ErrorCode,
  isErrorCode,
  wsCloseCodeFor,
  WS_PUBLISH_ALIAS,
  type ClientToServerEvents,
  type ErrorShape,
  type RealtimeEvent,
  type SubscribeResult,
  type WsErrorMessage,
  type WsServerMessage,
} from '../../shared/index.js';

/**
 * Pure translation between the `/ws` JSON messages (shared/ws-protocol.ts) and Socket.IO packets
 * (protocol v5, encoded by socket.io-parser), both ways. No state: the transport
 * (json-websocket.ts) keeps the acknowledgement ids and the connection's phase.
 *
 * Why a translator rather than a second gateway: a `/ws` connection is a Socket.IO socket on the
 * server, so every request takes the same path (schemas, rate limits, the permission gate) and
 * every broadcast reaches it through the same rooms and adapter. Only the bytes on the wire differ.
 */

/**
 * A client-to-server event name.
 *
 * @example
 * const event: ClientEventName = 'sync:get';
 */
export type ClientEventName = keyof ClientToServerEvents;

const CLIENT_EVENTS: ReadonlySet<string> = new Set(CLIENT_EVENT_NAMES);
const ENCODER = new Encoder();
/** Socket.IO acknowledgement ids are at most this (they are 32-bit counters in every client). */
const MAX_ACK_ID = 2 ** 31 - 1;

/**
 * One message of a client frame, read.
 *
 * @example
 * const item: ClientFrameItem = { kind: 'request', event: 'subscribe', request: { topic: 't' }, ref: 1 };
 */
export type ClientFrameItem =
  | { kind: 'ping'; ref?: unknown }
  | { kind: 'ack'; ackId: number; data: unknown }
  | { kind: 'request'; event: ClientEventName; request: Record<string, unknown>; ref?: unknown }
  | { kind: 'invalid'; error: ErrorShape; ref?: unknown };

/**
 * Reads a client text frame: one message, or a JSON array of at most `maxMessages` of them (a
 * longer one is refused whole). What is not JSON, not an object, or of an unknown `type` becomes
 * an `invalid` item answered with `INVALID_ARGUMENT`; the connection stays open.
 *
 * @example
 * readClientFrame('{"type":"ping","ref":1}', 100); // [{ kind: 'ping', ref: 1 }]
 */
export function readClientFrame(text: string, maxMessages: number): ClientFrameItem[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [invalid('A frame must be JSON: one message object, or an array of them')];
  }
  if (!Array.isArray(value)) return [readClientMessage(value)];
  if (value.length === 0) return [invalid('An array frame must hold at least one message')];
  if (value.length > maxMessages) {
    return [invalid(`At most ${maxMessages} messages are accepted in one frame`, { limit: maxMessages, received: value.length })];
  }
  return value.map(readClientMessage);
}

/**
 * Reads one client message (an element of a frame).
 *
 * @example
 * readClientMessage({ type: 'publish', topic: 't', eventType: 'tick', payload: {} });
 * // { kind: 'request', event: 'topic:publish', request: { topic: 't', type: 'tick', payload: {} } }
 */
export function readClientMessage(value: unknown): ClientFrameItem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('A message must be a JSON object with a string "type"');
  }
  const { type, ref, ...fields } = value as Record<string, unknown>;
  if (typeof type !== 'string') return invalid('A message must be a JSON object with a string "type"', undefined, ref);
  if (type === 'ping') return ref === undefined ? { kind: 'ping' } : { kind: 'ping', ref };
  if (type === 'ack') {
    const { ackId, data } = fields;
    if (typeof ackId !== 'number' || !Number.isInteger(ackId) || ackId < 0 || ackId > MAX_ACK_ID) {
      return invalid('ackId must be the whole number the server event carried', undefined, ref);
    }
    return { kind: 'ack', ackId, data };
  }
  if (type === WS_PUBLISH_ALIAS || type === 'topic:publish') {
    // The message's own `type` names the operation, so the event's type travels as `eventType`.
    const { eventType, ...rest } = fields;
    const request = eventType === undefined ? rest : { ...rest, type: eventType };
    return withRef({ kind: 'request', event: 'topic:publish', request }, ref);
  }
  if (!CLIENT_EVENTS.has(type)) {
    return invalid(`Unknown message type "${type.slice(0, 100)}"`, { type: type.slice(0, 100) }, ref);
  }
  return withRef({ kind: 'request', event: type as ClientEventName, request: fields }, ref);
}

/**
 * The Socket.IO EVENT packet of a request, with the acknowledgement id its answer will carry.
 *
 * @example
 * socketIoRequest('sync:get', { service: 'notes', id: 'n1' }, 7); // '27["sync:get",{"service":"notes","id":"n1"}]'
 */
export function socketIoRequest(event: ClientEventName, request: Record<string, unknown>, ackId: number): string {
  return encode({ type: PacketType.EVENT, nsp: '/', data: [event, request], id: ackId });
}

/**
 * The Socket.IO ACK packet answering a server event that asked for one.
 *
 * @example
 * socketIoAck(3, { accept: true }); // '33[{"accept":true}]'
 */
export function socketIoAck(ackId: number, data: unknown): string {
  return encode({ type: PacketType.ACK, nsp: '/', data: data === undefined ? [] : [data], id: ackId });
}

/**
 * The Socket.IO CONNECT packet a `/ws` connection opens with: the token from the query goes in
 * the handshake `auth`, as a Socket.IO client sends it (a header token is read from the request).
 *
 * @example
 * socketIoConnect('eyJ...'); // '0{"token":"eyJ..."}'
 */
export function socketIoConnect(token: string | undefined): string {
  return encode({ type: PacketType.CONNECT, nsp: '/', data: token === undefined ? {} : { token } });
}

/**
 * A server-to-client Socket.IO packet, read.
 *
 * @example
 * const packet: ServerPacket = { kind: 'answer', ackId: 3, result: { ok: true, data: {} } };
 */
export type ServerPacket =
  /** Socket.IO's connect succeeded: requests may flow. */
  | { kind: 'connected' }
  /** The handshake was refused: send `message`, then close with `closeCode` and `reason` (the error code). */
  | { kind: 'refused'; message: string; closeCode: number; reason: string }
  /** The server ended the session. */
  | { kind: 'disconnect' }
  /** A server event (`name`), as the JSON text of its message. */
  | { kind: 'message'; name: string; message: string }
  /** The answer to the request sent with `ackId`. */
  | { kind: 'answer'; ackId: number; result: unknown }
  /** Nothing for the client (a packet this protocol does not carry, such as a binary one). */
  | { kind: 'ignored' };

/**
 * Reads a Socket.IO packet as the server encoded it (the same string for every recipient of a
 * broadcast, which is why the result holds the message already serialised).
 *
 * @example
 * readServerPacket('2["event",{"topic":"t"}]'); // { kind: 'message', name: 'event', message: '{"type":"event","topic":"t","data":{"topic":"t"}}' }
 */
export function readServerPacket(encoded: string): ServerPacket {
  const packet = decode(encoded);
  if (packet === undefined) return { kind: 'ignored' };
  switch (packet.type) {
    case PacketType.CONNECT:
      return { kind: 'connected' };
    case PacketType.CONNECT_ERROR: {
      const error = refusalShape(packet.data);
      return { kind: 'refused', message: JSON.stringify(errorMessage(error)), closeCode: wsCloseCodeFor(error.code), reason: error.code };
    }
    case PacketType.DISCONNECT:
      return { kind: 'disconnect' };
    case PacketType.EVENT: {
      const [name, data] = packet.data as [unknown, unknown];
      if (typeof name !== 'string') return { kind: 'ignored' };
      return { kind: 'message', name, message: JSON.stringify(eventMessage(name, data, packet.id)) };
    }
    case PacketType.ACK: {
      if (packet.id === undefined) return { kind: 'ignored' };
      const [result] = packet.data as unknown[];
      return { kind: 'answer', ackId: packet.id, result };
    }
    default:
      return { kind: 'ignored' };
  }
}

/**
 * The message for a server event: `event` keeps the reference's `{ type, topic, data }`,
 * `protocol:error` is an `error` message, every other event is `{ type: name, data, ackId? }`.
 *
 * @example
 * eventMessage('channel:message', { channel: 'room' }); // { type: 'channel:message', data: { channel: 'room' } }
 */
export function eventMessage(name: string, data: unknown, ackId?: number): WsServerMessage {
  if (name === 'event') {
    // The gateway only emits RealtimeEvents as `event`.
    const event = data as RealtimeEvent;
    return { type: 'event', topic: event.topic, data: event };
  }
  if (name === 'protocol:error') return errorMessage(errorShapeOf(data));
  return ackId === undefined ? { type: name, data } : { type: name, data, ackId };
}

/**
 * The message answering a request: `subscribed` (the reference's) for a subscription, `result`
 * for any other success, `error` with the typed error; `ref` as the request carried it.
 *
 * @example
 * answerMessage('sync:get', 'r1', { ok: true, data: doc }); // { type: 'result', ref: 'r1', data: doc }
 */
export function answerMessage(event: ClientEventName, ref: unknown, result: unknown): WsServerMessage {
  const answer = result as { ok?: unknown; data?: unknown; error?: unknown } | null;
  if (typeof answer !== 'object' || answer === null || typeof answer.ok !== 'boolean') {
    return errorMessage({ code: ErrorCode.INTERNAL, message: 'The server sent a malformed answer' }, ref);
  }
  if (!answer.ok) return errorMessage(errorShapeOf(answer.error), ref);
  if (event === 'subscribe' && typeof answer.data === 'object' && answer.data !== null) {
    return { type: 'subscribed', ref, ...(answer.data as SubscribeResult) };
  }
  return { type: 'result', ref, data: answer.data };
}

/**
 * An `error` message: `{ type: 'error', ref?, code, message, details? }`.
 *
 * @example
 * errorMessage({ code: 'INVALID_ARGUMENT', message: 'Unknown message type "x"' });
 */
export function errorMessage(error: ErrorShape, ref?: unknown): WsErrorMessage {
  const message: WsErrorMessage = { type: 'error', ref, code: error.code, message: error.message };
  if (error.details !== undefined) message.details = error.details;
  return message;
}

function invalid(message: string, details?: unknown, ref?: unknown): ClientFrameItem {
  const error: ErrorShape = details === undefined ? { code: ErrorCode.INVALID_ARGUMENT, message } : { code: ErrorCode.INVALID_ARGUMENT, message, details };
  return ref === undefined ? { kind: 'invalid', error } : { kind: 'invalid', error, ref };
}

function withRef<T extends ClientFrameItem>(item: T, ref: unknown): T {
  return ref === undefined ? item : { ...item, ref };
}

/** An error the server sent, kept to the shape; what is not one becomes `INTERNAL` (the boundary rule). */
function errorShapeOf(value: unknown): ErrorShape {
  const error = value as Partial<ErrorShape> | null;
  if (typeof error !== 'object' || error === null || !isErrorCode(error.code)) {
    return { code: ErrorCode.INTERNAL, message: 'The server sent an error without a known code' };
  }
  const shape: ErrorShape = { code: error.code, message: typeof error.message === 'string' ? error.message : error.code };
  if (error.details !== undefined) shape.details = error.details;
  return shape;
}

/** A CONNECT_ERROR's data: `{ message, data: ErrorShape }` from the gateway's middlewares. */
function refusalShape(value: unknown): ErrorShape {
  const refusal = value as { message?: unknown; data?: unknown } | null;
  if (typeof refusal === 'object' && refusal !== null && typeof refusal.data === 'object' && refusal.data !== null) {
    return errorShapeOf(refusal.data);
  }
  const message = typeof refusal === 'object' && refusal !== null && typeof refusal.message === 'string' ? refusal.message : 'Connection refused';
  return { code: ErrorCode.INTERNAL, message };
}

function encode(packet: Packet): string {
  const [encoded] = ENCODER.encode(packet) as unknown[];
  return encoded as string;
}

/** One text packet; binary packets (which wait for attachments) and malformed ones read as nothing. */
function decode(encoded: string): Packet | undefined {
  const decoder = new Decoder();
  let packet: Packet | undefined;
  decoder.on('decoded', (decoded: Packet) => {
    packet = decoded;
  });
  try {
    decoder.add(encoded);
  } catch {
    return undefined;
  } finally {
    decoder.destroy();
  }
  return packet;
}
