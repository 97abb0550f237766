/**
 * The client package: everything the browser SDK exports (see `browser/entry.ts`), plus what stays
 * out of the browser bundles:
 * - the helpers that verify webhooks, which need a webhook secret;
 * - `RealtimeRestClient`, the REST client for backends (about 3 KB gzipped that a page holding a
 *   socket connection does not need). It imports nothing Node-only, so a page bundled from
 *   `realtime-platform/client` can use it (`test/unit/client/rest/rest-client-bundle.test.ts`).
 */
export * from './browser/entry.js';
export { WebhookReceiver, verifyWebhook, verifyWebhookAsync, DEFAULT_WEBHOOK_RECEIVER_OPTIONS } from './webhook-receiver.js';
export type { WebhookReceiverOptions, WebhookEvent, WebhookHeaders, WebhookRawBody } from './webhook-receiver.js';
export { WebhookVerificationError, WebhookVerificationReason } from './webhook-verification-error.js';

// The REST client for backends.
export { RealtimeRestClient } from './rest/realtime-rest-client.js';
export { RestRealm } from './rest/rest-realm.js';
export { RestSyncClient } from './rest/rest-sync.js';
export type { WriteExpiryOptions } from './rest/rest-sync.js';
export { RestChannelsClient } from './rest/rest-channels.js';
export { RestPresenceClient } from './rest/rest-presence.js';
export { RestWebhooksClient } from './rest/rest-webhooks.js';
export { RestDatabaseClient } from './rest/rest-database.js';
export { RestTokensClient } from './rest/rest-tokens.js';
export { DEFAULT_REST_CLIENT_OPTIONS } from './rest/rest-client-options.js';
export type { RealtimeRestClientOptions, RestRetryOptions, FetchFunction } from './rest/rest-client-options.js';
export { isRetryableRestFailure, restRetryDelay, REST_RETRY_BASE_DELAY_MS } from './rest/rest-retry-policy.js';
export type { RequestSafety, RestFailure } from './rest/rest-retry-policy.js';
export type {
  ChannelSummary,
  TokenVerification,
  DevTokenRequest,
  DevToken,
  CreateWebhookInput,
  UpdateWebhookInput,
  RotateSecretInput,
  DeliveryPageQuery,
  DeliveriesQuery,
  DeliveryLogQuery,
  DeadLetterQuery,
  Readiness,
} from './rest/rest-results.js';
