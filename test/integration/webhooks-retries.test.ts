import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../client/index.js';
import type { RealtimeEvent, WebhookDeliveryPage, WebhookDeliveryView, WebhookEndpointWithSecret } from '../../shared/index.js';
import { deliveriesUntil, endpointUntil, restApi, type Api } from '../support/webhook-api.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';

// Four attempts 30 ms apart, no jitter: the whole schedule in about 100 ms.
const FAST = { allowPrivateNetworks: true, retryDelaysMs: [30, 30, 30], retryJitter: 0, pollIntervalMs: 50, requestTimeoutMs: 300 };

describe('webhooks: retries, dead letters and slow endpoints', () => {
  let t: TestServer;
  let sink: WebhookSink;
  let api: Api;
  const realm = 'wh-retries';

  beforeAll(async () => {
    t = await startTestServer({ webhooks: { ...FAST, disableAfterFailures: 1000 } });
    sink = await startWebhookSink();
    api = restApi(t, await t.token({ sub: 'admin', realm, permissions: ['admin'] }));
  });
  afterEach(() => sink.respond(() => 200));
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  async function endpoint(path: string, topics: string[]): Promise<WebhookEndpointWithSecret> {
    return (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}${path}`, topics })).body;
  }

  it('retries a receiver that fails three times, and delivers the event once, on the 4th attempt', async () => {
    const { id, secret } = await endpoint('/flaky', ['flaky.*']);
    sink.respond((request, count) => (request.path === '/flaky' && count < 3 ? 503 : 200));
    await api('POST', '/events', { topic: 'flaky.one', payload: { n: 1 } });

    const [items] = [await deliveriesUntil(api, id, (list) => list[0]?.status === 'succeeded')];
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'succeeded', success: true, attempts: 4, statusCode: 200, event: 'event.published', topic: 'flaky.one' });
    expect(items[0]?.deliveredAt).toBeGreaterThanOrEqual(items[0]!.createdAt);

    const requests = sink.on('/flaky');
    expect(requests.map((request) => request.status)).toEqual([503, 503, 503, 200]);
    // The same event (one webhook-id) each time, each attempt signed afresh.
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const accepted = requests.filter((request) => request.status === 200);
    expect(accepted).toHaveLength(1);
    const { event } = new WebhookReceiver(secret).verify(accepted[0]!.body, accepted[0]!.headers);
    expect(event).toMatchObject({ topic: 'flaky.one', payload: { n: 1 } });
    // The failure run ended with the success.
    expect((await api('GET', `/webhooks/${id}`)).body).toMatchObject({ consecutiveFailures: 0 });
  });

  it('moves a delivery that always fails to the dead-letter list, and redelivers it on request', async () => {
    const { id } = await endpoint('/down', ['down.*']);
    sink.respond((request) => (request.path === '/down' ? 500 : 200));
    await api('POST', '/events', { topic: 'down.one', payload: {} });

    const [dead] = await deliveriesUntil(api, id, (list) => list[0]?.status === 'failed');
    expect(dead).toMatchObject({ status: 'failed', success: false, attempts: 4, statusCode: 500, lastError: 'HTTP 500', redeliveries: 0 });
    expect(dead).not.toHaveProperty('nextAttemptAt');
    expect(sink.on('/down')).toHaveLength(4);

    const letters = await api<WebhookDeliveryPage>('GET', `/webhooks/dead-letters?webhookId=${id}`);
    expect(letters.body.items.map((item) => item.id)).toEqual([dead!.id]);
    const log = await api<WebhookDeliveryPage>('GET', `/webhooks/logs?event=event.published&status=failed&webhookId=${id}`);
    expect(log.body.items.map((item) => item.id)).toEqual([dead!.id]);

    sink.respond(() => 200);
    const redelivered = await api<WebhookDeliveryView>('POST', `/webhooks/dead-letters/${dead!.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ status: 'pending', attempts: 0, redeliveries: 1 });
    const [done] = await deliveriesUntil(api, id, (list) => list[0]?.status === 'succeeded');
    expect(done).toMatchObject({ attempts: 1, statusCode: 200, redeliveries: 1 });
    expect(sink.on('/down').map((request) => request.status)).toEqual([500, 500, 500, 500, 200]);
    expect((await api<WebhookDeliveryPage>('GET', `/webhooks/dead-letters?webhookId=${id}`)).body.items).toEqual([]);

    const again = await api('POST', `/webhooks/dead-letters/${dead!.id}/redeliver`);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT', details: { current: { id: dead!.id, status: 'succeeded' } } });
    expect((await api('POST', '/webhooks/dead-letters/dlv_01JNOPE/redeliver')).status).toBe(404);
  });

  it('retries network errors and timeouts too', async () => {
    const { id } = await endpoint('/slow-then-ok', ['slowly.*']);
    sink.respond((request, count) =>
      request.path === '/slow-then-ok' && count === 0 ? new Promise<number>((resolve) => setTimeout(() => resolve(200), 1000)) : 200,
    );
    await api('POST', '/events', { topic: 'slowly.one', payload: {} });
    const [item] = await deliveriesUntil(api, id, (list) => list[0]?.status === 'succeeded');
    expect(item?.attempts).toBe(2);

    const closed = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: 'http://127.0.0.1:1/nothing-listens', topics: ['refused.*'] })).body;
    await api('POST', '/events', { topic: 'refused.one', payload: {} });
    const [refused] = await deliveriesUntil(api, closed.id, (list) => list[0]?.status === 'failed');
    expect(refused).toMatchObject({ attempts: 4, lastError: 'connection refused (ECONNREFUSED)' });
    expect(refused).not.toHaveProperty('statusCode');
  });

  it('a slow endpoint blocks neither other endpoints nor the realtime path', async () => {
    await endpoint('/stuck', ['busy.*']);
    await endpoint('/quick', ['busy.*']);
    sink.respond((request) => (request.path === '/stuck' ? new Promise<number>(() => undefined) : 200));

    const started = Date.now();
    for (let n = 0; n < 5; n += 1) await api('POST', '/events', { topic: 'busy.event', payload: { n } });
    expect(Date.now() - started).toBeLessThan(1000);
    const quick = await sink.waitFor('/quick', 5, () => true, 2000);
    // In order, while /stuck has not answered once.
    expect(quick.map((request) => (JSON.parse(request.body) as RealtimeEvent).payload.n)).toEqual([0, 1, 2, 3, 4]);
    expect(sink.on('/stuck')).toHaveLength(0);
  });
});

