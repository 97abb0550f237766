import { pino } from 'pino';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServices, closeServices, type PlatformServices, type ServiceConfig } from '../../server/composition-root.js';
import { DEFAULT_LIMITS } from '../../server/config.js';
import { InvalidArgumentError } from '../../shared/index.js';
import { MemoryEventHistory } from '../../server/history/memory-event-history.js';
import { MemoryPresenceStore } from '../../server/presence/memory-presence-store.js';
import type { RealtimeIo } from '../../server/socket-types.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import { MongoDocumentStore } from '../../server/sync/mongo-document-store.js';
import { MemoryWebhookStore } from '../../server/webhooks/memory-webhook-store.js';
import { MongoWebhookStore } from '../../server/webhooks/mongo-webhook-store.js';

/**
 * The composition root chooses every store from configuration (what the CLI passes) and wires the
 * services to one event bus. Nothing here connects: a MongoClient only connects on first use.
 */
const built: PlatformServices[] = [];

function build(config: ServiceConfig): PlatformServices {
  // Not attached to an HTTP server: nothing listens, and there is nothing to close.
  const io: RealtimeIo = new Server();
  const services = buildServices({ config, io, logger: pino({ level: 'silent' }), limits: DEFAULT_LIMITS });
  built.push(services);
  return services;
}

afterEach(async () => {
  for (const services of built.splice(0)) await closeServices(services);
});

describe('buildServices', () => {
  it('keeps everything in memory by default, on one event bus', () => {
    const services = build({});
    expect(services.documents).toBeInstanceOf(MemoryDocumentStore);
    expect(services.history).toBeInstanceOf(MemoryEventHistory);
    expect(services.presenceStore).toBeInstanceOf(MemoryPresenceStore);
    expect(services.webhooks.store).toBeInstanceOf(MemoryWebhookStore);
    expect(services.cluster).toBeUndefined();
  });

  it('builds MongoDB stores for documents and webhooks from the `mongodb` option', () => {
    const services = build({ mongodb: { url: 'mongodb://127.0.0.1:1', dbName: 'rt_root_test' } });
    expect(services.documents).toBeInstanceOf(MongoDocumentStore);
    expect(services.webhooks.store).toBeInstanceOf(MongoWebhookStore);
  });

  it('prefers the stores it is given over the `mongodb` option', () => {
    const documents = new MemoryDocumentStore();
    const store = new MemoryWebhookStore();
    const services = build({ documents, webhooks: { store }, mongodb: { url: 'mongodb://127.0.0.1:1' } });
    expect(services.documents).toBe(documents);
    expect(services.webhooks.store).toBe(store);
  });

  it('gives `maxDocumentBytes` to the document store it builds', async () => {
    const services = build({ maxDocumentBytes: 1024 });
    await expect(services.documents.create('demo', 'notes', { data: { text: 'x'.repeat(2048) } })).rejects.toThrow();
    await expect(services.documents.create('demo', 'notes', { data: { text: 'short' } })).resolves.toMatchObject({ revision: 1 });
  });

  it('refuses an unknown `objects.matching` at construction, not at the first feed', () => {
    expect(() => build({ objects: { matching: 'rtree' as 'index' } })).toThrow(InvalidArgumentError);
    expect(() => build({ objects: { matching: 'scan' } })).not.toThrow();
  });
});
