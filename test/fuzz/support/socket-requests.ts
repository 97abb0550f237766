import fc from 'fast-check';
import { CLIENT_EVENT_NAMES, type ClientToServerEvents } from '../../../shared/index.js';
import * as domain from './domain-values.js';
import { exactlyOne, fuzzRecord, hostileString, hostileValue, mostly } from './hostile-values.js';

/** A client-to-server event name. */
export type ClientEventName = keyof ClientToServerEvents;

/** Names Socket.IO reserves: its client refuses to emit them, so the fuzzer cannot send them this way. */
const RESERVED_EVENTS: ReadonlySet<string> = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

/**
 * How a request is sent:
 * - `ack`: the payload and an acknowledgement, as the SDK does;
 * - `none`: no acknowledgement (errors come back as `protocol:error`);
 * - `ackOnly`: the acknowledgement as the only argument (no payload at all);
 * - `extra`: a second, unexpected argument before the acknowledgement.
 */
export type SendMode = 'ack' | 'none' | 'ackOnly' | 'extra';

/** One fuzzed socket request: which connection sends it, the event, its payload and how. */
export interface SocketCall {
  /** Index into the fuzz connections (taken modulo their number). */
  slot: number;
  event: string;
  payload: unknown;
  mode: SendMode;
  extra?: unknown;
}

/**
 * A request arbitrary for every client event. Typed as a record over `ClientToServerEvents`, so a
 * new event that has no arbitrary here fails the type check: the fuzzer covers every event.
 *
 * @example
 * const arbitraries = socketRequestArbitraries(tokens);
 * fc.sample(arbitraries.subscribe, 1);
 */
