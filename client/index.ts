/**
 * The client package: everything the browser SDK exports (see `browser/entry.ts`), plus the
 * server-side helpers that verify webhooks, which need a webhook secret and so stay out of the
 * browser bundles.
 */
export * from './browser/entry.js';
export { WebhookReceiver, verifyWebhook, verifyWebhookAsync, DEFAULT_WEBHOOK_RECEIVER_OPTIONS } from './webhook-receiver.js';
export type { WebhookReceiverOptions, WebhookEvent, WebhookHeaders, WebhookRawBody } from './webhook-receiver.js';
export { WebhookVerificationError, WebhookVerificationReason } from './webhook-verification-error.js';
