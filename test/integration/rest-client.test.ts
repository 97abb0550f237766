import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  AuthError,
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  RealtimeRestClient,
  type RealtimeClient,
  type RealtimeRestClientOptions,
} from '../../client/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { recordingFetch } from '../support/recording-fetch.js';
import { nextSocketEvent } from '../support/socket-wait.js';
import { startTestServer, type TestClaims, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';
import { startWebhookSink, type WebhookSink } from '../support/webhook-sink.js';

// Loopback receivers need the private-network guard off; retries in milliseconds.
const FAST_WEBHOOKS = { allowPrivateNetworks: true, retryDelaysMs: [20, 20, 20], retryJitter: 0, pollIntervalMs: 50, requestTimeoutMs: 2000 };

let t: TestServer;
let sink: WebhookSink;
/** A backend: the `service` role in realm `rest`. */
let rest: RealtimeRestClient;

beforeAll(async () => {
  t = await startTestServer({ webhooks: FAST_WEBHOOKS, developmentMode: true });
  sink = await startWebhookSink();
  rest = await restClient({ sub: 'backend', realm: 'rest', permissions: ['service'] });
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

async function restClient(claims: TestClaims, options: Partial<RealtimeRestClientOptions> = {}): Promise<RealtimeRestClient> {
  return new RealtimeRestClient({ url: t.url, token: await t.token(claims), ...options });
}

async function connectedClient(claims: TestClaims): Promise<RealtimeClient> {
  const client = t.client({ token: await t.token(claims) });
  await client.ready();
  return client;
}

describe('RealtimeRestClient: publish', () => {
  it('publishes an event that subscribers receive, and answers it', async () => {
    const subscriber = await connectedClient({ sub: 'watcher', realm: 'rest' });
    subscriber.subscribe({ topic: 'order.updated' });
    await subscriber.ready();
    const received = nextEvent(subscriber, 'event:order.updated');

    const event = await rest.publish('order.updated', { orderId: 'o1', status: 'shipped' }, { type: 'order.shipped' });

    expect(event).toMatchObject({
      topic: 'order.updated',
      source: 'api',
      type: 'order.shipped',
      payload: { orderId: 'o1', status: 'shipped' },
      metadata: { realm: 'rest', publisher: 'backend' },
    });
    expect((await received).id).toBe(event.id);
  });

  it('checks the request with the socket schema and sends nothing the server would refuse', async () => {
    const recorder = recordingFetch();
    const checked = await restClient({ sub: 'backend', realm: 'rest', permissions: ['service'] }, { fetch: recorder.fetch });

    const error = await checked.publish('Not A Topic', {}).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).details).toEqual({ issues: [expect.objectContaining({ path: 'topic' })] });
    expect(recorder.requests).toEqual([]);
  });

  it('works in the realm of its realm option, or of rest.realm(id), sent as X-Realm', async () => {
    const recorder = recordingFetch();
    const multi = await restClient({ sub: 'backend', realms: ['rest', 'other'], permissions: ['service'] }, { realm: 'rest', fetch: recorder.fetch });

    expect((await multi.publish('realm.check', {})).metadata.realm).toBe('rest');
    const other = multi.realm('other');
    expect(other.realmId).toBe('other');
    expect((await other.publish('realm.check', {})).metadata.realm).toBe('other');
    expect(recorder.requests.map((request) => request.headers['x-realm'])).toEqual(['rest', 'other']);
    expect(recorder.requests.every((request) => !('realm' in (request.body as object)))).toBe(true);

    const error = await multi
      .realm('elsewhere')
      .publish('realm.check', {})
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ForbiddenError);
  });
});

