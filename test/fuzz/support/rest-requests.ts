import fc from 'fast-check';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from '../../../shared/index.js';
import * as domain from './domain-values.js';
import { encodeJson } from './fuzz-json.js';
import { exactlyOne, fuzzRecord, hostileString, hostileValue, hugeString, mostly, nested, prototypeKeyObject, trickyString } from './hostile-values.js';

/** One fuzzed HTTP request, ready for `http.request`. */
export interface RestRequest {
  /** The route it was drawn for (`"GET /api/sync/:service/documents"`, or `"(any path)"`). */
  route: string;
  method: string;
  /** Path and query, raw: may hold bad percent-encoding on purpose. */
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Stand for ids the server handed out earlier (webhooks, deliveries); the fuzzer fills them in. */
export const WEBHOOK_PLACEHOLDER = '$webhook';
export const DELIVERY_PLACEHOLDER = '$delivery';

/** What one route's requests are made of. */
interface RouteSpec {
  /** Values of the `:name` / `*name` parameters in the path. */
  params?: Record<string, fc.Arbitrary<unknown>>;
  /** Query parameters (values stringified). */
  query?: fc.Arbitrary<Record<string, unknown>>;
  /** The JSON body. */
  body?: fc.Arbitrary<unknown>;
}

/** What the REST request arbitraries need from the running fuzz target. */
export interface RestFuzzContext {
  /** Tokens of every fuzz principal. */
  tokens: readonly string[];
  /** Tokens the server must refuse. */
  refusedTokens: readonly string[];
  /** URLs of webhook endpoints: unresolvable, private, malformed. */
  webhookUrls: readonly string[];
}

const revision = domain.revision;
/** Realm keys of `per` and `dpv` claims. */
const claimRealm = fc.constantFrom('london', 'paris', '*', 'tokyo', '__proto__', '');
const realmQuery = (extra: Record<string, fc.Arbitrary<unknown>> = {}) => fuzzRecord({ realm: domain.realm, ...extra });
const webhookId = mostly(
  fc.oneof({ weight: 4, arbitrary: fc.constant(WEBHOOK_PLACEHOLDER) }, { weight: 1, arbitrary: fc.constantFrom('wh_01J0000000000000000000000', 'wh_') }),
);
const deliveryId = mostly(
  fc.oneof({ weight: 4, arbitrary: fc.constant(DELIVERY_PLACEHOLDER) }, { weight: 1, arbitrary: fc.constantFrom('dlv_01J0000000000000000000000', 'dlv_') }),
);
const limit = mostly(fc.integer({ min: 1, max: 200 }), fc.constantFrom(0, 201, -1, 1.5, 'ten', '1e3', ''));
const cursor = mostly(fc.oneof(fc.constant(DELIVERY_PLACEHOLDER), domain.documentId));
const objectBody = fuzzRecord({ label: mostly(fc.string({ maxLength: 20 })), location: domain.location, data: domain.payload });
const deliveryStatus = mostly(fc.constantFrom('pending', 'paused', 'succeeded', 'failed'), fc.constantFrom('', 'FAILED', 'done'));
const webhookEvents = mostly(
  fc.subarray([...WEBHOOK_EVENT_TYPES]),
  fc.oneof(fc.constant(['document.created', 'nope']), fc.constant([...WEBHOOK_EVENT_TYPES, ...WEBHOOK_EVENT_TYPES, 'x']), hostileValue),
);
const topicPatterns = mostly(
  fc.array(fc.oneof(fc.constantFrom('order.*', 'sync.*.deleted', '*', 'chat.room', '*.*.*', `${'*.'.repeat(11)}x`), domain.idPattern), { maxLength: 4 }),
  fc.oneof(fc.constant(Array.from({ length: 51 }, () => 'a.b')), hostileValue),
);
const webhookSecret = mostly(
  fc.uint8Array({ minLength: 24, maxLength: 64 }).map((bytes) => `whsec_${Buffer.from(bytes).toString('base64')}`),
  fc.oneof(fc.constantFrom('whsec_', 'whsec_AAAA', 'hunter2', `whsec_${'A'.repeat(200)}`), hostileString),
);
const description = mostly(fc.string({ maxLength: 60 }), fc.oneof(fc.constant('x'.repeat(501)), fc.constant(null), hostileValue));
const gracePeriod = mostly(fc.integer({ min: 0, max: 60_000 }), fc.oneof(fc.constantFrom(-1, 7 * 24 * 3_600_000 + 1, 1.5), hostileValue));

const mappingId = mostly(fc.constantFrom('map_01J0000000000000000000000', 'map_'), trickyString);
/** Payload templates and `when` conditions: valid ones, unknown references and operators, deep nesting. */
const mappingTemplate = mostly(
  fc.constantFrom(
    { id: '$row.id' },
    { id: '$row.id', was: '$old.status', kind: 'x', n: 1 },
    { all: '$row' },
    { bad: '$rows.id' },
    { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: '$row.id' } } } } } } } } } },
  ),
  hostileValue,
);
const mappingCondition = mostly(
  fc.constantFrom(
    { changed: 'status' },
    { or: [{ changed: 'a' }, { eq: ['$row.a', 1] }] },
    { in: ['$row.a', [1, 2]] },
    { xor: [] },
    { eq: ['$row.a'] },
    { and: [] },
  ),
  hostileValue,
);
function mappingBody(required: string[]) {
  return fuzzRecord(
    {
      realm: mostly(fc.oneof(domain.realm, fc.constantFrom('$row.tenant', '$old.tenant', '$row'))),
      table: mostly(fc.constantFrom('sessions', 'public.orders', 'a'.repeat(201)), trickyString),
      topic: domain.topic,
      events: mostly(fc.subarray(['insert', 'update', 'delete'], { minLength: 1 }), fc.constantFrom([], ['upsert'], ['insert', 'insert'])),
      triggerColumns: mostly(fc.array(fc.constantFrom('status', 'ended_at', 'a.b'), { maxLength: 3 }), fc.constantFrom(['$x'], [''])),
      payload: mappingTemplate,
      when: mappingCondition,
      environment: mostly(fc.constantFrom('development', 'production')),
      description,
      active: mostly(fc.boolean()),
    },
    required,
  );
}

