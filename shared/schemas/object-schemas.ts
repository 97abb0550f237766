import * as v from 'valibot';
import { OBJECT_ID_PATTERN } from '../data-provider.js';
import { MAX_RADIUS_METRES } from '../geo.js';
import { ENTITY_ID_PATTERN, PUBSUB_EVENT_PATTERN } from '../object-protocol.js';
import { realmField, realmSchema } from './common-schemas.js';
import { locationSchema, shapeSchema } from './geo-schemas.js';
import { flag, jsonObject, patternText, request, text, wholeNumber } from './schema-kit.js';
import { subscriptionIdSchema } from './topic-schemas.js';

/** Most `where` conditions in one request, and the longest one. */
export const MAX_WHERE_CONDITIONS = 16;
export const MAX_WHERE_LENGTH = 256;
/** Most objects `object:list` answers (and its default), and most history entries one request answers. */
export const MAX_OBJECT_LIST_LIMIT = 10_000;
export const MAX_HISTORY_LIMIT = 10_000;
/** Longest label and search query. */
export const MAX_LABEL_LENGTH = 256;
export const MAX_SEARCH_LENGTH = 256;

const ENTITY_ID_RULE = 'id must be "/"-separated segments of letters, digits or _ . : @ ~ + = -, at most 512 characters';

/** An object or area id (`deliveryRiders/johndoe-123`). */
export const entityIdSchema = patternText('id', ENTITY_ID_PATTERN, ENTITY_ID_RULE);

const labelSchema = v.pipe(text('label'), v.maxLength(MAX_LABEL_LENGTH, `label must be at most ${MAX_LABEL_LENGTH} characters`));

/**
 * `data` to merge: a JSON object whose keys are set (deeply merged), and whose `null` values
 * delete their key.
 */
const mergeDataSchema = jsonObject('data');

/** Attribute conditions such as `'type="scooter"'`, `'charge>0.3'`, `'$id!="x"'`. */
export const whereSchema = v.pipe(
  v.array(
    v.pipe(
      v.string('where entries must be strings such as \'type="scooter"\''),
      v.maxLength(MAX_WHERE_LENGTH, `a where condition is at most ${MAX_WHERE_LENGTH} characters`),
    ),
    "where must be an array of conditions such as ['type=\"scooter\"', 'charge>0.3']",
  ),
  v.maxLength(MAX_WHERE_CONDITIONS, `where has at most ${MAX_WHERE_CONDITIONS} conditions`),
);

/** A roaming geofence: everything within `r` metres of object `id`. */
export const targetSchema = request('target', {
  id: entityIdSchema,
  r: v.pipe(
    v.number((issue) => (issue.input === undefined ? 'target.r is required' : 'target.r must be a number of metres')),
    v.gtValue(0, 'target.r must be positive'),
    v.maxValue(MAX_RADIUS_METRES, `target.r must be at most ${MAX_RADIUS_METRES} metres`),
  ),
});

const criteriaFields = {
  where: v.optional(whereSchema),
  shape: v.optional(shapeSchema),
  /** An existing area's id: objects inside that area (following the area when it changes). */
  area: v.optional(entityIdSchema),
  target: v.optional(targetSchema),
};

/** At most one of `shape`, `area` and `target` bounds a query. */
function oneBound<T extends { shape?: unknown; area?: unknown; target?: unknown }>() {
  return v.check<T, string>(
    (criteria) => [criteria.shape, criteria.area, criteria.target].filter((bound) => bound !== undefined).length <= 1,
    'give at most one of shape, area and target',
  );
}

/** `realm:get`, `realm:delete`. */
export const realmIdRequestSchema = request('realm request', { realm: realmSchema });

/** `realm:create` and `realm:update`: `label` and `data` (merged; `null` deletes a key). */
export const realmWriteRequestSchema = request('realm request', {
  realm: realmSchema,
  label: v.optional(labelSchema),
  data: v.optional(mergeDataSchema),
});