describe('RealtimeRestClient: sync documents', () => {
  it('creates, reads, lists, replaces, merges, mutates and deletes', async () => {
    const created = (await rest.sync.create('notes', { title: 'Plan', tags: ['q3'] }, 'rest-n1')) as SyncDocument;
    expect(created).toMatchObject({ service: 'notes', id: 'rest-n1', revision: 1, data: { title: 'Plan', tags: ['q3'] } });

    expect(await rest.sync.get('notes', 'rest-n1')).toEqual(created);
    await rest.sync.create('notes', { title: 'Second' }, 'rest-n2');
    const first = await rest.sync.list('notes', { limit: 1 });
    expect(first.items.map((doc) => doc.id)).toEqual(['rest-n1']);
    expect(first.nextCursor).toBe('rest-n1');
    const second = await rest.sync.list('notes', { limit: 1, after: first.nextCursor });
    expect(second.items.map((doc) => doc.id)).toEqual(['rest-n2']);

    expect(await rest.sync.replace('notes', 'rest-n1', { title: 'Plan B' }, 1)).toMatchObject({ revision: 2, data: { title: 'Plan B' } });
    expect(await rest.sync.merge('notes', 'rest-n1', { meta: { pinned: true } })).toMatchObject({
      revision: 3,
      data: { title: 'Plan B', meta: { pinned: true } },
    });
    expect(
      await rest.sync.mutate('notes', 'rest-n1', [
        { op: 'increment', path: '/views', value: 2 },
        { op: 'set', path: '/meta/pinned', value: false },
      ]),
    ).toMatchObject({ revision: 4, data: { views: 2, meta: { pinned: false } } });
    expect(await rest.sync.delete('notes', 'rest-n1', 4)).toMatchObject({ revision: 5, deleted: true });

    await expect(rest.sync.get('notes', 'rest-n1')).rejects.toBeInstanceOf(NotFoundError);
    expect(await rest.sync.get('notes', 'rest-n1', { includeDeleted: true })).toMatchObject({ revision: 5, deleted: true });
  });

  it('generates an id when none is given, and sets an expiry', async () => {
    const expiresAt = Date.now() + 60_000;
    const created = await rest.sync.create('drafts', { text: 'x' }, undefined, { expiresAt });
    expect(created.id).toMatch(/^[0-9A-Z]{26}$/);
    expect(created.expiresAt).toBe(expiresAt);
    expect(await rest.sync.merge('drafts', created.id, { text: 'y' }, undefined, { expiresAt: null })).not.toHaveProperty('expiresAt');
  });

  it('throws the typed errors of the socket client: NOT_FOUND, ALREADY_EXISTS, CONFLICT with the current document', async () => {
    await expect(rest.sync.get('notes', 'nobody')).rejects.toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND' });
    await rest.sync.create('notes', { n: 1 }, 'rest-conflict');
    await expect(rest.sync.create('notes', { n: 1 }, 'rest-conflict')).rejects.toBeInstanceOf(AlreadyExistsError);
    await rest.sync.merge('notes', 'rest-conflict', { n: 2 });

    const error = await rest.sync.replace('notes', 'rest-conflict', { n: 3 }, 1).catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toMatchObject({ current: { id: 'rest-conflict', revision: 2, data: { n: 2 } } });
  });

  it('answers a write without R with metadata only, as the socket does', async () => {
    const writer = await restClient({ sub: 'device', realm: 'rest', per: { rest: { 'doc/readings/*': 'C' } } });
    const created = await writer.sync.create('readings', { celsius: 21 }, 'r1');
    expect(created).toMatchObject({ service: 'readings', id: 'r1', revision: 1 });
    expect(created).not.toHaveProperty('data');
    await expect(writer.sync.get('readings', 'r1')).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses bad input before sending, with the issues the server would list', async () => {
    const recorder = recordingFetch();
    const checked = await restClient({ sub: 'backend', realm: 'rest', permissions: ['service'] }, { fetch: recorder.fetch });
    await expect(checked.sync.create('Bad Service', {})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { issues: [{ path: 'service' }] } });
    await expect(checked.sync.list('notes', { limit: 5000 })).rejects.toMatchObject({ details: { issues: [{ path: 'limit' }] } });
    await expect(checked.sync.mutate('notes', 'n', [])).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(recorder.requests).toEqual([]);
  });
});

