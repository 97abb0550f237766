import { Encoder, PacketType, type Packet } from 'socket.io-parser';
import { describe, expect, it } from 'vitest';
import { wsCloseCodeFor } from '../../shared/index.js';
import {
  answerMessage,
  eventMessage,
  readClientFrame,
  readClientMessage,
  readServerPacket,
  socketIoAck,
  socketIoConnect,
  socketIoRequest,
} from '../../server/wire/json-ws-translator.js';
import { LastTranslationCache } from '../../server/wire/last-translation-cache.js';
import { DEFAULT_PLAIN_WEBSOCKET_OPTIONS, resolvePlainWebSocketOptions } from '../../server/wire/plain-websocket-endpoint.js';

/** Encodes a packet as the server's Socket.IO would. */
const encoded = (packet: Omit<Packet, 'nsp'>): string => new Encoder().encode({ nsp: '/', ...packet })[0] as string;

describe('client messages', () => {
  it('keeps the reference shapes: subscribe, unsubscribe and ping', () => {
    expect(readClientMessage({ type: 'subscribe', topic: 'sync.session.updated', filter: {}, returnMode: 'diff' })).toEqual({
      kind: 'request',
      event: 'subscribe',
      request: { topic: 'sync.session.updated', filter: {}, returnMode: 'diff' },
    });
    expect(readClientMessage({ type: 'unsubscribe', subscriptionId: 'sub_abc123' })).toEqual({
      kind: 'request',
      event: 'unsubscribe',
      request: { subscriptionId: 'sub_abc123' },
    });
    expect(readClientMessage({ type: 'ping' })).toEqual({ kind: 'ping' });
  });

  it('takes ref off the request and keeps it, whatever JSON it is', () => {
    for (const ref of [1, 'a', { deep: [1, 2] }, null, false]) {
      expect(readClientMessage({ type: 'sync:get', ref, service: 'notes', id: 'n1' })).toEqual({
        kind: 'request',
        event: 'sync:get',
        request: { service: 'notes', id: 'n1' },
        ref,
      });
    }
    expect(readClientMessage({ type: 'ping', ref: 7 })).toEqual({ kind: 'ping', ref: 7 });
  });

  it('reads publish as topic:publish, its eventType as the event type', () => {
    const expected = { kind: 'request', event: 'topic:publish', request: { topic: 't', type: 'tick', payload: { n: 1 } } };
    expect(readClientMessage({ type: 'publish', topic: 't', eventType: 'tick', payload: { n: 1 } })).toEqual(expected);
    expect(readClientMessage({ type: 'topic:publish', topic: 't', eventType: 'tick', payload: { n: 1 } })).toEqual(expected);
    expect(readClientMessage({ type: 'publish', topic: 't', payload: {} })).toEqual({
      kind: 'request',
      event: 'topic:publish',
      request: { topic: 't', payload: {} },
    });
  });

  it('reads an ack reply and checks its ackId', () => {
    expect(readClientMessage({ type: 'ack', ackId: 3, data: { accept: true } })).toEqual({ kind: 'ack', ackId: 3, data: { accept: true } });
    for (const ackId of [-1, 1.5, '3', undefined, 2 ** 31]) {
      expect(readClientMessage({ type: 'ack', ackId, ref: 'x' }), String(ackId)).toMatchObject({
        kind: 'invalid',
        error: { code: 'INVALID_ARGUMENT' },
        ref: 'x',
      });
    }
  });

  it('refuses non-objects, a missing or non-string type and unknown types with INVALID_ARGUMENT', () => {
    for (const value of [null, 42, 'x', [], true]) {
      expect(readClientMessage(value)).toMatchObject({ kind: 'invalid', error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(readClientMessage({ ref: 1 })).toMatchObject({ kind: 'invalid', ref: 1 });
    expect(readClientMessage({ type: 5 })).toMatchObject({ kind: 'invalid' });
    expect(readClientMessage({ type: 'subscribed', ref: 2 })).toEqual({
      kind: 'invalid',
      error: { code: 'INVALID_ARGUMENT', message: 'Unknown message type "subscribed"', details: { type: 'subscribed' } },
      ref: 2,
    });
    // Names of Object.prototype are not events.
    expect(readClientMessage({ type: 'constructor' })).toMatchObject({ kind: 'invalid' });
  });

  it('reads a frame as one message or an array of them, bounded', () => {
    expect(readClientFrame('{"type":"ping"}', 2)).toEqual([{ kind: 'ping' }]);
    expect(readClientFrame('[{"type":"ping","ref":1},{"type":"nope"}]', 2)).toMatchObject([{ kind: 'ping', ref: 1 }, { kind: 'invalid' }]);
    expect(readClientFrame('[{"type":"ping"},{"type":"ping"},{"type":"ping"}]', 2)).toEqual([
      { kind: 'invalid', error: { code: 'INVALID_ARGUMENT', message: 'At most 2 messages are accepted in one frame', details: { limit: 2, received: 3 } } },
    ]);
    expect(readClientFrame('[]', 2)).toMatchObject([{ kind: 'invalid' }]);
    expect(readClientFrame('{"type":', 2)).toMatchObject([{ kind: 'invalid', error: { code: 'INVALID_ARGUMENT' } }]);
  });

  it('keeps a __proto__ key as data for the server to refuse, never as a prototype', () => {
    const item = readClientMessage(JSON.parse('{"type":"sync:get","__proto__":{"polluted":true},"service":"s","id":"i"}'));
    expect(item.kind).toBe('request');
    const request = (item as { request: Record<string, unknown> }).request;
    expect(Object.getPrototypeOf(request)).toBe(Object.prototype);
    expect(socketIoRequest('sync:get', request, 1)).toContain('"__proto__"');
  });
});

describe('Socket.IO packets for the server', () => {
  it('encodes requests with their ack id, acks and the connect packet', () => {
    expect(socketIoRequest('sync:get', { service: 'notes', id: 'n1' }, 7)).toBe('27["sync:get",{"service":"notes","id":"n1"}]');
    expect(socketIoAck(3, { accept: true })).toBe('33[{"accept":true}]');
    expect(socketIoAck(4, undefined)).toBe('34[]');
    expect(socketIoConnect('tok')).toBe('0{"token":"tok"}');
    expect(socketIoConnect(undefined)).toBe('0{}');
  });
});

describe('server packets', () => {
  it('reads connect, disconnect and a refused connect with its close code', () => {
    expect(readServerPacket(encoded({ type: PacketType.CONNECT, data: { sid: 'x' } }))).toEqual({ kind: 'connected' });
    expect(readServerPacket(encoded({ type: PacketType.DISCONNECT }))).toEqual({ kind: 'disconnect' });
    const refusal = { message: 'Token has expired', data: { code: 'TOKEN_EXPIRED', message: 'Token has expired' } };
    expect(readServerPacket(encoded({ type: PacketType.CONNECT_ERROR, data: refusal }))).toEqual({
      kind: 'refused',
      message: '{"type":"error","code":"TOKEN_EXPIRED","message":"Token has expired"}',
      closeCode: 4401,
      reason: 'TOKEN_EXPIRED',
    });
    const limited = { message: 'too many', data: { code: 'RATE_LIMITED', message: 'too many', details: { retryAfterMs: 5 } } };
    expect(readServerPacket(encoded({ type: PacketType.CONNECT_ERROR, data: limited }))).toMatchObject({ closeCode: 4429 });
    expect(readServerPacket(encoded({ type: PacketType.CONNECT_ERROR, data: { message: 'Invalid namespace' } }))).toMatchObject({
      closeCode: 4500,
      message: '{"type":"error","code":"INTERNAL","message":"Invalid namespace"}',
    });
  });

  it('reads events as messages: event keeps the reference shape, others carry data and ackId', () => {
    const event = { id: 'e1', topic: 'orders', type: 'x', payload: {} };
    expect(JSON.parse((readServerPacket(encoded({ type: PacketType.EVENT, data: ['event', event] })) as { message: string }).message)).toEqual({
      type: 'event',
      topic: 'orders',
      data: event,
    });
    expect(readServerPacket(encoded({ type: PacketType.EVENT, data: ['channel:message', { channel: 'c' }] }))).toEqual({
      kind: 'message',
      name: 'channel:message',
      message: '{"type":"channel:message","data":{"channel":"c"}}',
    });
    expect(readServerPacket(encoded({ type: PacketType.EVENT, data: ['rpc:request', { callId: 'c1' }], id: 9 }))).toMatchObject({
      message: '{"type":"rpc:request","data":{"callId":"c1"},"ackId":9}',
    });
    expect(readServerPacket(encoded({ type: PacketType.EVENT, data: ['protocol:error', { code: 'INVALID_ARGUMENT', message: 'bad' }] }))).toMatchObject({
      message: '{"type":"error","code":"INVALID_ARGUMENT","message":"bad"}',
    });
  });

  it('reads acks with their id, and ignores what it cannot carry', () => {
    expect(readServerPacket(encoded({ type: PacketType.ACK, id: 4, data: [{ ok: true, data: 1 }] }))).toEqual({
      kind: 'answer',
      ackId: 4,
      result: { ok: true, data: 1 },
    });
    expect(readServerPacket('51-["file",{"_placeholder":true,"num":0}]')).toEqual({ kind: 'ignored' });
    expect(readServerPacket('garbage')).toEqual({ kind: 'ignored' });
  });

  it('answers: subscribed for a subscription, result for the rest, error with code and details', () => {
    const subscription = { subscriptionId: 'srv_1', realm: 'demo', topic: 't', position: { epoch: 'e', offset: '1-0' }, recovered: true };
    expect(answerMessage('subscribe', 'r', { ok: true, data: subscription })).toEqual({ type: 'subscribed', ref: 'r', ...subscription });
    expect(answerMessage('sync:get', 1, { ok: true, data: { id: 'n1' } })).toEqual({ type: 'result', ref: 1, data: { id: 'n1' } });
    expect(answerMessage('subscribe', undefined, { ok: false, error: { code: 'FORBIDDEN', message: 'no', details: { permission: 'R' } } })).toEqual({
      type: 'error',
      code: 'FORBIDDEN',
      message: 'no',
      details: { permission: 'R' },
    });
    expect(answerMessage('sync:get', 'r', { nonsense: true })).toMatchObject({ type: 'error', ref: 'r', code: 'INTERNAL' });
    expect(answerMessage('sync:get', 'r', { ok: false, error: { code: 'NOT_A_CODE' } })).toMatchObject({ code: 'INTERNAL' });
  });

  it('builds event messages without an ack id when there is none', () => {
    expect(eventMessage('session:opened', { limits: {} })).toEqual({ type: 'session:opened', data: { limits: {} } });
  });
});

describe('close codes', () => {
  it('are 4000 plus the HTTP status of the error code', () => {
    expect(wsCloseCodeFor('AUTH_FAILED')).toBe(4401);
    expect(wsCloseCodeFor('FORBIDDEN')).toBe(4403);
    expect(wsCloseCodeFor('RATE_LIMITED')).toBe(4429);
    expect(wsCloseCodeFor('UNAVAILABLE')).toBe(4503);
    expect(wsCloseCodeFor('whatever')).toBe(4500);
  });
});

describe('LastTranslationCache', () => {
  it('translates the same broadcast string once, and a new one again', () => {
    const cache = new LastTranslationCache();
    const packet = encoded({ type: PacketType.EVENT, data: ['event', { topic: 't', n: 1 }] });
    const first = cache.read(packet);
    // Another recipient of the same broadcast gets the same string (socket.io-adapter encodes once).
    expect(cache.read(packet)).toBe(first);
    expect(cache.translations).toBe(1);
    expect(first).toMatchObject({ kind: 'message', bytes: Buffer.byteLength((first as { message: string }).message) });
    cache.read(encoded({ type: PacketType.EVENT, data: ['event', { topic: 't', n: 2 }] }));
    expect(cache.translations).toBe(2);
  });

  it('does not keep acknowledgements (each answers one connection)', () => {
    const cache = new LastTranslationCache();
    const ack = encoded({ type: PacketType.ACK, id: 1, data: [{ ok: true, data: null }] });
    cache.read(ack);
    cache.read(ack);
    expect(cache.translations).toBe(2);
  });
});

describe('options', () => {
  it('applies the defaults and refuses bad bounds and paths', () => {
    expect(resolvePlainWebSocketOptions()).toEqual(DEFAULT_PLAIN_WEBSOCKET_OPTIONS);
    expect(resolvePlainWebSocketOptions({ path: false, maxPendingRequests: 5 })).toMatchObject({ path: false, maxPendingRequests: 5, maxFrameMessages: 256 });
    expect(() => resolvePlainWebSocketOptions({ maxFrameBytes: 0 })).toThrow(/maxFrameBytes/);
    expect(() => resolvePlainWebSocketOptions({ maxPendingRequests: 1.5 })).toThrow(/maxPendingRequests/);
    expect(() => resolvePlainWebSocketOptions({ path: 'ws' })).toThrow(/path/);
    expect(() => resolvePlainWebSocketOptions({ path: '/ws?x' })).toThrow(/path/);
  });
});
