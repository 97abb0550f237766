import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import HivekitClient, { DEFAULT_HIVEKIT_OPTIONS, HIVEKIT_CLIENT_VERSION, HIVEKIT_CONSTANTS } from '../../../client/hivekit/index.js';
import { toObjectCriteria } from '../../../client/hivekit/hivekit-criteria.js';
import { HivekitEmitter } from '../../../client/hivekit/hivekit-emitter.js';
import { toHivekitError } from '../../../client/hivekit/hivekit-errors.js';
import { parseHivekitLocation, parseHivekitShape } from '../../../client/hivekit/hivekit-geo.js';
import { resolveHivekitOptions } from '../../../client/hivekit/hivekit-options.js';
import { hivekitEndpoint } from '../../../client/hivekit/hivekit-url.js';
import { AlreadyExistsError, AuthError, ErrorCode, ForbiddenError, InvalidArgumentError, NotFoundError } from '../../../shared/index.js';

describe('the Hivekit dialect, piece by piece', () => {
  it('listeners run by order, then as added, with their context; one returning false stops the chain', () => {
    const emitter = new HivekitEmitter();
    const calls: string[] = [];
    const view = { name: 'view' };
    emitter.on('x', () => void calls.push('b0'));
    emitter.on('x', () => void calls.push('a-5'), undefined, -5);
    emitter.on(
      'x',
      function (this: { name: string }) {
        calls.push(this.name);
      },
      view,
      1,
    ); // prettier-ignore
    const stopper = emitter.on(
      'x',
      () => {
        calls.push('stop');
        return false;
      },
      undefined,
      2,
    ); // prettier-ignore
    emitter.on('x', () => void calls.push('never'), undefined, 3);
    emitter.emit('x');
    expect(calls).toEqual(['a-5', 'b0', 'view', 'stop']);
    emitter.removeListenerById('x', stopper);
    calls.length = 0;
    emitter.emit('x');
    expect(calls).toEqual(['a-5', 'b0', 'view', 'never']);
    expect(() => emitter.removeListenerById('x', 999)).toThrow(/no listener with id 999/);
  });

  it('off removes by callback, and by callback and context when a context is given', () => {
    const emitter = new HivekitEmitter();
    const seen: unknown[] = [];
    const callback = function (this: unknown) {
      seen.push(this);
    }; // prettier-ignore
    const a = { a: 1 };
    const b = { b: 2 };
    emitter.on('x', callback, a);
    emitter.on('x', callback, b);
    emitter.off('x', callback, a);
    emitter.emit('x');
    expect(seen).toEqual([b]);
    emitter.off('x', callback);
    expect(emitter.hasListeners('x')).toBe(false);
  });

  it('a throwing listener does not stop the others', () => {
    const errors: unknown[] = [];
    const emitter = new HivekitEmitter((err) => errors.push(err));
    const seen: number[] = [];
    emitter.on('x', () => {
      throw new Error('boom');
    }); // prettier-ignore
    emitter.on('x', (n: number) => void seen.push(n));
    emitter.emit('x', 7);
    expect(seen).toEqual([7]);
    expect(errors).toHaveLength(1);
  });

  it('constants carry Hivekit 1.11.1 values', () => {
    const client = new HivekitClient();
    expect(client.constants).toBe(HIVEKIT_CONSTANTS);
    expect(client.constants.CONNECTION_STATUS).toEqual({
      DISCONNECTED: 'disconnected',
      CONNECTING: 'connecting',
      CONNECTED: 'connected',
      AUTHENTICATED: 'authenticated',
      DISCONNECTING: 'disconnecting',
    });
    expect(Object.values(client.constants.ERROR)).toEqual([
      'connection_error',
      'max_reconnect_attempts_exceeded',
      'message_parse_error',
      'unknown_request',
      'unknown_type',
      'server_error',
      'unknown_field',
      'unknown_action',
      'unknown_subscription',
      'disconnected_retrying',
    ]);
    expect(client.constants.TYPE.OBJECT).toBe('obj');
    expect(client.constants.UPDATE_TYPE).toEqual({ FULL: 'ful', DELTA: 'dta' });
    expect(client.constants.SHAPE_TYPE).toEqual({ RECTANGLE: 'rec', CIRCLE: 'cir', POLYGON: 'pol' });
    expect(client.constants.LOCATION.LATITUDE).toBe('lat');
    expect(client.constants.TASK_STATUS.NOT_STARTED).toBe('$hkt_not_started');
    expect(client.constants.SUBSCRIPTION.REALM).toBe('all-realms');
    expect(Object.isFrozen(client.constants.FIELD)).toBe(true);
  });

  it('options: defaults as documented, known keys of the right type kept, the rest dropped', () => {
    expect(new HivekitClient().options).toEqual(DEFAULT_HIVEKIT_OPTIONS);
    expect(DEFAULT_HIVEKIT_OPTIONS).toEqual({
      outgoingMessageBufferTime: 0,
      logMessages: false,
      logErrors: true,
      heartbeatInterval: 5000,
      reconnectInterval: 1000,
      maxReconnectAttempts: Infinity,
    });
    const options = resolveHivekitOptions({ logErrors: false, reconnectInterval: 50, colour: 'red', heartbeatInterval: 'fast', maxReconnectAttempts: 3 });
    expect(options).toEqual({ ...DEFAULT_HIVEKIT_OPTIONS, logErrors: false, reconnectInterval: 50, maxReconnectAttempts: 3 });
    expect('colour' in options).toBe(false);
  });

  it('properties before connecting: status, mode, version, getId', () => {
    const client = new HivekitClient();
    expect(client.connectionStatus).toBe('disconnected');
    expect(client.mode).toBe('ws');
    expect(client.serverVersion).toBeUndefined();
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(client.version).toBe(HIVEKIT_CLIENT_VERSION);
    expect(HIVEKIT_CLIENT_VERSION).toBe(pkg.version);
    const id = client.getId('rider');
    expect(id).toMatch(/^rider-[A-Za-z0-9_-]{21}$/);
    expect(client.getId('rider')).not.toBe(id);
  });

  it('is the package subpath realtime-platform/hivekit, built from client/hivekit/index.ts, and in the browser entry', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, { import: string; types: string }>;
    };
    expect(pkg.exports['./hivekit']).toEqual({ types: './dist/client/hivekit/index.d.ts', import: './dist/client/hivekit/index.js' });
    const entry = await import('../../../client/browser/entry.js');
    expect(entry.HivekitClient).toBe(HivekitClient);
    expect(entry.HIVEKIT_CONSTANTS).toBe(HIVEKIT_CONSTANTS);
  });

  it('maps Hivekit server URLs to the platform endpoint', () => {
    expect(hivekitEndpoint('ws://localhost:3000/ws')).toEqual({ baseUrl: 'http://localhost:3000', socketPath: '/socket.io' });
    expect(hivekitEndpoint('wss://example.com/api/v1/ws')).toEqual({ baseUrl: 'https://example.com', socketPath: '/socket.io' });
    expect(hivekitEndpoint('https://example.com')).toEqual({ baseUrl: 'https://example.com', socketPath: '/socket.io' });
    expect(hivekitEndpoint('http://host:8090/realtime/ws')).toEqual({ baseUrl: 'http://host:8090/realtime', socketPath: '/realtime/socket.io' });
    expect(() => hivekitEndpoint('ftp://x')).toThrow();
    expect(() => hivekitEndpoint('not a url')).toThrow();
  });

  it('parses locations and shapes the way Hivekit does: string numbers to floats, time to ISO 8601', () => {
    expect(parseHivekitLocation({ latitude: '52.51', longitude: 13.37, speed: '3.5', time: new Date(0), colour: 'x' })).toEqual({
      latitude: 52.51,
      longitude: 13.37,
      speed: 3.5,
      time: '1970-01-01T00:00:00.000Z',
    });
    expect(parseHivekitShape({ cx: '13.4', cy: 52.5, r: '500' })).toEqual({ cx: 13.4, cy: 52.5, r: 500 });
    expect(parseHivekitShape({ points: [{ x: '1', y: 2 }] })).toEqual({ points: [{ x: 1, y: 2 }] });
  });

  it('subscribe options: attribute is where, a string becomes a list, unknown keys are unknown_field', () => {
    expect(toObjectCriteria({ attribute: 'type="bike"', target: { id: 'riders/1', r: '200' } })).toEqual({
      where: ['type="bike"'],
      target: { id: 'riders/1', r: 200 },
    });
    expect(() => toObjectCriteria({ colour: 'red' })).toThrow(expect.objectContaining({ message: 'unknown field "colour"', code: 400 }));
    expect(() => toObjectCriteria({ executeImmediately: true }, false)).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('errors are { message, code } with HTTP-like codes, the typed error kept out of sight', () => {
    expect(toHivekitError(new NotFoundError('unknown realm x'))).toEqual({ message: 'unknown realm x', code: 404 });
    expect(toHivekitError(new AlreadyExistsError('area with id a already exists')).code).toBe(409);
    expect(toHivekitError(new InvalidArgumentError('bad')).code).toBe(400);
    expect(toHivekitError(new AuthError(ErrorCode.AUTH_FAILED, 'signature is invalid')).code).toBe(401);
    expect(toHivekitError(new ForbiddenError('no')).code).toBe(403);
    expect(toHivekitError(new ForbiddenError('no')).error).toBeInstanceOf(ForbiddenError);
  });
});