export function socketRequestArbitraries(tokens: readonly string[]): Record<ClientEventName, fc.Arbitrary<unknown>> {
  const writeOptions = { expectedRevision: domain.revision, expiresAt: domain.expiresAt, ttl: domain.ttl };
  // `expiresAt` and `ttl` together are refused; each is rare, so both at once is rarer still.
  const expiry = ['expiresAt', 'ttl'];
  const address = { realm: domain.realm, service: domain.service, id: domain.documentId };
  const requests: Record<ClientEventName, fc.Arbitrary<Record<string, unknown>>> = {
    subscribe: fuzzRecord(
      {
        subscriptionId: mostly(fc.constantFrom('sub_1', 'sub_2', 'sub_3', 'sub_4'), hostileString),
        realm: domain.realm,
        topic: domain.topic,
        filter: domain.filter,
        returnMode: mostly(fc.constantFrom('full', 'diff', 'both'), fc.constantFrom('partial', '', 'FULL')),
        since: domain.streamPosition,
      },
      ['topic'],
      ['since', 'returnMode'],
    ),
    unsubscribe: fuzzRecord({ subscriptionId: mostly(fc.constantFrom('sub_1', 'sub_2', 'srv_1'), hostileString) }, ['subscriptionId']),
    'topic:publish': fuzzRecord(
      { realm: domain.realm, topic: domain.topic, type: mostly(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/), hostileString), payload: domain.payload },
      ['topic', 'payload'],
    ),
    'auth:refresh': fuzzRecord({ token: mostly(fc.constantFrom(...tokens), hostileString) }, ['token']),
    'sync:create': fuzzRecord(
      { realm: domain.realm, service: domain.service, id: domain.documentId, data: domain.payload, expiresAt: domain.expiresAt, ttl: domain.ttl },
      // Mostly with an id from the pool, so that later reads and writes find the document.
      ['service', 'id', 'data'],
      expiry,
    ),
    'sync:get': fuzzRecord({ ...address, includeDeleted: mostly(fc.boolean()) }, ['service', 'id']),
    'sync:list': fuzzRecord(
      {
        realm: domain.realm,
        service: domain.service,
        limit: mostly(fc.integer({ min: 1, max: 1000 }), fc.oneof(fc.constantFrom(0, 1001, -1, 1.5), hostileValue)),
        after: mostly(domain.documentId),
      },
      ['service'],
    ),
    'sync:replace': fuzzRecord({ ...address, data: domain.payload, ...writeOptions }, ['service', 'id', 'data'], expiry),
    'sync:merge': fuzzRecord({ ...address, data: domain.payload, ...writeOptions }, ['service', 'id', 'data'], expiry),
    'sync:mutate': fuzzRecord({ ...address, mutations: domain.mutations, ...writeOptions }, ['service', 'id', 'mutations'], expiry),
    'sync:delete': fuzzRecord({ ...address, expectedRevision: domain.revision }, ['service', 'id']),
    'channel:join': fuzzRecord(
      { realm: domain.realm, channel: domain.channel, state: domain.presenceState, since: domain.streamPosition },
      ['channel'],
      ['since'],
    ),
    'channel:leave': fuzzRecord({ realm: domain.realm, channel: domain.channel }, ['channel']),
    'channel:publish': fuzzRecord(
      { realm: domain.realm, channel: domain.channel, event: domain.messageEvent, data: domain.payload, excludeSelf: mostly(fc.boolean()) },
      ['channel', 'event'],
    ),
    'direct:send': exactlyOne({ realm: domain.realm, event: domain.messageEvent, data: domain.payload }, ['event'], {
      connectionId: domain.connectionId,
      userId: domain.userId,
    }),
    'presence:list': exactlyOne({ realm: domain.realm }, [], { channel: domain.channel, document: domain.documentRef }),
    'presence:update': exactlyOne({ realm: domain.realm, state: domain.presenceState }, ['state'], { channel: domain.channel, document: domain.documentRef }),
    'presence:status': fuzzRecord({ realm: domain.realm, id: domain.objectId }, ['id']),
    'document:open': fuzzRecord({ realm: domain.realm, document: domain.documentRef, state: domain.presenceState }, ['document']),
    'document:close': fuzzRecord({ realm: domain.realm, document: domain.documentRef }, ['document']),
    'realm:get': fuzzRecord({ realm: domain.realm }, ['realm']),
    'realm:create': fuzzRecord({ realm: domain.realm, label: mostly(fc.string({ maxLength: 20 })), data: domain.payload }, ['realm']),
    'realm:update': fuzzRecord({ realm: domain.realm, label: mostly(fc.string({ maxLength: 20 })), data: domain.payload }, ['realm']),
    'realm:list': fuzzRecord({}),
    'realm:delete': fuzzRecord({ realm: domain.realm }, ['realm']),
    'realm:search': fuzzRecord(
      {
        realm: domain.realm,
        query: mostly(fc.constantFrom('rider', 'a', '7', 'zone'), hostileString),
        fields: mostly(fc.subarray(['id', 'label', 'data'], { minLength: 1 })),
        maxObjectResults: mostly(fc.integer({ min: 0, max: 1000 })),
        maxAreaResults: mostly(fc.integer({ min: 0, max: 1000 })),
      },
      ['query'],
    ),
    'object:create': fuzzRecord(
      { realm: domain.realm, id: domain.entityId, label: mostly(fc.string({ maxLength: 20 })), location: domain.location, data: domain.payload },
      ['id'],
    ),
    'object:update': fuzzRecord(
      { realm: domain.realm, id: domain.entityId, label: mostly(fc.string({ maxLength: 20 })), location: domain.location, data: domain.payload },
      ['id'],
    ),
    'object:set': fuzzRecord({ realm: domain.realm, id: domain.entityId, location: domain.location, data: domain.payload }, ['id']),
    'object:get': fuzzRecord({ realm: domain.realm, id: domain.entityId }, ['id']),
    'object:delete': fuzzRecord({ realm: domain.realm, id: domain.entityId }, ['id']),
    'object:list': fuzzRecord(
      {
        realm: domain.realm,
        where: domain.where,
        shape: domain.shape,
        area: domain.entityId,
        field: mostly(fc.array(fc.constantFrom('type', 'charge'))),
        limit: mostly(fc.integer({ min: 1, max: 100 })),
      },
      [],
      ['area'],
    ),
    'object:history': fuzzRecord(
      {
        realm: domain.realm,
        id: domain.entityId,
        start: mostly(fc.integer({ min: 0, max: 2 ** 42 })),
        end: mostly(fc.integer({ min: 0, max: 2 ** 42 })),
        limit: mostly(fc.integer({ min: 1, max: 100 })),
      },
      ['id', 'start', 'end'],
    ),
    'area:create': fuzzRecord(
      { realm: domain.realm, id: domain.entityId, label: mostly(fc.string({ maxLength: 20 })), shape: domain.shape, data: domain.payload },
      ['id', 'shape'],
    ),
    'area:update': fuzzRecord({ realm: domain.realm, id: domain.entityId, shape: domain.shape, data: domain.payload }, ['id']),
    'area:get': fuzzRecord({ realm: domain.realm, id: domain.entityId }, ['id']),
    'area:list': fuzzRecord({ realm: domain.realm }),
    'area:delete': fuzzRecord({ realm: domain.realm, id: domain.entityId }, ['id']),
    'objects:subscribe': fuzzRecord(
      {
        realm: domain.realm,
        where: domain.where,
        shape: domain.shape,
        area: domain.entityId,
        target: mostly(fuzzRecord({ id: domain.entityId, r: mostly(fc.integer({ min: 1, max: 10_000 })) }, ['id', 'r'])),
        executeImmediately: mostly(fc.boolean()),
      },
      [],
      ['area', 'target'],
    ),
    'areas:subscribe': fuzzRecord({ realm: domain.realm, executeImmediately: mostly(fc.boolean()) }),
    'realms:subscribe': fuzzRecord({ executeImmediately: mostly(fc.boolean()) }),
    'feed:update': fuzzRecord({ subscriptionId: domain.feedId, where: domain.where, shape: domain.shape }, ['subscriptionId']),
    'feed:cancel': fuzzRecord({ subscriptionId: domain.feedId }, ['subscriptionId']),
    'pubsub:publish': fuzzRecord({ realm: domain.realm, event: domain.pubsubEvent, id: domain.entityId, data: domain.payload }, ['event', 'id']),
    'pubsub:subscribe': fuzzRecord({ realm: domain.realm, event: domain.pubsubEvent, idPattern: mostly(domain.objectId) }, ['event', 'idPattern']),
    'pubsub:unsubscribe': fuzzRecord({ subscriptionId: domain.feedId }, ['subscriptionId']),
    'auth:login': fc.oneof(
      fuzzRecord({ token: mostly(fc.constantFrom(...tokens), hostileString) }, ['token']),
      fuzzRecord({ params: domain.payload }, ['params']),
    ),
    'sys:ping': fuzzRecord({}, []),
    batch: fuzzRecord(
      {
        entries: fc.array(
          fuzzRecord(
            {
              event: mostly(fc.constantFrom('sys:ping', 'topic:publish', 'subscribe', 'sync:get', 'batch', 'record:explode'), hostileString),
              request: hostileValue,
              ack: mostly(fc.boolean()),
            },
            ['event'],
          ),
          { maxLength: 5 },
        ),
      },
      ['entries'],
    ),
    'rpc:provide': fuzzRecord({ realm: domain.realm, name: domain.rpcName }, ['name']),
    'rpc:unprovide': fuzzRecord({ realm: domain.realm, name: domain.rpcName }, ['name']),
    'rpc:make': fuzzRecord({ realm: domain.realm, name: domain.rpcName, data: domain.payload }, ['name']),
    'rpc:respond': fuzzRecord(
      { callId: mostly(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/), hostileString), data: domain.payload, reject: mostly(fc.boolean()) },
      ['callId'],
      ['data', 'reject'],
    ),
    'listen:add': fuzzRecord({ realm: domain.realm, kind: domain.listenKind, pattern: domain.listenPattern }, ['kind', 'pattern']),
    'listen:remove': fuzzRecord({ realm: domain.realm, kind: domain.listenKind, pattern: domain.listenPattern }, ['kind', 'pattern']),
    'listen:has-provider': fuzzRecord({ realm: domain.realm, kind: domain.listenKind, name: domain.rpcName }, ['kind', 'name']),
    'users:subscribe': fuzzRecord({ realm: domain.realm, users: domain.userList }, []),
    'users:unsubscribe': fuzzRecord({ realm: domain.realm, users: domain.userList }, []),
    'users:get': fuzzRecord({ realm: domain.realm, users: domain.userList }, []),
    'record:subscribe': fuzzRecord({ realm: domain.realm, name: domain.rpcName }, ['name']),
    'record:unsubscribe': fuzzRecord({ realm: domain.realm, name: domain.rpcName }, ['name']),
  };
  return requests;
}