describe('webhooks: failing endpoints are disabled and reported', () => {
  let t: TestServer;
  let sink: WebhookSink;
  let api: Api;
  const realm = 'wh-disable';

  beforeAll(async () => {
    t = await startTestServer({
      webhooks: { allowPrivateNetworks: true, retryDelaysMs: [10, 10], retryJitter: 0, pollIntervalMs: 50, disableAfterFailures: 5, disableAfterMs: 0 },
    });
    sink = await startWebhookSink();
    api = restApi(t, await t.token({ sub: 'admin', realm, permissions: ['admin'] }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('disables an endpoint after the threshold, reports it on webhooks.status, and resumes on activate', async () => {
    const watcher = t.client({ token: await t.token({ sub: 'ops', realm }) });
    watcher.subscribe({ topic: 'webhooks.status' });
    await watcher.ready();
    const reported = nextEvent(watcher, 'event:webhooks.status');

    const { id } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/broken`, topics: ['broken.*'] })).body;
    sink.respond((request) => (request.path === '/broken' ? 500 : 200));
    for (let n = 0; n < 3; n += 1) await api('POST', '/events', { topic: 'broken.event', payload: { n } });

    const disabled = await endpointUntil(api, id, (endpoint) => !endpoint.active);
    expect(disabled).toMatchObject({ active: false, disabledReason: 'failing', consecutiveFailures: 5 });
    expect(disabled.disabledAt).toBeGreaterThan(0);
    expect((await reported).payload).toMatchObject({ webhookId: id, reason: 'failing', consecutiveFailures: 5 });
    expect(JSON.stringify(await reported)).not.toContain(sink.url);

    // Nothing more is sent; what was queued waits (paused), and new events are not queued.
    const sent = sink.on('/broken').length;
    await api('POST', '/events', { topic: 'broken.event', payload: { n: 3 } });
    const { items } = (await api<WebhookDeliveryPage>('GET', `/webhooks/${id}/deliveries`)).body;
    // Which deliveries used up their attempts before the fifth failure depends on timing.
    expect(items).toHaveLength(3);
    expect(items.every((item) => item.status === 'failed' || item.status === 'paused')).toBe(true);
    const paused = items.filter((item) => item.status === 'paused').length;
    expect(paused).toBeGreaterThan(0);

    sink.respond(() => 200);
    const activated = await api('POST', `/webhooks/${id}/activate`);
    expect(activated.body).toMatchObject({ active: true, consecutiveFailures: 0 });
    expect(activated.body).not.toHaveProperty('disabledReason');
    await deliveriesUntil(api, id, (list) => list.filter((item) => item.status === 'succeeded').length === paused);
    expect(sink.on('/broken').length).toBe(sent + paused);
    expect(sink.on('/broken').filter((request) => request.status === 200)).toHaveLength(paused);
  });

  it('disables an endpoint at once when it answers 410 Gone', async () => {
    const { id } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/gone`, topics: ['gone.*'] })).body;
    sink.respond((request) => (request.path === '/gone' ? 410 : 200));
    await api('POST', '/events', { topic: 'gone.event', payload: {} });
    const disabled = await endpointUntil(api, id, (endpoint) => !endpoint.active);
    expect(disabled).toMatchObject({ disabledReason: 'gone', consecutiveFailures: 1 });
    const [item] = (await api<WebhookDeliveryPage>('GET', `/webhooks/${id}/deliveries`)).body.items;
    expect(item).toMatchObject({ status: 'failed', attempts: 1, statusCode: 410 });
    expect(sink.on('/gone')).toHaveLength(1);
  });
});

describe('webhooks: retries fire at their scheduled time, not on the poll tick', () => {
  // A poll interval far beyond the test: any attempt the poll would have had to find never arrives.
  const POLL_MS = 60_000;
  let t: TestServer;
  let sink: WebhookSink;
  let api: Api;
  const realm = 'wh-timing';

  beforeAll(async () => {
    t = await startTestServer({
      webhooks: { allowPrivateNetworks: true, retryDelaysMs: [50, 50], retryJitter: 0, pollIntervalMs: POLL_MS, requestTimeoutMs: 1000 },
    });
    sink = await startWebhookSink();
    api = restApi(t, await t.token({ sub: 'admin', realm, permissions: ['admin'] }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('sends all three attempts of a 50 ms schedule, for several endpoints at once, long before the first poll', async () => {
    const paths = ['/timing-a', '/timing-b', '/timing-c'];
    for (const path of paths) await api('POST', '/webhooks', { url: `${sink.url}${path}`, topics: ['timing.*'] });
    sink.respond((_request, count) => (count < 2 ? 503 : 200));
    await api('POST', '/events', { topic: 'timing.one', payload: {} });

    for (const path of paths) {
      // Well under POLL_MS: only timers set for the retries themselves can have sent these.
      const requests = await sink.waitFor(path, 3, () => true, 15_000);
      expect(requests.map((request) => request.status)).toEqual([503, 503, 200]);
      // Never early: each retry waited at least its delay (a 5 ms margin for clock granularity).
      for (let i = 1; i < requests.length; i += 1) {
        expect(requests[i]!.receivedAt - requests[i - 1]!.receivedAt).toBeGreaterThanOrEqual(45);
      }
    }
  });
});
