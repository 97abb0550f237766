import type { WebhookDeliveryEventType, WebhookDeliveryStatus, WebhookEventType } from '../../shared/index.js';

/*
 * The shapes of the REST-only requests and answers (routes with no socket event, so no shared
 * request schema): channel listing, connection counts, tokens, webhooks management.
 */

/**
 * One active channel of `GET /api/socket/channels`.
 *
 * @example
 * const busiest = (await rest.channels.list()).sort((a, b) => b.memberCount - a.memberCount)[0];
 */
export interface ChannelSummary {
  name: string;
  /** Every connection in the channel, whether it appears in presence or not. */
  memberCount: number;
}

/**
 * What `POST /auth/verify` answers about a valid token.
 *
 * @example
 * const { userId, realms } = await rest.tokens.verify();
 */
export interface TokenVerification {
  valid: true;
  userId: string;
  /** Every granted realm. */
  realms: string[];
  roles: string[];
  /** The realms where `roles` apply. */
  roleRealms: string[];
  /** Unix ms. */
  expiresAt: number;
}

/**
 * The request of `POST /auth/dev-token` (development mode only): the claims of the token to mint.
 *
 * @example
 * const { token } = await rest.tokens.devToken({ sub: 'alice', realm: 'demo' });
 */
export interface DevTokenRequest {
  sub: string;
  realm?: string;
  realms?: string[];
  permissions?: string[];
  per?: Record<string, string | Record<string, string>>;
  dpv?: Record<string, string[]>;
  /** Seconds, or `"<n>s|m|h|d"`; at most 24 hours. @default 3600 */
  expiresIn?: number | string;
}

/**
 * What `POST /auth/dev-token` answers.
 *
 * @example
 * const { token, expiresAt } = await rest.tokens.devToken({ sub: 'alice' });
 */
export interface DevToken {
  token: string;
  /** Unix ms. */
  expiresAt: number;
}

/**
 * `POST /api/webhooks`: a new endpoint. Without `secret` the server makes one (answered once).
 *
 * @example
 * const { id, secret } = await rest.webhooks.create({ url: 'https://api.example.com/hooks', events: ['document.updated'] });
 */
export interface CreateWebhookInput {
  url: string;
  /** `whsec_` + 24-64 bytes of base64. */
  secret?: string;
  /** Empty or absent: every type. */
  events?: WebhookEventType[];
  /** Topic patterns (`order.*`); empty or absent: every topic. */
  topics?: string[];
  description?: string;
}

/**
 * `PATCH /api/webhooks/:id`: at least one field; `description: null` removes it.
 *
 * @example
 * await rest.webhooks.update(id, { topics: ['order.*'], description: null });
 */
export interface UpdateWebhookInput {
  url?: string;
  events?: WebhookEventType[];
  topics?: string[];
  description?: string | null;
}

/**
 * `POST /api/webhooks/:id/rotate-secret`.
 *
 * @example
 * const { secret } = await rest.webhooks.rotateSecret(id, { gracePeriodMs: 3_600_000 });
 */
export interface RotateSecretInput {
  /** The new secret; generated when absent. */
  secret?: string;
  /** How long the old secret keeps signing too, ms. @default the server's rotationGraceMs (24 h) */
  gracePeriodMs?: number;
}

/**
 * A page of deliveries: `limit` (default 50, at most 200), continuing `after` a `nextCursor`.
 *
 * @example
 * const next = await rest.webhooks.deadLetters({ limit: 200, after: page.nextCursor });
 */
export interface DeliveryPageQuery {
  limit?: number;
  after?: string;
}

/**
 * `GET /api/webhooks/:id/deliveries`.
 *
 * @example
 * const { items } = await rest.webhooks.deliveries(id, { status: 'pending' });
 */
export interface DeliveriesQuery extends DeliveryPageQuery {
  status?: WebhookDeliveryStatus;
}

/**
 * `GET /api/webhooks/logs`: the realm's delivery log.
 *
 * @example
 * const { items } = await rest.webhooks.logs({ event: 'document.updated', status: 'failed' });
 */
export interface DeliveryLogQuery extends DeliveryPageQuery {
  /** A webhook event type (or `webhook.test`). */
  event?: WebhookDeliveryEventType;
  webhookId?: string;
  status?: WebhookDeliveryStatus;
}

/**
 * `GET /api/webhooks/dead-letters`.
 *
 * @example
 * const { items } = await rest.webhooks.deadLetters({ webhookId: id });
 */
export interface DeadLetterQuery extends DeliveryPageQuery {
  webhookId?: string;
}

/**
 * What `GET /ready` reports: `ready` (HTTP 200), `degraded` (503: a dependency such as Redis is
 * down; the node still serves its own clients) or `draining` (503: the node is shutting down).
 *
 * @example
 * if ((await rest.readiness()).status !== 'ready') useAnotherNode();
 */
export interface Readiness {
  status: 'ready' | 'degraded' | 'draining';
  checks: Record<string, 'up' | 'down'>;
}