const keyBody = fuzzRecord({
  alg: mostly(fc.constantFrom('ES256', 'EdDSA', 'HS256'), fc.constantFrom('RS256', 'none', '')),
  kid: mostly(fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/)),
});
const keyId = mostly(fc.constantFrom('key_01J0000000000000000000000', 'fuzz-key'), trickyString);
/** JSON Schemas a registry sees: valid, invalid, strict-mode refusals, a catastrophic pattern. */
const jsonSchema = mostly(
  fc.constantFrom(
    { type: 'object' },
    { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
    { type: 'object', additionalProperties: false },
    { type: 'string', pattern: '^(a+)+$' },
    { type: 'string', pattern: '(a)\\1' },
    { type: 'nonsense' },
    { type: 'object', requried: ['a'] },
    { $ref: 'http://example.invalid/schema.json' },
    {},
  ),
  hostileValue,
);

function routeSpecs(context: RestFuzzContext): Record<string, RouteSpec> {
  const webhookUrl = mostly(fc.constantFrom(...context.webhookUrls), fc.oneof(hugeString, hostileString));
  const token = mostly(fc.constantFrom(...context.tokens, ...context.refusedTokens), hostileString);
  const claims = {
    sub: mostly(domain.userId),
    realm: domain.realm,
    realms: mostly(fc.array(fc.oneof(domain.realm, fc.constant('*')), { maxLength: 3 }), fc.constant(Array.from({ length: 101 }, () => 'london'))),
    permissions: mostly(fc.subarray(['client', 'service', 'admin', 'subscribe', 'publish', 'constructor', '__proto__'])),
    per: mostly(
      fc.dictionary(
        claimRealm,
        fc.oneof(fc.string({ maxLength: 5 }), fc.dictionary(domain.idPattern, fc.constantFrom('R', 'CRUDP', 'X', ''), { maxKeys: 3 })),
        { maxKeys: 2 },
      ),
    ),
    dpv: mostly(fc.dictionary(claimRealm, fc.array(domain.objectId, { maxLength: 3 }), { maxKeys: 2 })),
    expiresIn: mostly(
      fc.oneof(fc.integer({ min: 1, max: 86_400 }), fc.constantFrom('1h', '30m', '24h', '25h', '365d', '0s')),
      fc.constantFrom(0, -1, 1e12, '1y', ''),
    ),
  };
  const documentBody = fuzzRecord(
    { id: domain.documentId, data: domain.payload, expiresAt: domain.expiresAt, ttl: domain.ttl, realm: domain.realm },
    ['data'],
    ['expiresAt', 'ttl'],
  );
  const writeBody = fuzzRecord(
    { data: domain.payload, expectedRevision: revision, expiresAt: domain.expiresAt, ttl: domain.ttl, realm: domain.realm },
    ['data'],
    ['expiresAt', 'ttl', 'expectedRevision'],
  );
  const documentParams = { service: domain.service, id: domain.documentId };
  const webhookBody = fuzzRecord(
    { url: webhookUrl, secret: webhookSecret, events: webhookEvents, topics: topicPatterns, description, realm: domain.realm },
    ['url'],
    ['secret'],
  );
  return {
    'GET /health': {},
    'GET /ready': {},
    'GET /sdk/:file': {
      params: {
        file: mostly(
          fc.constantFrom(
            'realtime.mjs',
            'realtime.js',
            'realtime-0.1.0.mjs',
            'realtime-0.1.0.js.map',
            'realtime-9.9.9.mjs',
            'realtime-0.1.0.css',
            'realtime.mjs.map',
            'realtime.js.map',
            'sizes.json',
            'realtime.d.ts',
            'index.html',
            '..%2fpackage.json',
            '%2e%2e',
            '%ZZ',
            '%',
          ),
          trickyString,
        ),
      },
    },
    'GET /demo': {},
    'GET /admin': {},
    'POST /auth/verify': { body: fuzzRecord({ token }, ['token']) },
    'POST /auth/dev-token': { body: fuzzRecord(claims, ['sub']) },
    'POST /api/events': {
      body: fuzzRecord({ realm: domain.realm, topic: domain.topic, type: mostly(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,100}$/)), payload: domain.payload }, [
        'topic',
        'payload',
      ]),
    },
    'POST /api/sync/:service/documents': { params: { service: domain.service }, body: documentBody },
    'GET /api/sync/:service/documents': {
      params: { service: domain.service },
      query: realmQuery({ limit: mostly(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, 1001, 'x')), after: domain.documentId }),
    },
    'GET /api/sync/:service/documents/:id': {
      params: documentParams,
      query: realmQuery({ includeDeleted: mostly(fc.constantFrom('true', 'false'), fc.constantFrom('1', 'yes', '')) }),
    },
    'PUT /api/sync/:service/documents/:id': { params: documentParams, body: writeBody },
    'PATCH /api/sync/:service/documents/:id/merge': { params: documentParams, body: writeBody },
    'POST /api/sync/:service/documents/:id/mutate': {
      params: documentParams,
      body: fuzzRecord(
        { mutations: domain.mutations, expectedRevision: revision, expiresAt: domain.expiresAt, ttl: domain.ttl, realm: domain.realm },
        ['mutations'],
        ['expiresAt', 'ttl', 'expectedRevision'],
      ),
    },
    'DELETE /api/sync/:service/documents/:id': {
      params: documentParams,
      body: fuzzRecord({ expectedRevision: revision, realm: domain.realm }, [], ['expectedRevision']),
    },
    'GET /api/socket/channels': { query: realmQuery() },
    'GET /api/socket/channels/:channel/members': { params: { channel: domain.channel }, query: realmQuery() },
    'GET /api/socket/connections': { query: realmQuery() },
    'POST /api/socket/broadcast': {
      body: fuzzRecord({ realm: domain.realm, channel: domain.channel, event: domain.messageEvent, data: domain.payload }, ['channel', 'event']),
    },
    'POST /api/socket/direct': {
      body: exactlyOne({ realm: domain.realm, event: domain.messageEvent, data: domain.payload }, ['event'], {
        connectionId: domain.connectionId,
        userId: domain.userId,
      }),
    },
    'GET /api/presence/objects/*id': { params: { id: domain.objectId }, query: realmQuery() },
    'GET /api/presence/documents/:service/:id/members': { params: documentParams, query: realmQuery() },
    'POST /api/rpc/*name': { params: { name: domain.rpcName }, body: fuzzRecord({ realm: domain.realm, data: domain.payload }) },
    'GET /api/users': { query: realmQuery({ users: mostly(fc.constantFrom('fz-client,fz-service', 'nobody', ''), hostileString) }) },
    'POST /api/webhooks': { body: webhookBody },
    'GET /api/webhooks': { query: realmQuery() },
    'GET /api/webhooks/dead-letters': { query: realmQuery({ limit, after: cursor, webhookId }) },
    'POST /api/webhooks/dead-letters/:deliveryId/redeliver': { params: { deliveryId }, body: realmQuery() },
    'GET /api/webhooks/logs': {
      query: realmQuery({
        limit,
        after: cursor,
        status: deliveryStatus,
        webhookId,
        event: mostly(fc.constantFrom(...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE), fc.constantFrom('', 'nope')),
      }),
    },
    'GET /api/webhooks/:id': { params: { id: webhookId }, query: realmQuery() },
    'PATCH /api/webhooks/:id': {
      params: { id: webhookId },
      body: fuzzRecord({ url: webhookUrl, events: webhookEvents, topics: topicPatterns, description, realm: domain.realm }),
    },
    'DELETE /api/webhooks/:id': { params: { id: webhookId }, body: realmQuery() },
    'POST /api/webhooks/:id/activate': { params: { id: webhookId }, body: realmQuery() },
    'POST /api/webhooks/:id/deactivate': { params: { id: webhookId }, body: realmQuery() },
    'POST /api/webhooks/:id/rotate-secret': {
      params: { id: webhookId },
      body: fuzzRecord({ secret: webhookSecret, gracePeriodMs: gracePeriod, realm: domain.realm }),
    },
    'POST /api/webhooks/:id/test': { params: { id: webhookId }, body: realmQuery() },
    'GET /api/webhooks/:id/deliveries': { params: { id: webhookId }, query: realmQuery({ limit, after: cursor, status: deliveryStatus }) },
    'GET /api/realms': {},
    'POST /api/realms': { body: fuzzRecord({ realm: domain.realm, label: mostly(fc.string({ maxLength: 20 })), data: domain.payload }, ['realm']) },
    'GET /api/realms/:realm': { params: { realm: domain.realm } },
    'PATCH /api/realms/:realm': { params: { realm: domain.realm }, body: fuzzRecord({ label: mostly(fc.string({ maxLength: 20 })), data: domain.payload }) },
    'DELETE /api/realms/:realm': { params: { realm: domain.realm } },
    'GET /api/realms/:realm/objects': {
      params: { realm: domain.realm },
      query: fuzzRecord({ where: domain.where, shape: domain.shape.map((shape) => encodeJson(shape).text), area: domain.entityId, limit }),
    },
    'POST /api/realms/:realm/objects/query': {
      params: { realm: domain.realm },
      body: fuzzRecord({ where: domain.where, shape: domain.shape, field: mostly(fc.array(fc.constantFrom('type', 'charge'))), limit }),
    },
    'GET /api/realms/:realm/objects/:id': { params: { realm: domain.realm, id: domain.entityId } },
    'POST /api/realms/:realm/objects/:id': { params: { realm: domain.realm, id: domain.entityId }, body: objectBody },
    'PATCH /api/realms/:realm/objects/:id': { params: { realm: domain.realm, id: domain.entityId }, body: objectBody },
    'PUT /api/realms/:realm/objects/:id': { params: { realm: domain.realm, id: domain.entityId }, body: objectBody },
    'DELETE /api/realms/:realm/objects/:id': { params: { realm: domain.realm, id: domain.entityId } },
    'GET /api/realms/:realm/areas': { params: { realm: domain.realm } },
    'GET /api/realms/:realm/areas/:id': { params: { realm: domain.realm, id: domain.entityId } },
    'POST /api/realms/:realm/areas/:id': {
      params: { realm: domain.realm, id: domain.entityId },
      body: fuzzRecord({ label: mostly(fc.string({ maxLength: 20 })), shape: domain.shape, data: domain.payload }, ['shape']),
    },
    'PATCH /api/realms/:realm/areas/:id': {
      params: { realm: domain.realm, id: domain.entityId },
      body: fuzzRecord({ shape: domain.shape, data: domain.payload }),
    },
    'DELETE /api/realms/:realm/areas/:id': { params: { realm: domain.realm, id: domain.entityId } },
    'GET /api/realms/:realm/history/:id': {
      params: { realm: domain.realm, id: domain.entityId },
      query: fuzzRecord(
        {
          start: mostly(fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.constant('2026-12-02T06:00:00.000Z')), fc.constantFrom('', 'yesterday')),
          end: mostly(fc.integer({ min: 0, max: 2 ** 42 })),
          limit,
        },
        ['start', 'end'],
      ),
    },
    'GET /api/realms/:realm/search': {
      params: { realm: domain.realm },
      query: fuzzRecord(
        { query: mostly(fc.constantFrom('rider', 'a', '7')), fields: mostly(fc.constantFrom('id', 'label,data', 'nope')), maxObjectResults: limit },
        ['query'],
      ),
    },
    'GET /metrics': {},
    'GET /api/metrics/prometheus': {},
    'GET /api/openapi.json': {},
    'GET /api/docs': {},
    'POST /auth/token': { body: fuzzRecord(claims, ['sub']) },
    'GET /.well-known/jwks.json': {},
    'GET /api/keys': {},
    'POST /api/keys': { body: keyBody },
    'POST /api/keys/rotate': { body: keyBody },
    'POST /api/keys/:kid/activate': { params: { kid: keyId } },
    'POST /api/keys/:kid/deactivate': { params: { kid: keyId } },
    'POST /api/topics': { body: fuzzRecord({ realm: domain.realm, name: domain.topic, description, owner: mostly(fc.string({ maxLength: 20 })) }, ['name']) },
    'GET /api/topics': { query: realmQuery({ limit, after: domain.topic }) },
    'GET /api/topics/:name': { params: { name: domain.topic }, query: realmQuery() },
    'PATCH /api/topics/:name': {
      params: { name: domain.topic },
      body: fuzzRecord({
        realm: domain.realm,
        description,
        owner: mostly(fc.string({ maxLength: 20 })),
        activeSchemaVersion: mostly(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(null)), fc.constantFrom(0, -1, 1.5, '1')),
      }),
    },
    'DELETE /api/topics/:name': { params: { name: domain.topic }, query: realmQuery() },
    'POST /api/schemas/:topic': {
      params: { topic: domain.topic },
      body: fuzzRecord(
        { realm: domain.realm, schema: jsonSchema, compatibilityMode: mostly(fc.constantFrom('backward', 'none'), fc.constantFrom('forward', '')) },
        ['schema'],
      ),
    },
    'GET /api/schemas/:topic': { params: { topic: domain.topic }, query: realmQuery() },
    'GET /api/schemas/:topic/:version': {
      params: { topic: domain.topic, version: mostly(fc.constantFrom('1', '2', 'latest'), fc.constantFrom('0', '-1', '1.5', 'first', '%ZZ')) },
      query: realmQuery(),
    },
    'POST /api/schemas/:topic/validate': {
      params: { topic: domain.topic },
      body: fuzzRecord({ realm: domain.realm, payload: domain.payload, version: mostly(fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 'x')) }, ['payload']),
    },
    'POST /api/database/mappings': { body: mappingBody(['table', 'topic', 'events', 'payload']) },
    'GET /api/database/mappings': { query: realmQuery() },
    'GET /api/database/mappings/status': { query: realmQuery() },
    'GET /api/database/mappings/topic/:topic': { params: { topic: domain.topic }, query: realmQuery() },
    'GET /api/database/mappings/:id': { params: { id: mappingId }, query: realmQuery() },
    'PATCH /api/database/mappings/:id': { params: { id: mappingId }, body: mappingBody([]) },
    'DELETE /api/database/mappings/:id': { params: { id: mappingId }, query: realmQuery() },
    'POST /api/realms/:realm/pubsub/:event': {
      params: { realm: domain.realm, event: domain.pubsubEvent },
      body: fuzzRecord({ id: domain.entityId, data: domain.payload }, ['id']),
    },
  };
}