describe('RealtimeRestClient: channels and presence', () => {
  it('lists channels, broadcasts to members and sends direct messages', async () => {
    const member = await connectedClient({ sub: 'rest-member', realm: 'rest' });
    await member.socketClient.joinChannel('rest:lobby', { state: { status: 'here' } });

    expect(await rest.channels.list()).toContainEqual({ name: 'rest:lobby', memberCount: 1 });

    const message = nextSocketEvent(member.socketClient, 'message');
    expect(await rest.channels.broadcast('rest:lobby', 'announcement', { text: 'Deploy at 18:00' })).toMatchObject({
      realm: 'rest',
      channel: 'rest:lobby',
      event: 'announcement',
    });
    expect(await message).toMatchObject({ data: { text: 'Deploy at 18:00' }, from: { userId: 'backend', connectionId: null } });

    const direct = nextSocketEvent(member.socketClient, 'direct');
    expect(await rest.channels.directMessage({ userId: 'rest-member' }, 'ping', { n: 1 })).toEqual({ realm: 'rest', recipients: 1 });
    expect(await direct).toMatchObject({ event: 'ping', data: { n: 1 }, from: { userId: 'backend' } });
    const byConnection = nextSocketEvent(member.socketClient, 'direct');
    expect(await rest.channels.directMessage(member.socketClient.id!, 'pong')).toEqual({ realm: 'rest', recipients: 1 });
    expect(await byConnection).toMatchObject({ event: 'pong' });

    await expect(rest.channels.directMessage({ userId: 'nobody-here' }, 'ping')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('does not let the client role broadcast: a REST caller is never a member', async () => {
    const plain = await restClient({ sub: 'plain', realm: 'rest' });
    await expect(plain.channels.broadcast('rest:lobby', 'message', {})).rejects.toMatchObject({ name: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it('reads channel and document members, object status and the connection count', async () => {
    const before = await rest.presence.connectionCount();
    const member = await connectedClient({ sub: 'rest-present', realm: 'rest', per: { rest: { 'doc/notes/*': 'RP', 'channel/rest:*': 'RP' } } });
    const provider = await connectedClient({ sub: 'rider-7', realm: 'rest', dpv: { rest: ['riders/7'] } });
    await member.socketClient.joinChannel('rest:room', { state: { typing: false } });
    await member.socketClient.openDocument('notes', 'rest-open');

    expect(await rest.presence.members('rest:room')).toEqual([
      expect.objectContaining({ userId: 'rest-present', connectionId: member.socketClient.id, state: { typing: false } }),
    ]);
    expect(await rest.presence.members({ service: 'notes', id: 'rest-open' })).toEqual([
      expect.objectContaining({ userId: 'rest-present', connectionId: member.socketClient.id }),
    ]);
    expect(await rest.presence.status('riders/7')).toEqual({ id: 'riders/7', connectionStatus: 'connected', providerCount: 1 });
    expect(await rest.presence.status('riders/8')).toMatchObject({ connectionStatus: 'disconnected', providerCount: 0 });
    expect(await rest.presence.connectionCount()).toBe(before + 2);
    provider.disconnect();
  });

  it('refuses presence reads without P', async () => {
    const plain = await restClient({ sub: 'plain', realm: 'rest' });
    await expect(plain.presence.connectionCount()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(plain.presence.members({ service: 'notes', id: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe('RealtimeRestClient: webhooks', () => {
  it('manages endpoints: create, list, get, update, deactivate, activate, rotate the secret, delete', async () => {
    const admin = await restClient({ sub: 'boss', realm: 'rest-wh', permissions: ['admin'] });
    const created = await admin.webhooks.create({ url: `${sink.url}/crm`, events: ['document.updated'], description: 'CRM' });
    expect(created).toMatchObject({ realm: 'rest-wh', url: `${sink.url}/crm`, events: ['document.updated'], active: true, description: 'CRM' });
    expect(created.secret).toMatch(/^whsec_/);

    expect((await admin.webhooks.list()).map((endpoint) => endpoint.id)).toEqual([created.id]);
    expect(await admin.webhooks.get(created.id)).not.toHaveProperty('secret');
    expect(await admin.webhooks.update(created.id, { topics: ['order.*'], description: null })).toMatchObject({ topics: ['order.*'] });
    expect(await admin.webhooks.get(created.id)).not.toHaveProperty('description');
    expect(await admin.webhooks.deactivate(created.id)).toMatchObject({ active: false });
    await expect(admin.webhooks.test(created.id)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await admin.webhooks.activate(created.id)).toMatchObject({ active: true });
    const rotated = await admin.webhooks.rotateSecret(created.id, { gracePeriodMs: 1000 });
    expect(rotated.secret).not.toBe(created.secret);
    expect(rotated.previousSecretExpiresAt).toEqual(expect.any(Number));

    await admin.webhooks.delete(created.id);
    await expect(admin.webhooks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('sends a test delivery, lists deliveries and the log, and redelivers a dead letter', async () => {
    const admin = await restClient({ sub: 'boss', realm: 'rest-dl', permissions: ['admin'] });
    sink.respond((request) => (request.path === '/down' ? 500 : 200));
    const { id } = await admin.webhooks.create({ url: `${sink.url}/down` });

    const queued = await admin.webhooks.test(id);
    expect(queued).toMatchObject({ webhookId: id, event: 'webhook.test', status: 'pending' });
    const dead = await until(async () => (await admin.webhooks.deadLetters({ webhookId: id })).items[0]);
    expect(dead).toMatchObject({ id: queued.id, status: 'failed', attempts: 4, statusCode: 500 });
    expect((await admin.webhooks.deliveries(id, { status: 'failed' })).items.map((delivery) => delivery.id)).toEqual([queued.id]);
    expect((await admin.webhooks.logs({ event: 'webhook.test', webhookId: id })).items.map((delivery) => delivery.id)).toEqual([queued.id]);

    sink.respond(() => 200);
    expect(await admin.webhooks.redeliver(dead.id)).toMatchObject({ id: dead.id, status: 'pending', redeliveries: 1 });
    await until(async () => (await admin.webhooks.deliveries(id, { status: 'succeeded' })).items[0]);

    const again = await admin.webhooks.redeliver(dead.id).catch((err: unknown) => err);
    expect(again).toBeInstanceOf(ConflictError);
    expect((again as ConflictError).details).toMatchObject({ current: { id: dead.id, status: 'succeeded' } });
  });

  it('answers typed errors: 400 with the server issues, 403 without the admin role, 404 for another realm', async () => {
    const admin = await restClient({ sub: 'boss', realm: 'rest-err', permissions: ['admin'] });
    const invalid = await admin.webhooks.create({ url: 'not a url' }).catch((err: unknown) => err);
    expect(invalid).toBeInstanceOf(InvalidArgumentError);
    expect((invalid as InvalidArgumentError).details).toMatchObject({ issues: [{ path: 'url' }] });

    await expect(rest.webhooks.list()).rejects.toMatchObject({ name: 'ForbiddenError', details: { realm: 'rest', permission: 'admin' } });

    const { id } = await admin.webhooks.create({ url: `${sink.url}/mine` });
    const stranger = await restClient({ sub: 'boss', realm: 'rest-other', permissions: ['admin'] });
    await expect(stranger.webhooks.get(id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('RealtimeRestClient: tokens and authentication', () => {
  it('verifies its own token or another one', async () => {
    expect(await rest.tokens.verify()).toMatchObject({ valid: true, userId: 'backend', realms: ['rest'], roles: ['service'] });
    expect(await rest.tokens.verify(await t.token({ sub: 'someone', realm: 'x' }))).toMatchObject({ userId: 'someone', realms: ['x'] });
    await expect(rest.tokens.verify('not.a.token')).rejects.toMatchObject({ name: 'AuthError', code: 'AUTH_FAILED' });
  });

  it('mints development tokens on a server in development mode, and only there', async () => {
    const { token, expiresAt } = await rest.tokens.devToken({ sub: 'dev-user', realm: 'demo', expiresIn: '2h' });
    expect(expiresAt).toBeGreaterThan(Date.now() + 3_600_000);
    expect(await rest.tokens.verify(token)).toMatchObject({ userId: 'dev-user', realms: ['demo'] });

    const production = await startTestServer();
    try {
      const elsewhere = new RealtimeRestClient({ url: production.url, token: await production.token() });
      await expect(elsewhere.tokens.devToken({ sub: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    } finally {
      await production.close();
    }
  });

  it('fails with AuthError for a bad token, asks getToken for every request, and takes a new token with setToken', async () => {
    const forged = new RealtimeRestClient({ url: t.url, token: await t.token({ sub: 'x' }, { secret: 'another-secret-entirely-32-bytes!' }) });
    await expect(forged.sync.get('notes', 'x')).rejects.toBeInstanceOf(AuthError);

    const tokens = [
      await t.token({ sub: 'first', realm: 'rest', permissions: ['service'] }),
      await t.token({ sub: 'second', realm: 'rest', permissions: ['service'] }),
    ];
    let calls = 0;
    const rotating = new RealtimeRestClient({ url: t.url, getToken: async () => tokens[calls++ % 2]! });
    expect((await rotating.publish('token.check', {})).metadata.publisher).toBe('first');
    expect((await rotating.publish('token.check', {})).metadata.publisher).toBe('second');

    forged.setToken(tokens[0]!);
    await expect(forged.sync.get('notes', 'nobody')).rejects.toBeInstanceOf(NotFoundError);
  });
});

/** Polls `read` until it answers something (webhook deliveries happen in the background). */
async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('the condition never held');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
