import { z } from 'zod';
import {
  filterIssues,
  MAX_TOPIC_LENGTH,
  OFFSET_PATTERN,
  REALM_PATTERN,
  TOPIC_PATTERN,
  type SubscriptionFilter,
} from '../../shared/index.js';

/** A topic name: dot-separated lowercase segments. */
export const topicSchema = z
  .string({ error: 'topic must be a string' })
  .max(MAX_TOPIC_LENGTH, `topic must be at most ${MAX_TOPIC_LENGTH} characters`)
  .regex(TOPIC_PATTERN, 'topic must be dot-separated lowercase segments (letters, digits, _ and -), e.g. "order.updated"');

/** A realm id. */
export const realmSchema = z.string({ error: 'realm must be a string' }).regex(REALM_PATTERN, 'realm must be 1-64 letters, digits, _ or -');

/**
 * A subscription filter: equality, `{ in: [...] }`, `{ like: pattern }`, dotted paths, all keys
 * ANDed. Checked by `filterIssues` (shared/), the very check the client runs in `subscribe()`, so
 * that both sides name the same problem and say what is allowed.
 */
export const filterSchema = z
  .unknown()
  .superRefine((filter, ctx) => {
    for (const issue of filterIssues(filter)) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .transform((filter) => filter as SubscriptionFilter);

/** Client-chosen subscription ids (`sub_1`). */
export const subscriptionIdSchema = z
  .string({ error: 'subscriptionId must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'subscriptionId must be 1-64 letters, digits or _ . : -');

/** A position in a topic stream. */
export const streamPositionSchema = z.strictObject({
  epoch: z.string().min(1).max(64),
  offset: z.string().regex(OFFSET_PATTERN, 'offset must look like "0-42"'),
});

/** `subscribe` payload. */
export const subscribeSchema = z.strictObject({
  since: streamPositionSchema.optional(),
  subscriptionId: subscriptionIdSchema.optional(),
  realm: realmSchema.optional(),
  topic: topicSchema,
  filter: filterSchema.optional(),
  returnMode: z.enum(['full', 'diff', 'both'], { error: 'returnMode must be "full", "diff" or "both"' }).optional(),
});

/** `unsubscribe` payload. */
export const unsubscribeSchema = z.strictObject({ subscriptionId: subscriptionIdSchema });

/** An event type: a short free-form label such as `order.shipped`. */
export const eventTypeSchema = z
  .string({ error: 'type must be a string' })
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'type must be letters, digits or _ . : -');

/** An event payload: a JSON object. */
export const payloadSchema = z.record(z.string(), z.unknown(), { error: 'payload must be a JSON object' });

/** `topic:publish` (socket) and `POST /api/events` (REST) body. */
export const publishSchema = z.strictObject({
  realm: realmSchema.optional(),
  topic: topicSchema,
  type: eventTypeSchema.optional(),
  payload: payloadSchema,
});

/** `auth:refresh` payload. */
export const refreshTokenSchema = z.strictObject({ token: z.string({ error: 'token must be a string' }).min(1).max(16384) });
