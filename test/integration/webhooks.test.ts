import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver, WebhookVerificationError } from '../../client/index.js';
import type { RealtimeEvent, WebhookEndpointView, WebhookEndpointWithSecret } from '../../shared/index.js';
import { deliveriesUntil, restApi, type Api } from '../support/webhook-api.js';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../support/webhook-sink.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// Loopback receivers need the private-network guard off; everything else keeps its defaults.
const FAST = { allowPrivateNetworks: true, retryDelaysMs: [20, 20, 20], retryJitter: 0, pollIntervalMs: 50, requestTimeoutMs: 2000 };

const eventOf = (request: ReceivedWebhook): RealtimeEvent => JSON.parse(request.body) as RealtimeEvent;

describe('webhooks: endpoints and signed deliveries', () => {
  let t: TestServer;
  let sink: WebhookSink;

  beforeAll(async () => {
    t = await startTestServer({ webhooks: FAST });
    sink = await startWebhookSink();
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  async function adminApi(realm: string): Promise<Api> {
    return restApi(t, await t.token({ sub: 'admin', realm, permissions: ['admin'] }));
  }

  async function createEndpoint(api: Api, body: Record<string, unknown>): Promise<WebhookEndpointWithSecret> {
    const created = await api<WebhookEndpointWithSecret>('POST', '/webhooks', body);
    expect(created.status).toBe(201);
    return created.body;
  }

  it('manages endpoints: create (secret shown once), list, get, patch, deactivate, activate, delete', async () => {
    const api = await adminApi('wh-manage');
    const created = await api<WebhookEndpointWithSecret>('POST', '/webhooks', {
      url: `${sink.url}/manage`,
      events: ['document.updated', 'document.updated', 'socket.message'],
      description: 'CRM sync',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/webhooks/${created.body.id}`);
    expect(created.body).toMatchObject({
      realm: 'wh-manage',
      url: `${sink.url}/manage`,
      events: ['document.updated', 'socket.message'],
      topics: [],
      active: true,
      consecutiveFailures: 0,
      description: 'CRM sync',
    });
    expect(created.body.id).toMatch(/^wh_[0-9A-Z]{26}$/);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const { id } = created.body;
    const listed = await api<WebhookEndpointView[]>('GET', '/webhooks');
    expect(listed.body).toHaveLength(1);
    expect(listed.body[0]).not.toHaveProperty('secret');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    const fetched = await api<WebhookEndpointView>('GET', `/webhooks/${id}`);
    expect(fetched.body).toEqual(listed.body[0]);

    const patched = await api<WebhookEndpointView>('PATCH', `/webhooks/${id}`, { topics: ['orders.*'], events: [], description: null });
    expect(patched.body).toMatchObject({ events: [], topics: ['orders.*'] });
    expect(patched.body).not.toHaveProperty('description');

    expect((await api<WebhookEndpointView>('POST', `/webhooks/${id}/deactivate`)).body.active).toBe(false);
    expect((await api<WebhookEndpointView>('POST', `/webhooks/${id}/activate`)).body.active).toBe(true);

    expect((await api('DELETE', `/webhooks/${id}`)).status).toBe(204);
    expect((await api('GET', `/webhooks/${id}`)).body).toMatchObject({ code: 'NOT_FOUND', error: 'NotFoundError' });
    expect((await api('DELETE', `/webhooks/${id}`)).status).toBe(404);
  });

  it('delivers document, socket, presence and topic events signed; our WebhookReceiver verifies them', async () => {
    const realm = 'wh-deliver';
    const api = await adminApi(realm);
    const { id, secret } = await createEndpoint(api, { url: `${sink.url}/all` });

    // Documents
    expect((await api('POST', '/sync/notes/documents', { id: 'n1', data: { title: 'a' } })).status).toBe(201);
    await api('PUT', '/sync/notes/documents/n1', { data: { title: 'b' } });
    await api('DELETE', '/sync/notes/documents/n1');
    // Connections, channels, presence, messages
    const alice = t.client({ token: await t.token({ sub: 'alice', realm }) });
    await alice.ready();
    await alice.socketClient.joinChannel('lobby', { state: { mood: 'ok' } });
    await alice.socketClient.publish('lobby', 'chat', { text: 'hi' });
    await alice.socketClient.directMessage({ userId: 'alice' }, 'ping', { n: 1 });
    // A topic event over REST
    await api('POST', '/events', { topic: 'orders.created', type: 'order.created', payload: { orderId: 7 } });
    alice.disconnect();

    const received = await sink.waitFor('/all', 1, (r) => eventOf(r).topic === 'socket.disconnect');
    const events = sink.on('/all').map(eventOf);
    const byTopic = (topic: string) => events.filter((event) => event.topic === topic);
    expect(byTopic('sync.notes.created')[0]).toMatchObject({ source: 'sync', type: 'sync.created', payload: { id: 'n1', revision: 1, data: { title: 'a' } } });
    expect(byTopic('sync.notes.updated')[0]?.payload).toMatchObject({ revision: 2, data: { title: 'b' } });
    // The `full` shape: the document, no patch.
    expect(byTopic('sync.notes.updated')[0]?.payload).not.toHaveProperty('patch');
    expect(byTopic('sync.notes.deleted')[0]?.payload).toMatchObject({ deleted: true, revision: 3 });
    expect(byTopic('socket.connect')[0]).toMatchObject({ type: 'socket.connect', payload: { userId: 'alice' }, metadata: { realm } });
    expect(byTopic('presence.updated')[0]).toMatchObject({
      type: 'presence.join',
      payload: { channel: 'lobby', type: 'join', member: { userId: 'alice', state: { mood: 'ok' } }, userJoined: true },
    });
    expect(byTopic('socket.message').map((event) => event.type)).toEqual(['channel.message', 'direct.message']);
    expect(byTopic('socket.message')[0]?.payload).toMatchObject({ channel: 'lobby', event: 'chat', data: { text: 'hi' }, from: { userId: 'alice' } });
    expect(byTopic('socket.message')[1]?.payload).toMatchObject({ event: 'ping', to: { userId: 'alice' }, recipients: 1 });
    expect(byTopic('orders.created')[0]).toMatchObject({ source: 'api', type: 'order.created', payload: { orderId: 7 } });
    expect(received.length).toBe(1);

    const receiver = new WebhookReceiver(secret);
    for (const request of sink.on('/all')) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      const verified = receiver.verify(request.body, request.headers);
      expect(verified.id).toBe(request.headers['webhook-id']);
      expect(verified.event.id).toBe(verified.id);
      expect(verified.timestamp).toBe(Number(request.headers['webhook-timestamp']) * 1000);
    }

    // The sink answered every request; the log records the last answer a moment later.
    const items = await deliveriesUntil(api, id, (list) => list.every((item) => item.status === 'succeeded'));
    const types = new Set(items.map((item) => item.event));
    for (const type of [
      'document.created',
      'document.updated',
      'document.deleted',
      'socket.connect',
      'socket.disconnect',
      'socket.message',
      'presence.updated',
      'event.published',
    ]) {
      expect(types).toContain(type);
    }
    expect(items.every((item) => item.status === 'succeeded' && item.attempts === 1 && item.statusCode === 200)).toBe(true);
  });

  it('filters by event type and by topic pattern', async () => {
    const realm = 'wh-filters';
    const api = await adminApi(realm);
    await createEndpoint(api, { url: `${sink.url}/deleted`, events: ['document.deleted', 'event.published'], topics: ['sync.*', 'done'] });
    await createEndpoint(api, { url: `${sink.url}/orders`, topics: ['orders.*', 'done'] });
    await createEndpoint(api, { url: `${sink.url}/created-only`, events: ['event.published'], topics: ['orders.created', 'done'] });

    await api('POST', '/sync/notes/documents', { id: 'f1', data: {} });
    await api('DELETE', '/sync/notes/documents/f1');
    for (const topic of ['orders.created', 'orders.item.added', 'ordersx.created', 'other.thing']) {
      await api('POST', '/events', { topic, payload: {} });
    }
    await api('POST', '/events', { topic: 'done', payload: {} });

    const topicsOn = async (path: string) => (await sink.waitFor(path, 1, (r) => eventOf(r).topic === 'done'), sink.on(path).map((r) => eventOf(r).topic));
    // Deliveries to one endpoint keep their order when nothing fails, so `done` arrives last.
    expect(await topicsOn('/deleted')).toEqual(['sync.notes.deleted', 'done']);
    expect(await topicsOn('/orders')).toEqual(['orders.created', 'orders.item.added', 'done']);
    expect(await topicsOn('/created-only')).toEqual(['orders.created', 'done']);
  });

  it('keeps realms apart: endpoints, events and management', async () => {
    const api = await adminApi('wh-iso-a');
    const { id } = await createEndpoint(api, { url: `${sink.url}/iso` });
    const both = restApi(t, await t.token({ sub: 'root', realms: ['wh-iso-a', 'wh-iso-b'], permissions: ['admin'] }));
    const bApi = await adminApi('wh-iso-b');

    await bApi('POST', '/events', { topic: 'secret.plans', payload: { realm: 'b' } });
    await api('POST', '/events', { topic: 'public.news', payload: { realm: 'a' } });
    await sink.waitFor('/iso', 1, (r) => eventOf(r).topic === 'public.news');
    expect(sink.on('/iso').map((r) => eventOf(r).metadata.realm)).toEqual(['wh-iso-a']);

    expect((await bApi('GET', `/webhooks/${id}`)).status).toBe(404);
    expect((await bApi('POST', `/webhooks/${id}/deactivate`)).status).toBe(404);
    expect((await bApi<unknown[]>('GET', '/webhooks')).body).toEqual([]);
    expect((await both('GET', `/webhooks/${id}?realm=wh-iso-b`)).status).toBe(404);
    expect((await both('GET', `/webhooks/${id}?realm=wh-iso-a`)).status).toBe(200);
    const outsider = await bApi('GET', '/webhooks', undefined, { 'x-realm': 'wh-iso-a' });
    expect(outsider.body).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('is for admins only', async () => {
    const realm = 'wh-admin';
    const service = restApi(t, await t.token({ sub: 'svc', realm, permissions: ['service'] }));
    const client = restApi(t, await t.token({ sub: 'c', realm }));
    for (const api of [service, client]) {
      const answer = await api('POST', '/webhooks', { url: `${sink.url}/x` });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'FORBIDDEN', error: 'ForbiddenError', details: { realm, permission: 'admin' } });
      expect((await api('GET', '/webhooks')).status).toBe(403);
    }
    expect((await fetch(`${t.url}/api/webhooks`)).status).toBe(401);
  });

  it('rotates secrets: both sign during the grace period, then only the new one', async () => {
    const api = await adminApi('wh-rotate');
    const { id, secret: oldSecret } = await createEndpoint(api, { url: `${sink.url}/rotate` });
    const rotated = await api<WebhookEndpointWithSecret>('POST', `/webhooks/${id}/rotate-secret`, { gracePeriodMs: 60_000 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body.previousSecretExpiresAt).toBeGreaterThan(Date.now());

    await api('POST', '/events', { topic: 'rotation.one', payload: {} });
    const [during] = await sink.waitFor('/rotate', 1, (r) => eventOf(r).topic === 'rotation.one');
    expect(String(during?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    new WebhookReceiver(oldSecret).verify(during!.body, during!.headers);
    new WebhookReceiver(newSecret).verify(during!.body, during!.headers);

    // A caller-chosen secret, with no grace period: the previous ones stop at once.
    const chosen = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const immediate = await api<WebhookEndpointWithSecret>('POST', `/webhooks/${id}/rotate-secret`, { secret: chosen, gracePeriodMs: 0 });
    expect(immediate.body.secret).toBe(chosen);
    expect(immediate.body).not.toHaveProperty('previousSecretExpiresAt');
    await api('POST', '/events', { topic: 'rotation.two', payload: {} });
    const [after] = await sink.waitFor('/rotate', 1, (r) => eventOf(r).topic === 'rotation.two');
    expect(String(after?.headers['webhook-signature']).split(' ')).toHaveLength(1);
    new WebhookReceiver(chosen).verify(after!.body, after!.headers);
    for (const stale of [oldSecret, newSecret]) {
      expect(() => new WebhookReceiver(stale).verify(after!.body, after!.headers)).toThrow(expect.objectContaining({ reason: 'INVALID_SIGNATURE' }));
    }
  });

  it('sends a test event on request', async () => {
    const api = await adminApi('wh-test');
    const { id, secret } = await createEndpoint(api, { url: `${sink.url}/test-event`, events: ['document.deleted'] });
    const queued = await api('POST', `/webhooks/${id}/test`);
    expect(queued.status).toBe(202);
    expect(queued.body).toMatchObject({ webhookId: id, event: 'webhook.test', topic: 'webhook.test', status: 'pending' });
    const [request] = await sink.waitFor('/test-event', 1);
    const { event } = new WebhookReceiver(secret).verify(request!.body, request!.headers);
    expect(event).toMatchObject({
      topic: 'webhook.test',
      type: 'webhook.test',
      payload: { webhookId: id },
      metadata: { realm: 'wh-test', publisher: 'admin' },
    });

    await api('POST', `/webhooks/${id}/deactivate`);
    expect((await api('POST', `/webhooks/${id}/test`)).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('rejects tampered, forged, stale and replayed deliveries with the right reason', async () => {
    const api = await adminApi('wh-verify');
    const { secret } = await createEndpoint(api, { url: `${sink.url}/verify` });
    await api('POST', '/events', { topic: 'verify.me', payload: { amount: 10 } });
    const [request] = await sink.waitFor('/verify', 1);
    const { body, headers } = request!;
    const reasonOf = (verify: () => unknown) => {
      let err: unknown;
      try {
        verify();
      } catch (error) {
        err = error;
      }
      expect(err).toBeInstanceOf(WebhookVerificationError);
      return (err as WebhookVerificationError).reason;
    };
    expect(reasonOf(() => new WebhookReceiver(secret).verify(body.replace('10', '11'), headers))).toBe('INVALID_SIGNATURE');
    const wrong = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    expect(reasonOf(() => new WebhookReceiver(wrong).verify(body, headers))).toBe('INVALID_SIGNATURE');
    const later = Number(headers['webhook-timestamp']) * 1000 + 301_000;
    expect(reasonOf(() => new WebhookReceiver(secret, { now: () => later }).verify(body, headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const receiver = new WebhookReceiver(secret);
    receiver.verify(body, headers);
    expect(reasonOf(() => receiver.verify(body, headers))).toBe('REPLAYED');
    const { 'webhook-id': _id, ...withoutId } = headers;
    expect(reasonOf(() => receiver.verify(body, withoutId))).toBe('MISSING_HEADER');
  });
});

describe('webhooks: invalid endpoint input', () => {
  let t: TestServer;
  let api: Api;

  beforeAll(async () => {
    // The default policy: private and loopback addresses are refused.
    t = await startTestServer();
    api = restApi(t, await t.token({ sub: 'admin', realm: 'wh-input', permissions: ['admin'] }));
  });
  afterAll(() => t.close());

  const issueOf = async (body: unknown, method = 'POST', path = '/webhooks') => {
    const answer = await api<{ code: string; error: string; details: { issues: { path: string; message: string }[] } }>(method, path, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'INVALID_ARGUMENT', error: 'InvalidArgumentError' });
    return answer.body.details.issues[0];
  };

  it('refuses malformed URLs', async () => {
    expect(await issueOf({})).toMatchObject({ path: 'url', message: 'url is required' });
    expect(await issueOf({ url: 'not a url' })).toMatchObject({ path: 'url', message: expect.stringContaining('absolute') });
    expect(await issueOf({ url: 'ftp://example.com/hook' })).toMatchObject({ path: 'url', message: expect.stringContaining('http') });
    expect(await issueOf({ url: 'https://example.com/hook#x' })).toMatchObject({ path: 'url' });
    expect(await issueOf({ url: `https://example.com/${'a'.repeat(2100)}` })).toMatchObject({ path: 'url' });
  });

  it('refuses private, loopback and link-local addresses unless allowed', async () => {
    for (const url of [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://api.localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.1.10/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://[fd00::1]/hook',
      'http://0x7f.1/hook',
      // IPv6 forms embedding a loopback or private IPv4 address.
      'http://[::127.0.0.1]/hook',
      'http://[::ffff:0:127.0.0.1]/hook',
      'http://[2002:7f00:1::]/hook',
      'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook',
      'http://[64:ff9b::a9fe:a9fe]/latest/meta-data',
    ]) {
      expect(await issueOf({ url }), url).toMatchObject({ path: 'url', message: expect.stringContaining('private') });
    }
    const { body } = await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url: 'https://93.184.215.14/hook' });
    expect(body.url).toBe('https://93.184.215.14/hook');
    expect(await issueOf({ url: 'http://127.0.0.1/x' }, 'PATCH', `/webhooks/${body.id}`)).toMatchObject({ path: 'url' });
  });

  it('refuses unknown event types, bad topic patterns, bad secrets and unknown fields', async () => {
    const url = 'https://93.184.215.14/hook';
    expect(await issueOf({ url, events: ['document.updated', 'document.exploded'] })).toMatchObject({
      path: 'events.1',
      message: expect.stringContaining('unknown webhook event type'),
    });
    expect(await issueOf({ url, events: 'document.updated' })).toMatchObject({ path: 'events' });
    expect(await issueOf({ url, topics: ['Orders.*'] })).toMatchObject({ path: 'topics.0' });
    expect(await issueOf({ url, topics: ['orders..x'] })).toMatchObject({ path: 'topics.0' });
    expect(await issueOf({ url, secret: 'your-webhook-secret' })).toMatchObject({ path: 'secret', message: expect.stringContaining('whsec_') });
    expect(await issueOf({ url, secret: `whsec_${Buffer.alloc(8).toString('base64')}` })).toMatchObject({ path: 'secret' });
    expect(await issueOf({ url, active: false })).toMatchObject({ message: expect.stringContaining('active') });
    expect(await issueOf({ url, description: 'x'.repeat(501) })).toMatchObject({ path: 'description' });
    const { body } = await api<WebhookEndpointWithSecret>('POST', '/webhooks', { url });
    expect(await issueOf({}, 'PATCH', `/webhooks/${body.id}`)).toMatchObject({ message: expect.stringContaining('at least one') });
    expect(await issueOf({ gracePeriodMs: -1 }, 'POST', `/webhooks/${body.id}/rotate-secret`)).toMatchObject({ path: 'gracePeriodMs' });
    expect((await api('GET', '/webhooks/not-an-id')).status).toBe(400);
    expect((await api('GET', '/webhooks/wh_01JUNKNOWN')).status).toBe(404);
  });
});