/** The routes {@link restRequest} draws for, as `"METHOD /path"`: compared with what the app registers. */
export function fuzzedRoutes(context: RestFuzzContext): string[] {
  return Object.keys(routeSpecs(context));
}

/** Absent most of the time (5 in 6). */
function sometimes<T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/**
 * How one path segment or query value is written: percent-encoded as a client would, raw (only
 * what an HTTP request line can carry), or with broken percent-encoding spliced in.
 */
const segmentStyle = fc.oneof(
  { weight: 8, arbitrary: fc.constant('encoded' as const) },
  { weight: 3, arbitrary: fc.constant('raw' as const) },
  { weight: 1, arbitrary: fc.constant('broken' as const) },
);

/** Text for a path segment or query value from any fuzzed value. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return encodeJson(value).text;
}

/** `encodeURIComponent`, but lone surrogates (which it refuses) become their WTF-8 bytes. */
function percentEncode(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16).toUpperCase()}%${(0x80 | ((code >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (code & 0x3f)).toString(16).toUpperCase()}`;
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** What `http.request` accepts in a request line: printable ASCII except the path/query delimiters. */
function rawSafe(text: string, keepSlash: boolean): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    const delimiter = char === '?' || char === '#' || (char === '/' && !keepSlash) || char === '&' || char === '=';
    out += code > 0x20 && code < 0x7f && !delimiter ? char : percentEncode(char);
  }
  return out;
}

function writeSegment(value: unknown, style: 'encoded' | 'raw' | 'broken', keepSlash = false): string {
  const text = textOf(value);
  if (style === 'raw') return rawSafe(text, keepSlash);
  if (style === 'broken') return `${rawSafe(text.slice(0, 3), keepSlash)}%${text.length % 2 === 0 ? 'ZZ' : 'E0%A4%A'}${rawSafe(text.slice(3), keepSlash)}`;
  return keepSlash ? text.split('/').map(percentEncode).join('/') : percentEncode(text);
}

/** A random path: unknown routes, traversal, prototype names, bad encoding, the Socket.IO path. */
export const anyPath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '/',
    '/api',
    '/api/',
    '/api/unknown',
    '/api/sync',
    '/api/sync/notes',
    '/api/sync/notes/documents/a/unknown',
    '/api/webhooks/dead-letters/x',
    '//api//events',
    '/auth',
    '/auth/unknown',
    '/sdk/',
    '/sdk/constructor',
    '/sdk/__proto__',
    '/sdk/%ZZ',
    '/sdk/..%2f..%2fpackage.json',
    '/demo/',
    '/demo/index.html',
    '/demo/%ZZ',
    '/demo/..%2f..%2fpackage.json',
    '/index.html',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/__proto__',
    '/constructor',
    '/health/x',
    '/%',
    '/%00',
    '/api/%ZZ',
    '/socket.io/',
    '/socket.io/?EIO=4&transport=polling',
    '/socket.io/?EIO=3&transport=polling',
    '/socket.io/?EIO=4&transport=websocket',
    '/socket.io/?EIO=4&transport=polling&sid=nope',
  ),
  fc
    .array(fc.tuple(fc.oneof(hostileString, trickyString), segmentStyle), { minLength: 1, maxLength: 4 })
    .map((segments) => `/${segments.map(([text, style]) => writeSegment(text, style)).join('/')}`),
);

function fillPath(template: string, params: Record<string, unknown>, styles: Record<string, 'encoded' | 'raw' | 'broken'>): string {
  return template.replace(/([:*])([A-Za-z]+)/g, (_match, kind: string, name: string) => writeSegment(params[name], styles[name] ?? 'encoded', kind === '*'));
}

function writeQuery(query: Record<string, unknown> | undefined, style: 'encoded' | 'raw' | 'broken', duplicate: boolean): string {
  if (query === undefined) return '';
  const pairs = Object.entries(query).map(([key, value]) => `${writeSegment(key, style === 'broken' ? 'encoded' : style)}=${writeSegment(value, style)}`);
  if (duplicate && pairs.length > 0) pairs.push(pairs[0] as string);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** Header values an HTTP client can send (latin-1 without control characters), from anything. */
function headerSafe(value: unknown): string {
  return textOf(value).replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** A JSON body: mostly the route's, sometimes malformed, deep, huge, oddly encoded or not JSON at all. */
function bodyFor(body: fc.Arbitrary<unknown> | undefined): fc.Arbitrary<string | Uint8Array | undefined> {
  const json = body === undefined ? fc.constant(undefined) : body.map((value) => encodeJson(value).text);
  return fc.oneof(
    { weight: 14, arbitrary: json },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '[]',
        'null',
        '"x"',
        '1',
        '{"a":1,}',
        "{'a':1}",
        '{"__proto__":{"admin":true}}',
        '{"data":{"__proto__":{"x":1}}}',
        '"\\ud800"',
        '{"data":{"k":"\\udfff"}}',
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.integer({ min: 10, max: 200 }), fc.integer({ min: 1_000, max: 100_000 }))
        .map((depth) => encodeJson({ data: nested(depth, 'array') }).text),
    },
    { weight: 1, arbitrary: fc.constantFrom(200_000, 300_000).map((size) => JSON.stringify({ data: { blob: 'x'.repeat(size) } })) },
    { weight: 1, arbitrary: fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.constant(Uint8Array.from([0xff, 0xfe, 0x7b, 0x7d]))) },
    { weight: 1, arbitrary: prototypeKeyObject.map((value) => encodeJson(value).text) },
    { weight: 1, arbitrary: hostileValue.map((value) => encodeJson(value).text) },
  );
}

/**
 * A request arbitrary for a route (or, for `"(any path)"`, a random path): its method (mostly the
 * route's), path parameters and query from the route's shapes written in several encodings, a
 * body, and headers: a token of any fuzz principal or a refused one, `X-Realm`, `If-Match`,
 * `Content-Type`, `Origin`.
 *
 * @example
 * const requests = restRequest(context);
 */
export function restRequest(context: RestFuzzContext): fc.Arbitrary<RestRequest> {
  const specs = routeSpecs(context);
  const authorization = fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...context.tokens).map((token) => `Bearer ${token}`) },
    { weight: 2, arbitrary: fc.constantFrom(...context.refusedTokens).map((token) => `Bearer ${token}`) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', `Bearer ${'x'.repeat(7000)}`, 'bearer  a.b.c', 'Bearer a b') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const headers = fc.record(
    {
      authorization,
      'x-realm': sometimes(domain.realm),
      'if-match': sometimes(mostly(fc.constantFrom('"1"', 'W/"2"', '"3"'), fc.constantFrom('*', '"abc"', '"99999999999999999999999"', '', '1, 2'))),
      'content-type': fc.oneof(
        { weight: 12, arbitrary: fc.constant('application/json') },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-8',
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'application/json; charset=bogus',
            'application/merge-patch+json',
            'text/plain',
            'application/x-www-form-urlencoded',
          ),
        },
      ),
      origin: fc.constantFrom('http://localhost:3000', 'http://127.0.0.1', 'https://evil.example', 'null'),
    },
    { requiredKeys: ['authorization', 'content-type'] },
  );
  const routed = fc.constantFrom(...Object.keys(specs)).chain((route) => {
    const spec = specs[route] as RouteSpec;
    const [method, template] = route.split(' ') as [string, string];
    const paramNames = Object.keys(spec.params ?? {});
    return fc
      .record({
        method: fc.oneof({ weight: 12, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
        params: fc.record(spec.params ?? {}),
        styles: fc.record(Object.fromEntries(paramNames.map((name) => [name, segmentStyle]))),
        query: spec.query === undefined ? fc.constant(undefined) : fc.option(spec.query, { nil: undefined, freq: 5 }),
        queryStyle: segmentStyle,
        duplicate: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        body: bodyFor(spec.body),
        headers,
      })
      .map(({ method: chosen, params, styles, query, queryStyle, duplicate, body, headers: headerValues }) =>
        request(
          route,
          chosen,
          `${fillPath(template, params, styles)}${writeQuery(query, queryStyle, duplicate)}`,
          headerValues,
          spec.body === undefined && chosen === 'GET' ? undefined : body,
        ),
      );
  });
  const unrouted = fc
    .record({ method: fc.constantFrom(...METHODS), path: anyPath, headers, body: bodyFor(fc.jsonValue({ maxDepth: 2 })) })
    .map(({ method, path, headers: headerValues, body }) =>
      request('(any path)', method, path, headerValues, method === 'GET' || method === 'HEAD' ? undefined : body),
    );
  return fc.oneof({ weight: 8, arbitrary: routed }, { weight: 1, arbitrary: unrouted });
}

function request(route: string, method: string, path: string, headerValues: Record<string, unknown>, body: string | Uint8Array | undefined): RestRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(headerValues)) if (value !== undefined) headers[name] = headerSafe(value);
  return body === undefined ? { route, method, path, headers } : { route, method, path, headers, body };
}
