/**
 * Interoperability with the Standard Webhooks reference library, both ways. Needs the dev
 * dependency `standardwebhooks` (`npm install -D standardwebhooks`).
 */
import { Webhook, WebhookVerificationError as StandardVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../client/index.js';
import type { RealtimeEvent, WebhookEndpointWithSecret } from '../../shared/index.js';
import { restApi, type Api } from '../support/webhook-api.js';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../support/webhook-sink.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** The three Standard Webhooks headers as the reference library wants them (plain strings). */
function standardHeaders(request: ReceivedWebhook): Record<string, string> {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}

describe('Standard Webhooks interoperability (the standardwebhooks package)', () => {
  let t: TestServer;
  let sink: WebhookSink;
  let api: Api;

  beforeAll(async () => {
    t = await startTestServer({ webhooks: { allowPrivateNetworks: true, pollIntervalMs: 50 } });
    sink = await startWebhookSink();
    api = restApi(t, await t.token({ sub: 'admin', realm: 'wh-interop', permissions: ['admin'] }));
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('the reference verifier accepts our deliveries (document and socket events) and rejects tampered ones', async () => {
    const { secret } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/standard` })).body;
    await api('POST', '/sync/notes/documents', { id: 'i1', data: { title: 'interop' } });
    await api('POST', '/socket/broadcast', { channel: 'lobby', event: 'chat', data: { text: 'hi' } });
    const requests = await sink.waitFor('/standard', 2);

    const reference = new Webhook(secret);
    const topics = requests.map((request) => (reference.verify(request.body, standardHeaders(request)) as RealtimeEvent).topic);
    expect(topics).toEqual(['sync.notes.created', 'socket.message']);
    const first = requests[0]!;
    expect(() => reference.verify(first.body.replace('interop', 'tampered'), standardHeaders(first))).toThrow(StandardVerificationError);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 9).toString('base64')}`).verify(first.body, standardHeaders(first))).toThrow(StandardVerificationError);
  });

  it('the reference verifier accepts either secret during a rotation', async () => {
    const { id, secret: oldSecret } = (await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: `${sink.url}/rotating` })).body;
    const { secret: newSecret } = (await api<WebhookEndpointWithSecret>('POST', `/webhooks/${id}/rotate-secret`)).body;
    await api('POST', '/events', { topic: 'rotation.check', payload: {} });
    const [request] = await sink.waitFor('/rotating', 1, (r) => r.body.includes('rotation.check'));
    for (const secret of [oldSecret, newSecret]) {
      expect((new Webhook(secret).verify(request!.body, standardHeaders(request!)) as RealtimeEvent).topic).toBe('rotation.check');
    }
  });

  it('our WebhookReceiver accepts what the reference library signs', async () => {
    const secret = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
    const event: RealtimeEvent = {
      id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      topic: 'orders.created',
      source: 'api',
      type: 'order.created',
      payload: { orderId: 1, note: 'ünïcode ✓' },
      metadata: { timestamp: Date.now(), realm: 'elsewhere' },
    };
    const body = JSON.stringify(event);
    const now = new Date();
    const signature = new Webhook(secret).sign(event.id, now, body);
    const headers = { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature };

    const receiver = new WebhookReceiver(secret);
    const verified = receiver.verify(body, headers);
    expect(verified).toEqual({ event, id: event.id, timestamp: Math.floor(now.getTime() / 1000) * 1000 });
    expect(() => receiver.verify(body, headers)).toThrow(expect.objectContaining({ reason: 'REPLAYED' }));
    // Bare base64 secrets, as the reference library accepts them.
    const bare = new Webhook(secret.slice('whsec_'.length)).sign('msg_2', now, body);
    new WebhookReceiver(secret.slice('whsec_'.length)).verify(body, { ...headers, 'webhook-id': 'msg_2', 'webhook-signature': bare });
    expect(() => new WebhookReceiver(secret).verify(body.replace('1', '2'), headers)).toThrow(expect.objectContaining({ reason: 'INVALID_SIGNATURE' }));
    // verifyAsync (Web Crypto) accepts the reference library's signature as well.
    expect((await new WebhookReceiver(secret).verifyAsync(body, headers)).event).toEqual(event);
  });
});
