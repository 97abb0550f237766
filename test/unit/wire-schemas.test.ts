import type * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CLIENT_EVENT_NAMES,
  InvalidArgumentError,
  REQUEST_SCHEMAS,
  type mutationSchema,
  parseInput,
  type ClientToServerEvents,
  type Mutation,
  type RequestOf,
} from '../../shared/index.js';
import type { SocketOperations } from '../../server/kernel/socket-requests.js';
import { buildFeatures } from '../../server/composition-root.js';

/** `true` when two types are identical (not merely assignable one way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The wire events whose schema output is not exactly the event map's request type. */
type Mismatched = {
  [E in keyof ClientToServerEvents]: Equal<v.InferOutput<(typeof REQUEST_SCHEMAS)[E]>, RequestOf<E>> extends true ? never : E;
}[keyof ClientToServerEvents];

describe('wire schemas (shared/schemas/)', () => {
  it('give every client-to-server event a schema whose output is exactly its request type', () => {
    expectTypeOf<Exclude<keyof ClientToServerEvents, keyof typeof REQUEST_SCHEMAS>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof typeof REQUEST_SCHEMAS, keyof ClientToServerEvents>>().toEqualTypeOf<never>();
    expectTypeOf<Mismatched>().toEqualTypeOf<never>();
    expectTypeOf<v.InferOutput<typeof mutationSchema>>().toEqualTypeOf<Mutation>();
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
  });

  it('are what the server serves: every feature operation of a wire event uses that event’s schema', () => {
    const noServices = new Proxy({}, { get: () => new Proxy(() => undefined, { get: () => undefined }) });
    const features = buildFeatures({ services: noServices as never, limits: {} as never, logger: {} as never });
    const served = new Map<string, unknown>();
    for (const feature of features) {
      for (const [event, operation] of Object.entries(feature.operations ?? ({} satisfies SocketOperations))) {
        expect(served.has(event), `${event} is served by two features`).toBe(false);
        served.set(event, operation.input);
      }
    }
    const sessionEvents = ['auth:refresh', 'auth:login', 'sys:ping', 'batch']; // about the connection itself, served by the gateway
    expect([...served.keys(), ...sessionEvents].sort()).toEqual([...CLIENT_EVENT_NAMES].sort());
    for (const [event, input] of served) expect(input, event).toBe(REQUEST_SCHEMAS[event as keyof typeof REQUEST_SCHEMAS]);
  });

  it('refuse bad requests with INVALID_ARGUMENT listing every issue by path', () => {
    const attempt = () => parseInput(REQUEST_SCHEMAS['sync:mutate'], { service: 'Notes', id: 'n1', mutations: [], extra: 1 }, 'sync:mutate request');
    expect(attempt).toThrow(InvalidArgumentError);
    try {
      attempt();
    } catch (err) {
      expect((err as InvalidArgumentError).details).toEqual({
        issues: [
          { path: 'service', message: 'service must be 1-64 lowercase letters, digits, _ or -' },
          { path: 'mutations', message: 'mutations must not be empty' },
          { path: 'extra', message: 'unknown field "extra"' },
        ],
      });
    }
  });

  it('refuse arrays and other non-objects where a JSON object is expected', () => {
    expect(() => parseInput(REQUEST_SCHEMAS['topic:publish'], [], 'topic:publish request')).toThrow(/must be a JSON object/);
    expect(() => parseInput(REQUEST_SCHEMAS['topic:publish'], { topic: 'a.b', payload: [1] }, 'x')).toThrow(/payload must be a JSON object/);
    expect(() => parseInput(REQUEST_SCHEMAS['channel:join'], {}, 'x')).toThrow(/channel is required/);
  });

  it('take auth:login as { token } or { params }, each strict, params a bounded JSON object', () => {
    const login = (input: unknown) => parseInput(REQUEST_SCHEMAS['auth:login'], input, 'auth:login request');
    expect(login({ token: 'a.b.c' })).toEqual({ token: 'a.b.c' });
    const params = { type: 'email', email: 'user@example.com', password: 'sesame' };
    expect(login({ params })).toEqual({ params });
    expect(() => login({})).toThrow('token is required');
    expect(() => login({ params: 'sesame' })).toThrow('params must be a JSON object');
    expect(() => login({ params: [] })).toThrow('params must be a JSON object');
    expect(() => login({ params, token: 'a.b.c' })).toThrow('unknown field "token"');
    expect(() => login({ params: { blob: 'x'.repeat(16384) } })).toThrow('params must be at most 16384 characters of JSON');
  });
});
