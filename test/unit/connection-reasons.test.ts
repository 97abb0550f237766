import type { DisconnectReason } from 'socket.io';
import type { Socket } from 'socket.io-client';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as client from '../../client/index.js';
import type { ConnectionChange } from '../../client/index.js';
import type { ConnectionEvent } from '../../server/gateway/realtime-gateway.js';
import {
  AUTH_FAILURE_REASONS,
  AuthError,
  CLIENT_CONNECTION_REASONS,
  ClientConnectionReason,
  ErrorCode,
  LimitExceededError,
  RECOVERABLE_DISCONNECT_REASONS,
  SERVER_DISCONNECT_REASONS,
  SOCKET_DISCONNECT_REASONS,
  UnavailableError,
  errorFromShape,
  isAuthError,
  isAuthFailureReason,
  isConnectionLoss,
  isKnownConnectionReason,
  isRecoverableDisconnect,
  type AuthFailureReason,
  type ClientConnectionReason as ClientConnectionReasonType,
  type ConnectionReason,
  type KnownConnectionReason,
  type ServerDisconnectReason,
  type SocketDisconnectReason,
} from '../../shared/index.js';

describe('reason unions', () => {
  it('pins the client socket reasons to socket.io-client', () => {
    expectTypeOf<SocketDisconnectReason>().toEqualTypeOf<Socket.DisconnectReason>();
  });

  it('pins the server socket reasons to socket.io', () => {
    expectTypeOf<ServerDisconnectReason>().toEqualTypeOf<DisconnectReason>();
    expectTypeOf<ConnectionEvent['reason']>().toEqualTypeOf<DisconnectReason | undefined>();
  });

  it('pins the client’s own reasons and the auth reasons', () => {
    expectTypeOf<ClientConnectionReasonType>().toEqualTypeOf<
      'connect' | 'client disconnect' | 'client destroyed' | 'reconnect_failed' | 'connect timeout' | 'heartbeat timeout'
    >();
    expectTypeOf<AuthFailureReason>().toEqualTypeOf<'AUTH_FAILED' | 'TOKEN_EXPIRED' | 'TOO_MANY_AUTH_ATTEMPTS'>();
    expectTypeOf<AuthFailureReason>().toExtend<ErrorCode>();
    expectTypeOf<KnownConnectionReason>().toEqualTypeOf<SocketDisconnectReason | ClientConnectionReasonType | AuthFailureReason>();
  });

  it('types the connection event’s reason with the union', () => {
    expectTypeOf<ConnectionChange['reason']>().toEqualTypeOf<ConnectionReason | undefined>();
    expectTypeOf<'transport close'>().toExtend<ConnectionReason>();
  });

  it('keeps the runtime strings the README documents', () => {
    expect(ClientConnectionReason).toEqual({
      CONNECT: 'connect',
      CLIENT_DISCONNECT: 'client disconnect',
      CLIENT_DESTROYED: 'client destroyed',
      RECONNECT_FAILED: 'reconnect_failed',
      CONNECT_TIMEOUT: 'connect timeout',
      HEARTBEAT_TIMEOUT: 'heartbeat timeout',
    });
    expect([...CLIENT_CONNECTION_REASONS].sort()).toEqual([
      'client destroyed',
      'client disconnect',
      'connect',
      'connect timeout',
      'heartbeat timeout',
      'reconnect_failed',
    ]);
    expect(SOCKET_DISCONNECT_REASONS).toContain('io server disconnect');
    expect(SERVER_DISCONNECT_REASONS).toContain('server namespace disconnect');
    expect(new Set(SOCKET_DISCONNECT_REASONS).size).toBe(SOCKET_DISCONNECT_REASONS.length);
    expect(new Set(SERVER_DISCONNECT_REASONS).size).toBe(SERVER_DISCONNECT_REASONS.length);
  });
});

describe('isRecoverableDisconnect', () => {
  it('recovers every Socket.IO reason but the user’s own disconnect()', () => {
    for (const reason of SOCKET_DISCONNECT_REASONS) {
      expect(isRecoverableDisconnect(reason), reason).toBe(reason !== 'io client disconnect');
    }
    expect([...RECOVERABLE_DISCONNECT_REASONS].sort()).toEqual(['io server disconnect', 'parse error', 'ping timeout', 'transport close', 'transport error']);
  });

  it('recovers a reason Socket.IO does not define, as before', () => {
    expect(isRecoverableDisconnect('some future reason')).toBe(true);
  });

  it('is the one the client package exports', () => {
    expect(client.isRecoverableDisconnect).toBe(isRecoverableDisconnect);
  });
});

describe('isKnownConnectionReason and isAuthFailureReason', () => {
  it('knows every listed reason and nothing else', () => {
    for (const reason of [...SOCKET_DISCONNECT_REASONS, ...CLIENT_CONNECTION_REASONS, ...AUTH_FAILURE_REASONS]) {
      expect(isKnownConnectionReason(reason), reason).toBe(true);
    }
    expect(isKnownConnectionReason('Connection failed: websocket error')).toBe(false);
    expect(isKnownConnectionReason('server namespace disconnect')).toBe(false); // a server-side reason
  });

  it('tells auth failures apart', () => {
    expect(isAuthFailureReason('TOKEN_EXPIRED')).toBe(true);
    expect(isAuthFailureReason('AUTH_FAILED')).toBe(true);
    expect(isAuthFailureReason('RATE_LIMITED')).toBe(false);
    expect(isAuthFailureReason('client disconnect')).toBe(false);
    expect(isAuthFailureReason(undefined)).toBe(false);
  });

  it('narrows', () => {
    const reason: ConnectionReason = 'TOKEN_EXPIRED' as ConnectionReason;
    if (isAuthFailureReason(reason)) expectTypeOf(reason).toEqualTypeOf<AuthFailureReason>();
  });
});

describe('error predicates over the same sets', () => {
  it('isAuthError reads AUTH_FAILURE_REASONS', () => {
    for (const code of Object.values(ErrorCode)) {
      const error = errorFromShape({ code, message: '' });
      expect(isAuthError(error), code).toBe((AUTH_FAILURE_REASONS as readonly string[]).includes(code));
    }
    expect(isAuthError(new AuthError(ErrorCode.TOKEN_EXPIRED, 'expired'))).toBe(true);
    expect(isAuthError(new Error('TOKEN_EXPIRED'))).toBe(false);
  });

  it('isConnectionLoss is UNAVAILABLE, TIMEOUT and CLIENT_OFFLINE only (not RATE_LIMITED)', () => {
    for (const code of Object.values(ErrorCode)) {
      const error = errorFromShape({ code, message: '' });
      expect(isConnectionLoss(error), code).toBe(code === 'UNAVAILABLE' || code === 'TIMEOUT' || code === 'CLIENT_OFFLINE');
    }
    expect(isConnectionLoss(new UnavailableError('lost', { code: ErrorCode.TIMEOUT }))).toBe(true);
    expect(isConnectionLoss(new LimitExceededError('slow down', { code: ErrorCode.RATE_LIMITED }))).toBe(false);
    expect(isConnectionLoss(new Error('UNAVAILABLE'))).toBe(false);
  });
});
