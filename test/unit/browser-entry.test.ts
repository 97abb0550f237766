import { describe, expect, it } from 'vitest';
import * as entry from '../../client/browser/entry.js';
import * as index from '../../client/index.js';

/**
 * Exports of client/index.ts meant for servers, kept out of the browser bundle: the webhook
 * receiver, and the REST client for backends.
 */
const SERVER_ONLY = new Set([
  'WebhookReceiver',
  'verifyWebhook',
  'verifyWebhookAsync',
  'DEFAULT_WEBHOOK_RECEIVER_OPTIONS',
  'WebhookVerificationError',
  'WebhookVerificationReason',
  'RealtimeRestClient',
  'RestRealm',
  'RestSyncClient',
  'RestChannelsClient',
  'RestPresenceClient',
  'RestWebhooksClient',
  'RestDatabaseClient',
  'RestTokensClient',
  'DEFAULT_REST_CLIENT_OPTIONS',
  'isRetryableRestFailure',
  'restRetryDelay',
  'REST_RETRY_BASE_DELAY_MS',
]);

describe('the browser entry (client/browser/entry.ts)', () => {
  it('exports everything client/index.ts exports except the server-side helpers', () => {
    const expected = Object.keys(index)
      .filter((name) => !SERVER_ONLY.has(name))
      .sort();
    expect(Object.keys(entry).sort()).toEqual(expected);
  });

  it('exports the same classes, not copies', () => {
    expect(entry.RealtimeClient).toBe(index.RealtimeClient);
    expect(entry.ConflictError).toBe(index.ConflictError);
  });
});
