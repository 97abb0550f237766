import fc from 'fast-check';
import { REALMS } from './fuzz-principals.js';
import {
  fuzzRecord,
  hostileNumber,
  hostileString,
  hostileValue,
  hugeString,
  illFormedString,
  mostly,
  nested,
  prototypeKeyObject,
  trickyString,
} from './hostile-values.js';

/**
 * Valid-ish values of the platform's domain: realm names, topics, services and ids, channels,
 * filters, mutations, payloads. Each is mostly well-formed (drawn from small pools, so that
 * requests meet each other: a subscription sees a later publish, a write finds the document an
 * earlier one created) and sometimes hostile. Shared by the socket and REST fuzzers.
 */

/** Mostly one of a few names (so that requests meet), sometimes a generated valid one. */
function pool<T>(names: fc.Arbitrary<T>, generated: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 3, arbitrary: names }, { weight: 1, arbitrary: generated });
}

/** Stands for the id of a live fuzz connection; the socket fuzzer replaces it before sending. */
export const CONNECTION_PLACEHOLDER = '$connection';

export const realm = mostly(
  fc.constantFrom(...REALMS),
  fc.oneof(fc.constantFrom('default', '*', '__proto__', 'constructor', 'LONDON', 'tokyo', ''), hostileString),
);

export const topic = mostly(
  fc.oneof(
    // Mostly a few topics, so that subscriptions (and their filters) see the events published later.
    { weight: 6, arbitrary: fc.constantFrom('chat.room', 'chat.lobby', 'order.updated', 'sync.notes.updated') },
    { weight: 1, arbitrary: fc.constantFrom('sync.notes.created', 'webhooks.status', 'webhook.disabled', '__proto__') },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,8}(\.[a-z0-9_-]{1,8}){0,3}$/) },
  ),
  fc.oneof(fc.constantFrom('Order.Updated', 'order..updated', '.a', 'a.', 'a.*', 'x'.repeat(201)), hostileString),
);

export const service = mostly(
  pool(fc.constantFrom('notes', 'notes', 'tasks', '__proto__', 'constructor'), fc.stringMatching(/^[a-z0-9_-]{1,64}$/)),
  fc.oneof(fc.constantFrom('Notes', 'a/b', ''), hostileString),
);

export const documentId = mostly(
  pool(fc.constantFrom('a', 'b', 'shared', 'draft', '__proto__', 'constructor'), fc.stringMatching(/^[A-Za-z0-9_.-]{1,128}$/)),
  fc.oneof(fc.constantFrom('.', '..', 'a/b', ''), hostileString),
);

export const channel = mostly(
  pool(fc.constantFrom('room-1', 'room-2', 'lobby', 'chat:x@y', '__proto__', 'constructor'), fc.stringMatching(/^[A-Za-z0-9_.:@-]{1,128}$/)),
  fc.oneof(fc.constantFrom('.', '..', 'a/b', 'x'.repeat(129)), hostileString),
);

export const messageEvent = mostly(
  pool(fc.constantFrom('chat.message', 'typing', 'webhooks.status', 'webhook.disabled'), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/)),
  fc.oneof(fc.constantFrom('__proto__', ''), hostileString),
);

export const userId = mostly(
  fc.constantFrom('fz-client', 'fz-service', 'fz-admin', 'fz-per', 'fz-provider', 'nobody', '__proto__', 'constructor'),
  fc.oneof(fc.constantFrom('', 'x'.repeat(300)), illFormedString, hostileString),
);

export const connectionId = mostly(
  pool(fc.constant(CONNECTION_PLACEHOLDER), fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)),
  fc.oneof(fc.constantFrom('__proto__', ''), hostileString),
);

export const objectId = mostly(
  pool(
    fc.constantFrom('riders/7', 'vans/7', 'riders/*', '*', 'riders/**', 'a/*/b', '__proto__'),
    fc.stringMatching(/^[A-Za-z0-9_.:@~+=*-]{1,20}(\/[A-Za-z0-9_.:@~+=*-]{1,20}){0,3}$/),
  ),
  fc.oneof(fc.constantFrom('', '/', 'a//b', `${'*'.repeat(11)}!`, 'x'.repeat(600)), hostileString),
);

export const documentRef = mostly(fuzzRecord({ service, id: documentId }, ['service', 'id']));