/** Event names the server does not know, including prototype names and its own server-to-client events. */
export const unknownEventName: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(
      'record:explode',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'SUBSCRIBE',
      'subscribe ',
      'sync:*',
      'event',
      'protocol:error',
      'auth:expired',
      'channel:message',
      '',
    ),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 10 }),
    fc.constant('x'.repeat(5000)),
  )
  .filter((name) => !RESERVED_EVENTS.has(name) && !(CLIENT_EVENT_NAMES as readonly string[]).includes(name));

/**
 * One fuzzed call: a known event with a (mostly) well-shaped payload, the same event with anything
 * as its payload, or an unknown event; sent in one of the {@link SendMode}s.
 *
 * @example
 * fc.asyncProperty(fc.array(socketCall(arbitraries, 10)), async (calls) => {...});
 */
export function socketCall(requests: Record<ClientEventName, fc.Arbitrary<unknown>>, slots: number): fc.Arbitrary<SocketCall> {
  const known = CLIENT_EVENT_NAMES.map((event) => fc.record({ event: fc.constant<string>(event), payload: requests[event] }));
  const anyPayload = fc.record({ event: fc.constantFrom<string>(...CLIENT_EVENT_NAMES), payload: hostileValue });
  const unknown = fc.record({ event: unknownEventName, payload: hostileValue });
  return fc
    .tuple(
      fc.nat({ max: slots - 1 }),
      fc.oneof({ weight: 14, arbitrary: fc.oneof(...known) }, { weight: 2, arbitrary: anyPayload }, { weight: 1, arbitrary: unknown }),
      fc.constantFrom<SendMode>('ack', 'ack', 'ack', 'ack', 'ack', 'none', 'ackOnly', 'extra'),
      hostileValue,
    )
    .map(([slot, { event, payload }, mode, extra]) => (mode === 'extra' ? { slot, event, payload, mode, extra } : { slot, event, payload, mode }));
}
