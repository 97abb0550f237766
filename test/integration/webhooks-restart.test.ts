import { afterAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../client/index.js';
import type { WebhookEndpointView, WebhookEndpointWithSecret } from '../../shared/index.js';
import { MongoDocumentStore } from '../../server/sync/mongo-document-store.js';
import { MongoWebhookStore } from '../../server/webhooks/mongo-webhook-store.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { deliveriesUntil, restApi } from '../support/webhook-api.js';
import { startWebhookSink } from '../support/webhook-sink.js';

const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
afterAll(() => mongo.stop());

/** A node on the shared MongoDB database, as `MONGODB_URL` gives one. */
function startNode(secret?: string, retryDelaysMs: number[] = [150, 150, 150]): Promise<TestServer> {
  return startTestServer({
    ...(secret === undefined ? {} : { auth: { secret } }),
    documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }),
    webhooks: {
      store: new MongoWebhookStore({ url: mongo.url, dbName: mongo.dbName }),
      allowPrivateNetworks: true,
      retryDelaysMs,
      retryJitter: 0,
      pollIntervalMs: 50,
      requestTimeoutMs: 10_000,
    },
  });
}

describe(`webhooks on MongoDB (${ferret ? 'FerretDB' : mongo.kind}): deliveries survive a restart`, () => {
  it('keeps endpoints, and delivers what was pending when the server stopped once it is back', async () => {
    const sink = await startWebhookSink();
    const realm = 'wh-restart';
    sink.respond(() => 503); // the receiver is down for now
    const first = await startNode();
    const token = await first.token({ sub: 'admin', realm, permissions: ['admin'] });
    let api = restApi(first, token);
    const { id, secret } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/hook` })).body;

    await api('POST', '/sync/notes/documents', { id: 'r1', data: { v: 1 } });
    await api('POST', '/events', { topic: 'orders.created', payload: { orderId: 1 } });
    // Both were tried once and wait for their retry.
    await deliveriesUntil(api, id, (items) => items.length === 2 && items.every((item) => item.attempts === 1 && item.status === 'pending'));
    await first.close();
    const triedBefore = sink.received.length;
    // What the queue holds now (a retry may have run before the close): read it from MongoDB itself.
    const queue = new MongoWebhookStore({ url: mongo.url, dbName: mongo.dbName });
    const pending = (await queue.listDeliveries(realm, { webhookId: id, limit: 10 })).items;
    await queue.close();
    expect(pending.map((item) => item.status)).toEqual(['pending', 'pending']);

    sink.respond(() => 200); // the receiver is back, but the first server is gone
    const second = await startNode(first.secret);
    try {
      api = restApi(second, token);
      expect((await api<WebhookEndpointView[]>('GET', '/webhooks')).body.map((endpoint) => endpoint.id)).toEqual([id]);
      const delivered = await deliveriesUntil(api, id, (items) => items.length === 2 && items.every((item) => item.status === 'succeeded'));
      expect(delivered.map((item) => item.attempts)).toEqual(pending.map((item) => item.attempts + 1));
      expect(new Set(delivered.map((item) => item.event))).toEqual(new Set(['document.created', 'event.published']));

      const accepted = sink.received.slice(triedBefore).filter((request) => request.status === 200);
      expect(accepted).toHaveLength(2);
      const receiver = new WebhookReceiver(secret);
      const topics = [];
      for (const request of accepted) topics.push(receiver.verify(request.body, request.headers).event.topic);
      expect(topics.sort()).toEqual(['orders.created', 'sync.notes.created']);
    } finally {
      await second.close();
      await sink.close();
    }
  });

  it('sends again an attempt that was cut off by the shutdown (at least once)', async () => {
    const sink = await startWebhookSink();
    const realm = 'wh-restart-inflight';
    let release: (() => void) | undefined;
    // The receiver hangs on the first request: the server stops while the attempt is in flight.
    sink.respond((_request, count) => (count === 0 ? new Promise<number>((resolve) => (release = () => resolve(200))) : 200));
    const first = await startNode(undefined, [60_000]);
    const token = await first.token({ sub: 'admin', realm, permissions: ['admin'] });
    const api = restApi(first, token);
    const { id } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/slow` })).body;
    await api('POST', '/events', { topic: 'orders.created', payload: { orderId: 2 } });
    while (release === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    await first.close(); // aborts the hanging attempt after its grace period; it does not count

    const second = await startNode(first.secret, [60_000]);
    try {
      const [item] = await deliveriesUntil(restApi(second, token), id, (items) => items[0]?.status === 'succeeded');
      expect(item).toMatchObject({ attempts: 1, statusCode: 200 });
      const ids = sink.received.filter((request) => request.status === 200).map((request) => request.headers['webhook-id']);
      expect(ids).toHaveLength(1);
    } finally {
      release?.();
      await second.close();
      await sink.close();
    }
  });
});
