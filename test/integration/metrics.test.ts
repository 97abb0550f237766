import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startWebhookSink } from '../support/webhook-sink.js';

/**
 * Prometheus metrics and request logs, read as an operator reads them: scraping
 * `/api/metrics/prometheus` with a token, and the server's JSON log lines.
 */

const SCRAPE_TOKEN = 'scrape-token-0123456789';

/** A pino logger whose lines are kept, parsed. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** The value of one series (`name{labels}`) in a Prometheus text exposition, 0 when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

let t: TestServer;
let log: ReturnType<typeof recordingLogger>;

async function scrape(path = '/api/metrics/prometheus'): Promise<string> {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

beforeAll(async () => {
  log = recordingLogger();
  t = await startTestServer({ logger: log.logger, metrics: { scrapeToken: SCRAPE_TOKEN } });
});

afterAll(() => t.close());

describe('Prometheus metrics', () => {
  it('refuses a scrape without the token or with a realm admin, and accepts a platform admin', async () => {
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const realmAdmin = await t.token({ sub: 'ops', realm: 'demo', permissions: ['admin'] });
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${realmAdmin}` } })).status).toBe(403);
    const platformAdmin = await t.token({ sub: 'ops', realms: ['*'], permissions: ['admin'] });
    const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${platformAdmin}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('realtime_websocket_connections');
  });

  it("counts connections, subscriptions, published and delivered events and their latency, in the reference's names", async () => {
    const before = await scrape();
    const token = await t.token({ sub: 'reader', realm: 'metrics-a', permissions: ['subscribe', 'publish'] });
    const readers = [t.client({ token }), t.client({ token })];
    for (const reader of readers) reader.subscribe({ topic: 'orders.created' });
    const filtered = t.client({ token });
    filtered.subscribe({ topic: 'orders.created', filter: { region: 'nowhere' } });
    await Promise.all([...readers, filtered].map((client) => client.ready()));
    const received = new Promise<void>((resolve) => readers[1]!.on('event', () => resolve()));
    await readers[0]!.publish('orders.created', { region: 'emea' });
    await received;
    const after = await scrape('/metrics');
    expect(sample(after, 'realtime_websocket_connections')).toBe(3);
    expect(sample(after, 'realtime_subscriptions')).toBe(3);
    const published = 'realtime_events_received_total{realm="metrics-a",source="socket"}';
    expect(sample(after, published) - sample(before, published)).toBe(1);
    const delivered = 'realtime_events_delivered_total{realm="metrics-a",source="socket"}';
    expect(sample(after, delivered) - sample(before, delivered)).toBe(2);
    expect(sample(after, 'realtime_events_filtered_total{realm="metrics-a"}')).toBe(1);
    expect(sample(after, 'realtime_broadcast_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    const opened = sample(after, 'realtime_connections_opened_total') - sample(before, 'realtime_connections_opened_total');
    expect(opened).toBe(3);
    expect(after).toContain('realtime_process_nodejs_eventloop_lag_seconds');
    for (const client of [...readers, filtered]) client.destroy();
  });

  it('counts requests by operation and outcome, over the socket and REST, and sync conflicts', async () => {
    const token = await t.token({ sub: 'writer', realm: 'metrics-b', permissions: ['admin'] });
    const client = t.client({ token });
    await client.sync.create('notes', { text: 'a' }, 'n1');
    await expect(client.sync.replace('notes', 'n1', { text: 'b' }, 7)).rejects.toMatchObject({ code: 'CONFLICT' });
    const rest = await fetch(`${t.url}/api/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'orders.created', payload: {} }),
    });
    expect(rest.status).toBe(201);
    const text = await scrape();
    expect(sample(text, 'realtime_operations_total{operation="sync:create",outcome="ok"}')).toBe(1);
    expect(sample(text, 'realtime_operations_total{operation="sync:replace",outcome="CONFLICT"}')).toBe(1);
    expect(sample(text, 'realtime_operations_total{operation="topic:publish",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'realtime_sync_writes_total{outcome="conflict"}')).toBe(1);
    expect(sample(text, 'realtime_events_received_total{realm="metrics-b",source="api"}')).toBe(1);
  });

  it('counts rate-limit refusals by action and scope', async () => {
    const limited = await startTestServer({ metrics: { public: true }, rateLimits: { publishes: { perConnection: 1, perUser: 0, perRealm: 0 } } });
    try {
      const client = limited.client({ token: await limited.token({ sub: 'burst', realm: 'demo', permissions: ['publish'] }) });
      const results = await Promise.allSettled([1, 2, 3].map(() => client.publish('burst.topic', {})));
      const refused = results.filter((result) => result.status === 'rejected').length;
      expect(refused).toBeGreaterThan(0);
      const text = await (await fetch(`${limited.url}/metrics`)).text();
      expect(sample(text, 'realtime_rate_limited_total{action="publishes",scope="connection"}')).toBe(refused);
    } finally {
      await limited.close();
    }
  });

  it('counts webhook attempts that succeed, are retried, and fail for good', async () => {
    const hooked = await startTestServer({
      metrics: { public: true },
      webhooks: { allowPrivateNetworks: true, pollIntervalMs: 20, retryDelaysMs: [10], retryJitter: 0 },
    });
    const sink = await startWebhookSink();
    try {
      sink.respond((request) => (request.path === '/ok' ? 200 : 500));
      const token = await hooked.token({ sub: 'ops', realm: 'hooks', permissions: ['admin'] });
      const post = (path: string, body: unknown) =>
        fetch(`${hooked.url}/api${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post('/webhooks', { url: `${sink.url}/ok`, topics: ['orders.*'] })).status).toBe(201);
      expect((await post('/webhooks', { url: `${sink.url}/broken`, topics: ['orders.*'] })).status).toBe(201);
      expect((await post('/events', { topic: 'orders.created', payload: {} })).status).toBe(201);
      await sink.waitFor('/ok', 1);
      await sink.waitFor('/broken', 2); // the first attempt and its one retry
      const counts = async () => {
        const text = await (await fetch(`${hooked.url}/metrics`)).text();
        return ['succeeded', 'retry', 'failed'].map((status) => sample(text, `realtime_webhook_deliveries_total{status="${status}"}`));
      };
      await expect.poll(counts).toEqual([1, 1, 1]);
    } finally {
      await sink.close();
      await hooked.close();
    }
  });

  it('keeps the realm label bounded: realms past the cap are counted as other', async () => {
    const capped = await startTestServer({ metrics: { public: true, maxRealmLabels: 1 } });
    try {
      for (const realm of ['first', 'second', 'third']) {
        const token = await capped.token({ sub: 'backend', realm, permissions: ['publish'] });
        const res = await fetch(`${capped.url}/api/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ topic: 'a.b', payload: {} }),
        });
        expect(res.status).toBe(201);
      }
      const text = await (await fetch(`${capped.url}/metrics`)).text();
      expect(sample(text, 'realtime_events_received_total{realm="first",source="api"}')).toBe(1);
      expect(sample(text, 'realtime_events_received_total{realm="other",source="api"}')).toBe(2);
      expect(text).not.toContain('realm="second"');
    } finally {
      await capped.close();
    }
  });
});

describe('request logs', () => {
  it('logs each REST request with an id that is returned in X-Request-Id and in error bodies', async () => {
    const res = await fetch(`${t.url}/api/nowhere?token=leaked-secret`, { headers: { authorization: 'Bearer not-a-jwt' } });
    expect(res.status).toBe(404);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND', requestId: id });
    const line = log.lines.find((entry) => (entry.req as { id?: string } | undefined)?.id === id);
    expect(line).toMatchObject({ level: 30, res: { statusCode: 404 }, req: { method: 'GET', url: '/api/nowhere?token=[redacted]' } });
    expect(JSON.stringify(log.lines)).not.toContain('leaked-secret');
    expect(JSON.stringify(log.lines)).not.toContain('not-a-jwt');
  });

  it("keeps a caller's own request id", async () => {
    const res = await fetch(`${t.url}/health`, { headers: { 'x-request-id': 'trace-42.abc' } });
    expect(res.headers.get('x-request-id')).toBe('trace-42.abc');
  });

  it('logs connects and disconnects with the reason', async () => {
    const client = t.client({ token: await t.token({ sub: 'logged-user', realm: 'demo' }) });
    await client.ready();
    const connected = log.lines.find((entry) => entry.msg === 'connected' && entry.userId === 'logged-user');
    expect(connected).toMatchObject({ transport: 'websocket' });
    const socketId = connected?.socketId;
    client.disconnect();
    await expect
      .poll(() => log.lines.find((entry) => entry.msg === 'disconnected' && entry.socketId === socketId))
      .toMatchObject({ reason: 'client namespace disconnect' });
  });
});
