import { describe, expect, it } from 'vitest';
import * as server from '../../server/index.js';

/**
 * The names a library user builds a server from code with (README "Running it from code"): the
 * server, every store behind its options (documents, presence, history, webhooks) and the services
 * and defaults around them. Removing one breaks code built on the package, so it fails here.
 */
const PUBLIC_VALUES = [
  'createRealtimeServer',
  'RealtimeServer',
  'loadConfig',
  'ConfigError',
  'DEFAULT_LIMITS',
  // The plain WebSocket protocol (`ws` option).
  'DEFAULT_PLAIN_WEBSOCKET_OPTIONS',
  'createLogger',
  'signToken',
  'TokenVerifier',
  // Documents (`documents` option).
  'MemoryDocumentStore',
  'MEMORY_DOCUMENT_STORE_DEFAULTS',
  'MongoDocumentStore',
  'MONGO_DOCUMENT_STORE_DEFAULTS',
  'DEFAULT_LIST_LIMIT',
  'MAX_LIST_LIMIT',
  // Presence (`presenceStore` option).
  'MemoryPresenceStore',
  'RedisPresenceStore',
  // History (`history` option).
  'MemoryEventHistory',
  'RedisEventHistory',
  'DEFAULT_HISTORY_LIMITS',
  'resolveHistoryLimits',
  // Webhooks (`webhooks` option).
  'WebhookService',
  'MemoryWebhookStore',
  'MongoWebhookStore',
  'DEFAULT_WEBHOOK_OPTIONS',
  'resolveWebhookOptions',
  'DEFAULT_RETRY_DELAYS_MS',
  // Rate limits (`rateLimits` option).
  'RateLimits',
  'DEFAULT_RATE_LIMITS',
  'RATE_LIMITED_ACTIONS',
  'resolveRateLimitOptions',
  // Database events (`databaseEvents` option).
  'DatabaseEvents',
  'evaluateMapping',
] as const;

describe('server/index.ts', () => {
  it.each(PUBLIC_VALUES)('exports %s', (name) => {
    expect(server[name], name).toBeDefined();
  });

  it('exports the store classes as constructors', () => {
    for (const Store of [
      server.MemoryDocumentStore,
      server.MongoDocumentStore,
      server.MemoryPresenceStore,
      server.RedisPresenceStore,
      server.MemoryEventHistory,
      server.RedisEventHistory,
      server.MemoryWebhookStore,
      server.MongoWebhookStore,
    ]) {
      expect(typeof Store).toBe('function');
    }
  });

  it('exports the store contracts and option types (compile-time)', () => {
    // Fails to type-check when one of these types is no longer exported.
    const types: [
      server.DocumentStore?,
      server.MongoDocumentStoreOptions?,
      server.MemoryDocumentStoreOptions?,
      server.PresenceStore?,
      server.EventHistory?,
      server.HistoryLimits?,
      server.WebhookStore?,
      server.WebhookOptions?,
      server.RateLimitOptions?,
      server.RealtimeServerOptions?,
      server.CloseOptions?,
      server.ReadinessReport?,
    ] = [];
    expect(types).toEqual([]);
  });
});