/** Presence state: a small object, one past the 1 KiB limit, or anything. */
export const presenceState = mostly(
  fc.oneof(
    fc.dictionary(fc.constantFrom('status', 'cursor', 'name'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.constant({ blob: 'x'.repeat(2000) }),
    prototypeKeyObject,
  ),
);

export const streamPosition = mostly(
  fuzzRecord(
    {
      epoch: mostly(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('', 'x'.repeat(65))),
      offset: mostly(pool(fc.constantFrom('0-0', '0-1', '1-99999999999999999999', '99999999999999999999-1'), fc.stringMatching(/^\d{1,20}-\d{1,20}$/))),
    },
    ['epoch', 'offset'],
  ),
);

/** Id patterns, including the shapes that made backtracking matchers exponential. */
export const idPattern = fc.oneof(
  fc.constantFrom('riders/*', '*', 'a*b', '**/x', 'doc/*/draft', 'a*a*a*a*a*a*a*a*a*a*!'),
  // Runs of `*` before a character the id lacks: exponential for a backtracking matcher. At most
  // 11 (the issue's `***********!`), so that a regression costs seconds per event, not hours.
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: 1, max: 11 }), fc.constantFrom(10, 11)).map((stars) => `${'*'.repeat(stars)}!`) },
  fc.stringMatching(/^[a*!/]{1,14}$/),
  fc.string({ maxLength: 20 }),
  hugeString,
);

/** An id that a backtracking matcher chews on for seconds with 11 stars, and a linear one at once. */
export const LONG_ID = 'a'.repeat(28);

const filterPrimitive = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(LONG_ID));

/** One filter condition: the allowed shapes, and the shapes that are refused (`{ gt: 1 }`, `[12, 15]`). */
const filterCondition = fc.oneof(
  { weight: 6, arbitrary: filterPrimitive },
  { weight: 4, arbitrary: fc.record({ in: fc.array(filterPrimitive, { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ in: fc.array(filterPrimitive, { maxLength: 110 }) }) },
  { weight: 6, arbitrary: fc.record({ like: idPattern }) },
  { weight: 1, arbitrary: fc.constantFrom({ gt: 1 }, [12, 15], { in: [] }, { like: '' }, { like: 1 }, { in: 'a' }, { like: 'a', in: ['a'] }) },
  { weight: 1, arbitrary: hostileValue },
);

const filterKey = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('id', 'kind', 'room.id', 'n', 'a.b.c') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '__proto__.x', 'a..b', '.x', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

export const filter = mostly(
  fc.oneof(
    { weight: 8, arbitrary: fc.dictionary(filterKey, filterCondition, { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(filterKey, filterCondition, { minKeys: 15, maxKeys: 25 }) },
  ),
);

/** Payload fields that filters look at, with long ids for pattern matchers to chew on. */
const payloadFields = fc.record(
  {
    id: fc.oneof(fc.constantFrom('riders/7', LONG_ID, LONG_ID, `riders/${LONG_ID}`), fc.string({ maxLength: 20 })),
    kind: fc.constantFrom('x', 'y'),
    room: fc.record({ id: fc.constantFrom('r1', 'r2') }),
    n: fc.integer({ min: 0, max: 10 }),
    text: fc.string({ maxLength: 30 }),
  },
  { requiredKeys: ['id'] },
);

/** An event payload, document data or message data: mostly a small object, also big, deep or hostile. */
export const payload = fc.oneof(
  { weight: 14, arbitrary: payloadFields as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.constant({ blob: 'x'.repeat(70_000) }) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 20_000 }).map((depth) => ({ deep: nested(depth, 'object') })) },
  { weight: 1, arbitrary: prototypeKeyObject },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) },
  { weight: 1, arbitrary: hostileValue },
);

const pointer = mostly(
  fc.constantFrom(
    '/a',
    '/n',
    '/list',
    '/list/-',
    '/list/0',
    '/a/b',
    '',
    '/',
    '/__proto__',
    '/__proto__/x',
    '/constructor/prototype/x',
    '/list/999999999',
    '/~2',
    '/~0~1',
    'a',
  ),
  hostileString,
);

/** A mutation of each op with the fields it takes, or with wrong ones. */
const mutation = mostly(
  fc.oneof(
    { weight: 6, arbitrary: fuzzRecord({ op: fc.constant('set'), path: pointer, value: fc.oneof(filterPrimitive, payload) }, ['op', 'path', 'value']) },
    {
      weight: 6,
      arbitrary: fuzzRecord({ op: fc.constant('increment'), path: pointer, value: mostly(fc.integer({ min: -5, max: 5 }), hostileNumber) }, [
        'op',
        'path',
        'value',
      ]),
    },
    { weight: 4, arbitrary: fuzzRecord({ op: fc.constant('remove'), path: pointer }, ['op', 'path']) },
    { weight: 4, arbitrary: fuzzRecord({ op: fc.constant('append'), path: pointer, value: fc.oneof(filterPrimitive, payload) }, ['op', 'path', 'value']) },
    { weight: 1, arbitrary: fuzzRecord({ op: fc.constantFrom('add', 'replace', 'move', '__proto__', ''), path: pointer, value: hostileValue }, ['op']) },
  ),
);

export const mutations = mostly(
  fc.array(mutation, { minLength: 1, maxLength: 3 }),
  fc.oneof(fc.constant(Array.from({ length: 1001 }, () => ({ op: 'remove', path: '/a' }))), hostileValue),
);

