import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE } from '../../shared/index.js';
import { MAX_ROTATION_GRACE_MS } from './webhook-options.js';
import { TOPIC_FILTER_PATTERN } from './webhook-filter.js';
import { secretProblem } from './webhook-secrets.js';

/** Longest endpoint URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** Most topic patterns per endpoint. */
export const MAX_WEBHOOK_TOPICS = 50;

const EVENT_TYPE_RULE = `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}`;

/**
 * An endpoint URL: absolute `http(s)://`, at most 2048 characters, no fragment. Whether its host
 * is private is checked separately (it may need a DNS lookup). Answers the normalised URL.
 */
export const webhookUrlSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'url is required' : 'url must be a string') })
  .max(MAX_WEBHOOK_URL_LENGTH, `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`)
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'url must be an absolute http:// or https:// URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: 'url must use http:// or https://' });
      return z.NEVER;
    }
    if (url.hash !== '') {
      ctx.addIssue({ code: 'custom', message: 'url must not have a #fragment' });
      return z.NEVER;
    }
    return url.href;
  });

/** Event types an endpoint receives; duplicates are dropped; empty means all. */
export const webhookEventsSchema = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: `unknown webhook event type: it ${EVENT_TYPE_RULE}` }), {
    error: 'events must be an array of event types',
  })
  .max(WEBHOOK_EVENT_TYPES.length * 2, 'events lists too many entries')
  .transform((events) => [...new Set(events)]);

/** Topic patterns an endpoint receives (`order.*`, `sync.*.deleted`); empty means all. */
export const webhookTopicsSchema = z
  .array(
    z
      .string({ error: 'each topic pattern must be a string' })
      .max(200, 'a topic pattern must be at most 200 characters')
      .regex(TOPIC_FILTER_PATTERN, 'a topic pattern is dot-separated lowercase segments or *, e.g. "order.*" or "sync.*.deleted"'),
    { error: 'topics must be an array of topic patterns' },
  )
  .max(MAX_WEBHOOK_TOPICS, `topics may list at most ${MAX_WEBHOOK_TOPICS} patterns`)
  .transform((topics) => [...new Set(topics)]);

/** A caller-supplied secret: `whsec_<base64>` of 24-64 bytes. */
export const webhookSecretSchema = z.string({ error: 'secret must be a string' }).superRefine((secret, ctx) => {
  const problem = secretProblem(secret);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const descriptionSchema = z.string({ error: 'description must be a string' }).max(500, 'description must be at most 500 characters');
const realm = z.string({ error: 'realm must be a string' }).optional();

/** `POST /api/webhooks` */
export const createWebhookSchema = z.strictObject({
  url: webhookUrlSchema,
  secret: webhookSecretSchema.optional(),
  events: webhookEventsSchema.optional(),
  topics: webhookTopicsSchema.optional(),
  description: descriptionSchema.optional(),
  realm,
});

/** `PATCH /api/webhooks/:id`: at least one of the settings. */
export const updateWebhookSchema = z
  .strictObject({
    url: webhookUrlSchema.optional(),
    events: webhookEventsSchema.optional(),
    topics: webhookTopicsSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    realm,
  })
  .refine(
    (body) => body.url !== undefined || body.events !== undefined || body.topics !== undefined || body.description !== undefined,
    'give at least one of url, events, topics, description',
  );

/** `POST /api/webhooks/:id/rotate-secret` */
export const rotateSecretSchema = z.strictObject({
  secret: webhookSecretSchema.optional(),
  gracePeriodMs: z
    .number({ error: 'gracePeriodMs must be a number of milliseconds' })
    .int('gracePeriodMs must be a whole number')
    .min(0, 'gracePeriodMs must not be negative')
    .max(MAX_ROTATION_GRACE_MS, `gracePeriodMs must be at most ${MAX_ROTATION_GRACE_MS} (7 days)`)
    .optional(),
  realm,
});

/** Bodies of the action routes (activate, deactivate, test, redeliver, delete): just an optional realm. */
export const webhookActionSchema = z.strictObject({ realm });

const limit = z.coerce
  .number({ error: 'limit must be a number' })
  .int('limit must be a whole number')
  .min(1, 'limit must be at least 1')
  .max(200, 'limit must be at most 200')
  .optional();
const after = z
  .string()
  .regex(/^dlv_[A-Za-z0-9]{1,64}$/, 'after must be a nextCursor from a previous page')
  .optional();
const status = z.enum(['pending', 'paused', 'succeeded', 'failed'], { error: 'status must be pending, paused, succeeded or failed' }).optional();

/** `GET /api/webhooks/:id/deliveries` */
export const deliveriesQuerySchema = z.strictObject({ limit, after, status, realm });

/** `GET /api/webhooks/dead-letters` */
export const deadLettersQuerySchema = z.strictObject({ limit, after, webhookId: z.string().optional(), realm });

/** `GET /api/webhooks/logs` (the reference platform's delivery log). */
export const deliveryLogQuerySchema = z.strictObject({
  limit,
  after,
  status,
  webhookId: z.string().optional(),
  event: z.enum([...WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT_TYPE], { error: `event ${EVENT_TYPE_RULE}` }).optional(),
  realm,
});

/** An endpoint id, `wh_<ulid>`. */
export const webhookIdSchema = z.string().regex(/^wh_[A-Za-z0-9]{1,64}$/, 'a webhook id looks like wh_01J...');

/** A delivery id, `dlv_<ulid>`. */
export const deliveryIdSchema = z.string().regex(/^dlv_[A-Za-z0-9]{1,64}$/, 'a delivery id looks like dlv_01J...');