/** `realm:list` and `area:list`: the realm (`area:list`), nothing else. */
export const realmListRequestSchema = request('list request', { ...realmField });

/** `realm:search`: text found in ids, labels or data of objects and areas. */
export const searchRequestSchema = request('search request', {
  ...realmField,
  query: v.pipe(
    text('query'),
    v.minLength(1, 'query must not be empty'),
    v.maxLength(MAX_SEARCH_LENGTH, `query must be at most ${MAX_SEARCH_LENGTH} characters`),
  ),
  fields: v.optional(
    v.pipe(
      v.array(v.picklist(['id', 'label', 'data'], 'fields are "id", "label" and "data"')),
      v.minLength(1, 'fields must name at least one of "id", "label", "data"'),
    ),
  ),
  maxObjectResults: v.optional(wholeNumber('maxObjectResults', 0, 1000)),
  maxAreaResults: v.optional(wholeNumber('maxAreaResults', 0, 1000)),
});

/** `object:create`, `object:update`, `object:set`. */
export const objectWriteRequestSchema = request('object request', {
  ...realmField,
  id: entityIdSchema,
  label: v.optional(labelSchema),
  location: v.optional(locationSchema),
  data: v.optional(mergeDataSchema),
});

/** `object:get`, `object:delete`. */
export const objectIdRequestSchema = request('object request', { ...realmField, id: entityIdSchema });

/** `object:list`: optional attribute conditions, a bound, the data keys to include, a limit. */
export const objectListRequestSchema = v.pipe(
  request('list request', {
    ...realmField,
    ...criteriaFields,
    field: v.optional(
      v.pipe(v.array(v.pipe(text('field'), v.maxLength(128, 'a field is at most 128 characters'))), v.maxLength(64, 'field names at most 64 keys')),
    ),
    limit: v.optional(wholeNumber('limit', 1, MAX_OBJECT_LIST_LIMIT)),
  }),
  oneBound(),
);

/** `object:history`: one object's writes from `start` to `end` (inclusive; Unix ms or ISO 8601). */
export const historyRequestSchema = request('history request', {
  ...realmField,
  id: entityIdSchema,
  start: v.union(
    [v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.isoTimestamp())],
    'start must be Unix milliseconds or an ISO 8601 timestamp',
  ),
  end: v.union(
    [v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.isoTimestamp())],
    'end must be Unix milliseconds or an ISO 8601 timestamp',
  ),
  limit: v.optional(wholeNumber('limit', 1, MAX_HISTORY_LIMIT)),
});

/** `area:create`, `area:update` (`shape` is required to create). */
export const areaWriteRequestSchema = request('area request', {
  ...realmField,
  id: entityIdSchema,
  label: v.optional(labelSchema),
  shape: v.optional(shapeSchema),
  data: v.optional(mergeDataSchema),
});

/** `area:get`, `area:delete`. */
export const areaIdRequestSchema = request('area request', { ...realmField, id: entityIdSchema });

/** `objects:subscribe`: criteria, and whether to send the whole matching set at once. */
export const objectSubscribeRequestSchema = v.pipe(
  request('subscribe request', { ...realmField, ...criteriaFields, executeImmediately: v.optional(flag('executeImmediately')) }),
  oneBound(),
);

/** `areas:subscribe`. */
export const areaSubscribeRequestSchema = request('subscribe request', { ...realmField, executeImmediately: v.optional(flag('executeImmediately')) });

/** `realms:subscribe`: changes to the metadata of every realm the token grants. */
export const realmSubscribeRequestSchema = request('subscribe request', { executeImmediately: v.optional(flag('executeImmediately')) });

/** `feed:update`: new criteria for an object feed (what is not given is cleared; `where: []` clears the conditions). */
export const feedUpdateRequestSchema = v.pipe(request('feed update', { subscriptionId: subscriptionIdSchema, ...criteriaFields }), oneBound());

