import * as v from 'valibot';
import { filterIssues } from '../filter-issues.js';
import type { SubscriptionFilter } from '../filter.js';
import { jsonObject, patternText, request, text } from './schema-kit.js';
import { realmField, streamPositionSchema, topicSchema } from './common-schemas.js';

/**
 * A subscription filter: equality, `{ in: [...] }`, `{ like: pattern }`, dotted paths, all keys
 * ANDed. Checked by `filterIssues`, so that every problem is named with its path and what is
 * allowed instead.
 */
export const filterSchema = v.pipe(
  v.custom<SubscriptionFilter>(() => true),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    for (const issue of filterIssues(dataset.value)) {
      addIssue({
        message: issue.message,
        ...(issue.path.length === 0
          ? {}
          : { path: issue.path.map((key) => ({ type: 'object', origin: 'value', input: dataset.value, key, value: undefined })) as never }),
      });
    }
  }),
);

/** Subscription ids: the client's own (`sub_1`), or the server's (`srv_1`). */
export const subscriptionIdSchema = patternText('subscriptionId', /^[A-Za-z0-9_.:-]{1,64}$/, 'subscriptionId must be 1-64 letters, digits or _ . : -');

/** How sync change events are shaped for a subscriber. */
export const returnModeSchema = v.picklist(['full', 'diff', 'both'], 'returnMode must be "full", "diff" or "both"');

/** An event type: a short free-form label such as `order.shipped`. */
export const eventTypeSchema = v.pipe(text('type'), v.regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'type must be 1-100 letters, digits or _ . : -'));

/** An event payload: a JSON object. */
export const payloadSchema = jsonObject('payload');

/**
 * `subscribe`. `subscriptionId` is the client's own id; the server assigns one when it is absent.
 * `since` resumes after a position (a resubscription after a reconnect): the server first sends
 * the events of the stream after it that match, then live events.
 */
export const subscribeRequestSchema = request('subscribe request', {
  ...realmField,
  subscriptionId: v.optional(subscriptionIdSchema),
  topic: topicSchema,
  filter: v.optional(filterSchema),
  returnMode: v.optional(returnModeSchema),
  since: v.optional(streamPositionSchema),
});

/** `unsubscribe` (the reference protocol's shape). */
export const unsubscribeRequestSchema = request('unsubscribe request', { subscriptionId: subscriptionIdSchema });

/** `topic:publish` over the socket and `POST /api/events` over REST. */
export const publishRequestSchema = request('publish request', {
  ...realmField,
  topic: topicSchema,
  type: v.optional(eventTypeSchema),
  payload: payloadSchema,
});

/** `auth:refresh`: a fresh token for the same user, before the current one expires. */
export const refreshTokenRequestSchema = request('refresh request', {
  token: v.pipe(text('token'), v.minLength(1, 'token must not be empty'), v.maxLength(16384, 'token must be at most 16384 characters')),
});

/** `subscribe` request. */
export type SubscribeRequest = v.InferOutput<typeof subscribeRequestSchema>;
/** `unsubscribe` request. */
export type UnsubscribeRequest = v.InferOutput<typeof unsubscribeRequestSchema>;
/** `topic:publish` request. */
export type PublishRequest = v.InferOutput<typeof publishRequestSchema>;
/** `auth:refresh` request. */
export type RefreshTokenRequest = v.InferOutput<typeof refreshTokenRequestSchema>;