/** A positive revision mostly, or a number of any kind. */
export const revision = mostly(fc.integer({ min: 1, max: 5 }), fc.oneof(hostileNumber, hostileValue));

export const ttl = mostly(fc.integer({ min: 1, max: 3600 }), fc.oneof(fc.constantFrom(0, -1, 366 * 24 * 3600 + 1, 1e300), hostileNumber));

export const expiresAt = mostly(
  fc.integer({ min: 1, max: 3600 }).map((seconds) => Date.now() + seconds * 1000),
  fc.oneof(fc.constantFrom(null, 1, 8.64e15 + 1, 1e300), hostileNumber),
);

/** Re-exported so request builders read `domain.hostileValue`. */
export { hostileString, hostileValue, trickyString };

/** An object or area id: mostly a few (so that writes, reads and feeds meet), sometimes anything. */
export const entityId = mostly(
  pool(
    fc.constantFrom('riders/7', 'riders/8', 'vans/7', 'zone-1', '__proto__', 'constructor'),
    fc.stringMatching(/^[A-Za-z0-9_.:@~+=-]{1,20}(\/[A-Za-z0-9_.:@~+=-]{1,20}){0,2}$/),
  ),
  fc.oneof(fc.constantFrom('', '/', 'a//b', 'riders/*', 'x'.repeat(600)), hostileString),
);

const degrees = (max: number) => mostly(fc.double({ min: -max, max, noNaN: true }), hostileNumber);

/** A location: mostly near London, sometimes off the globe or hostile. */
export const location = mostly(
  fuzzRecord(
    {
      latitude: degrees(90),
      longitude: degrees(180),
      speed: mostly(fc.double({ min: 0, max: 50, noNaN: true }), hostileNumber),
      time: mostly(fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant('2026-12-02T06:00:00.000Z')), hostileValue),
      coordinateSystem: mostly(fc.constantFrom('', 'WGS84'), hostileString),
    },
    ['latitude', 'longitude'],
  ),
);

/** A shape of each kind, or something that is none. */
export const shape = mostly(
  fc.oneof(
    fuzzRecord({ cx: degrees(180), cy: degrees(90), r: mostly(fc.double({ min: 1, max: 1e6, noNaN: true }), hostileNumber) }, ['cx', 'cy', 'r']),
    fuzzRecord({ x1: degrees(180), y1: degrees(90), x2: degrees(180), y2: degrees(90) }, ['x1', 'y1', 'x2', 'y2']),
    fuzzRecord({ west: degrees(180), north: degrees(90), east: degrees(180), south: degrees(90) }, ['west', 'north', 'east', 'south']),
    fuzzRecord({ points: mostly(fc.array(fc.record({ x: degrees(180), y: degrees(90) }), { minLength: 0, maxLength: 6 })) }, ['points']),
  ),
);

/** `where` conditions: mostly well-formed, sometimes not. */
export const where = mostly(
  fc.array(
    mostly(
      fc.constantFrom('type="scooter"', 'charge>0.3', '$id!="riders/7"', 'charge<=1', 'a.b="x"'),
      fc.oneof(fc.constantFrom('', '=', 'type=', '"'), hostileString),
    ),
    { maxLength: 4 },
  ),
);

/** A pub/sub event name. */
export const pubsubEvent = mostly(
  fc.constantFrom('alert', 'connectionStatusChanged', 'ping'),
  fc.oneof(fc.constantFrom('', 'a b', 'x'.repeat(65)), hostileString),
);

/** A feed or pub/sub subscription id. */
export const feedId = mostly(fc.constantFrom('feed_1', 'feed_2', 'ps_1', 'ps_2'), hostileString);

/** RPC names (and listened stream names): a few, so that provides, makes and listens meet. */
export const rpcName = mostly(
  pool(fc.constantFrom('add-two', 'math/multiply', 'chat.room', 'order.updated'), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,12}(\/[A-Za-z0-9_.:-]{1,12}){0,2}$/)),
  fc.oneof(fc.constantFrom('', '/a', 'a/', 'a//b', 'a*', 'x'.repeat(129), '__proto__/x'), hostileString),
);

/** What can be listened for. */
export const listenKind = mostly(fc.constantFrom('topic', 'record'), fc.constantFrom('event', 'Topic', '', 'rpc'));

/** Listen patterns: mostly a few that match the names above. */
export const listenPattern = mostly(
  fc.constantFrom('*', 'chat.*', 'math/*', 'add-*', 'order.updated', '***********!'),
  fc.oneof(fc.constantFrom('', '/*', '(a+)+', 'x'.repeat(201)), hostileString),
);

/** User lists of user-presence requests. */
export const userList = mostly(fc.array(userId, { maxLength: 5 }), fc.oneof(fc.constant(Array.from({ length: 101 }, (_, i) => `u${i}`)), hostileValue));