/** `feed:cancel`. */
export const feedCancelRequestSchema = request('feed cancel', { subscriptionId: subscriptionIdSchema });

const eventNameSchema = patternText('event', PUBSUB_EVENT_PATTERN, 'event must be 1-64 letters, digits or _ . : -');

/**
 * `pubsub:publish`: `data` (any JSON) about object id `id`. As in Hivekit, `id` may be a pattern
 * (`'*'`, `'bike/*'`): it is routed like any id, so it reaches the subscriptions whose own pattern
 * matches it (`'*'` matches every id, `'bike/*'` matches `'bike/*'`), and publishing it needs C on
 * `object/<pattern>`.
 */
export const pubsubPublishRequestSchema = request('publish request', {
  ...realmField,
  event: eventNameSchema,
  id: patternText('id', OBJECT_ID_PATTERN, 'id must be "/"-separated segments of letters, digits or _ . : @ ~ + = - * (an object id or a pattern)'),
  data: v.unknown(),
});

/** `pubsub:subscribe`: an event name and an id pattern (`*` for every id). */
export const pubsubSubscribeRequestSchema = request('subscribe request', {
  ...realmField,
  event: eventNameSchema,
  idPattern: patternText('idPattern', OBJECT_ID_PATTERN, 'idPattern must be "/"-separated segments of letters, digits or _ . : @ ~ + = - *'),
});

/** `pubsub:unsubscribe`. */
export const pubsubUnsubscribeRequestSchema = request('unsubscribe request', { subscriptionId: subscriptionIdSchema });

/** `realm:get`, `realm:delete` request. */
export type RealmIdRequest = v.InferOutput<typeof realmIdRequestSchema>;
/** `realm:create`, `realm:update` request. */
export type RealmWriteRequest = v.InferOutput<typeof realmWriteRequestSchema>;
/** `realm:list`, `area:list` request. */
export type RealmListRequest = v.InferOutput<typeof realmListRequestSchema>;
/** `realm:search` request. */
export type SearchRequest = v.InferOutput<typeof searchRequestSchema>;
/** `object:create`, `object:update`, `object:set` request. */
export type ObjectWriteRequest = v.InferOutput<typeof objectWriteRequestSchema>;
/** `object:get`, `object:delete` request. */
export type ObjectIdRequest = v.InferOutput<typeof objectIdRequestSchema>;
/** `object:list` request. */
export type ObjectListRequest = v.InferOutput<typeof objectListRequestSchema>;
/** `object:history` request. */
export type HistoryRequest = v.InferOutput<typeof historyRequestSchema>;
/** `area:create`, `area:update` request. */
export type AreaWriteRequest = v.InferOutput<typeof areaWriteRequestSchema>;
/** `area:get`, `area:delete` request. */
export type AreaIdRequest = v.InferOutput<typeof areaIdRequestSchema>;
/** `objects:subscribe` request. */
export type ObjectSubscribeRequest = v.InferOutput<typeof objectSubscribeRequestSchema>;
/** `areas:subscribe` request. */
export type AreaSubscribeRequest = v.InferOutput<typeof areaSubscribeRequestSchema>;
/** `realms:subscribe` request. */
export type RealmSubscribeRequest = v.InferOutput<typeof realmSubscribeRequestSchema>;
/** `feed:update` request. */
export type FeedUpdateRequest = v.InferOutput<typeof feedUpdateRequestSchema>;
/** `feed:cancel` request. */
export type FeedCancelRequest = v.InferOutput<typeof feedCancelRequestSchema>;
/** `pubsub:publish` request. */
export type PubsubPublishRequest = v.InferOutput<typeof pubsubPublishRequestSchema>;
/** `pubsub:subscribe` request. */
export type PubsubSubscribeRequest = v.InferOutput<typeof pubsubSubscribeRequestSchema>;
/** `pubsub:unsubscribe` request. */
export type PubsubUnsubscribeRequest = v.InferOutput<typeof pubsubUnsubscribeRequestSchema>;
