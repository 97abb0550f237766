/**
 * The webhook wire contract: the event types an endpoint can filter on, the Standard Webhooks
 * header names, and the REST shapes of `/api/webhooks`.
 */

/**
 * The webhook event types (the reference platform's list plus `document.created` and
 * `event.published`). Every delivery is of exactly one type, decided by where the event came from,
 * never by its topic:
 * - `document.created` / `document.updated` / `document.deleted`: a sync document write
 *   (topic `sync.<service>.<created|updated|deleted>`);
 * - `presence.updated`: a member joined, left or updated its state in a channel or document, or a
 *   data provider's object changed `connectionStatus` (topic `presence.status`);
 * - `socket.message`: a channel message or a direct message;
 * - `socket.connect` / `socket.disconnect`: a connection opened or closed (once per granted realm);
 * - `database.event`: a change-data-capture event (`source: 'database'`);
 * - `event.published`: any other topic event (REST or client publish);
 * - `object.created` / `object.updated` / `object.deleted`: a Hivekit object write (an update
 *   that writes `label` or `data`; location-only writes, the firehose, send none);
 * - `area.created` / `area.updated` / `area.deleted`: an area write.
 *
 * @example
 * WEBHOOK_EVENT_TYPES.includes('document.updated'); // true
 */
export const WEBHOOK_EVENT_TYPES = [
  'document.created',
  'document.updated',
  'document.deleted',
  'presence.updated',
  'socket.message',
  'socket.connect',
  'socket.disconnect',
  'database.event',
  'event.published',
  'object.created',
  'object.updated',
  'object.deleted',
  'area.created',
  'area.updated',
  'area.deleted',
] as const;

/**
 * One webhook event type.
 *
 * @example
 * const events: WebhookEventType[] = ['document.updated', 'socket.message'];
 */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * The type of the deliveries `POST /api/webhooks/:id/test` sends. Endpoints cannot filter on it:
 * a test always goes to the endpoint it was asked for.
 *
 * @example
 * if (delivery.event === WEBHOOK_TEST_EVENT_TYPE) ignore();
 */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** What a delivery carries: one of {@link WEBHOOK_EVENT_TYPES}, or a test. */
export type WebhookDeliveryEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT_TYPE;

/**
 * Whether a value is one of {@link WEBHOOK_EVENT_TYPES}.
 *
 * @example
 * isWebhookEventType('socket.connect'); // true
 */
export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The topics of the RealtimeEvents that exist only for webhooks (nothing is published on them):
 * channel and direct messages, connects and disconnects, and channel or document presence.
 *
 * @example
 * if (event.topic === WEBHOOK_TOPICS.socketMessage) handleMessage(event.payload);
 */
export const WEBHOOK_TOPICS = {
  socketMessage: 'socket.message',
  socketConnect: 'socket.connect',
  socketDisconnect: 'socket.disconnect',
  presenceUpdated: 'presence.updated',
  test: 'webhook.test',
} as const;

/**
 * The topic on which the server reports endpoints it disabled (`type: 'webhook.disabled'`).
 *
 * @example
 * client.subscribe({ topic: WEBHOOK_STATUS_TOPIC });
 */
export const WEBHOOK_STATUS_TOPIC = 'webhooks.status';

/**
 * Standard Webhooks header names (https://www.standardwebhooks.com/).
 *
 * @example
 * request.headers[WEBHOOK_HEADERS.signature]; // 'v1,K5oZ...'
 */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/**
 * Where a delivery is:
 * - `pending`: waiting for its next attempt;
 * - `paused`: its endpoint is inactive; it resumes when the endpoint is activated;
 * - `succeeded`: the endpoint answered 2xx;
 * - `failed`: every attempt failed; it is in the dead-letter list until redelivered.
 */
export type WebhookDeliveryStatus = 'pending' | 'paused' | 'succeeded' | 'failed';

/** Why the server disabled an endpoint by itself. */
export type WebhookDisabledReason = 'failing' | 'gone';

/**
 * An endpoint as `GET /api/webhooks` shows it (never with its secret).
 *
 * @example
 * const { id, url, events, active } = endpoint;
 */
export interface WebhookEndpointView {
  /** `wh_<ulid>` */
  id: string;
  realm: string;
  url: string;
  description?: string;
  /** Event types delivered; empty means every type. */
  events: WebhookEventType[];
  /** Topic patterns delivered (`order.*`); empty means every topic. */
  topics: string[];
  active: boolean;
  /** Set when the server disabled the endpoint: `failing` (threshold reached) or `gone` (HTTP 410). */
  disabledReason?: WebhookDisabledReason;
  disabledAt?: number;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  /** When the current run of failures started, Unix ms. */
  failingSince?: number;
  /** While a rotated-out secret still signs: when the last one stops, Unix ms. */
  previousSecretExpiresAt?: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * The answer of `POST /api/webhooks` and `POST /api/webhooks/:id/rotate-secret`: the only two
 * places the secret is ever shown.
 */
export interface WebhookEndpointWithSecret extends WebhookEndpointView {
  /** `whsec_<base64>` */
  secret: string;
}

/**
 * One delivery of one event to one endpoint (the delivery log and the dead-letter list).
 *
 * @example
 * if (!delivery.success) console.log(delivery.attempts, delivery.statusCode, delivery.lastError);
 */
export interface WebhookDeliveryView {
  /** `dlv_<ulid>` */
  id: string;
  webhookId: string;
  realm: string;
  /** The webhook event type. */
  event: WebhookDeliveryEventType;
  /** The RealtimeEvent's id, also sent as `webhook-id`. */
  eventId: string;
  topic: string;
  status: WebhookDeliveryStatus;
  success: boolean;
  /** Attempts made (in the current run, after a redelivery). */
  attempts: number;
  /** HTTP status of the last answer, when there was one. */
  statusCode?: number;
  /** Why the last attempt failed (e.g. `HTTP 503`, `timed out after 15000 ms`). */
  lastError?: string;
  /** How long the last attempt took, ms. */
  durationMs?: number;
  createdAt: number;
  updatedAt: number;
  lastAttemptAt?: number;
  nextAttemptAt?: number;
  deliveredAt?: number;
  /** When it entered the dead-letter list. */
  failedAt?: number;
  /** How many times it was taken out of the dead-letter list. */
  redeliveries: number;
}

/**
 * A page of deliveries, newest first; pass `nextCursor` as `after` for the next page.
 *
 * @example
 * const { items, nextCursor } = await (await fetch('/api/webhooks/dead-letters')).json();
 */
export interface WebhookDeliveryPage {
  items: WebhookDeliveryView[];
  nextCursor?: string;
}
