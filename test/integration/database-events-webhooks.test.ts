import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../support/webhook-sink.js';
import { restApi, type Api } from '../support/webhook-api.js';

/**
 * Database events are events like any other: a webhook subscribed to `database.event` receives
 * them, and the metrics count them. The change is handed over as a source would (the sources
 * have their own tests against PostgreSQL and the outbox).
 */

const FAST = { allowPrivateNetworks: true, retryDelaysMs: [20], retryJitter: 0, pollIntervalMs: 20, requestTimeoutMs: 2000 };

describe('database events downstream', () => {
  let t: TestServer;
  let sink: WebhookSink;
  let admin: Api;

  beforeAll(async () => {
    t = await startTestServer({ webhooks: FAST, metrics: { public: true } });
    sink = await startWebhookSink();
    admin = restApi(t, await t.token({ sub: 'ops', realm: 'shop', permissions: ['admin'] }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('reach a webhook subscribed to database.event, and are counted by source in the metrics', async () => {
    expect((await admin('POST', '/webhooks', { url: `${sink.url}/db`, events: ['database.event'] })).status).toBe(201);
    await admin('POST', '/database/mappings', {
      table: 'orders',
      topic: 'order.updated',
      events: ['update'],
      payload: { id: '$row.id', status: '$row.status' },
    });
    await t.server.services.databaseEvents.route({ table: 'orders', operation: 'update', row: { id: 'o1', status: 'paid' }, old: { id: 'o1', status: 'new' } });

    const [request] = await sink.waitFor('/db', 1);
    const event = JSON.parse((request as ReceivedWebhook).body) as RealtimeEvent;
    expect(event).toMatchObject({
      topic: 'order.updated',
      source: 'database',
      type: 'database.update',
      payload: { id: 'o1', status: 'paid' },
      metadata: { realm: 'shop', table: 'orders', operation: 'update' },
    });
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/realtime_events_received_total\{realm="shop",source="database"\} 1/);
    expect(metrics).toMatch(/realtime_database_changes_total\{outcome="delivered"\} 1/);
  });
});
