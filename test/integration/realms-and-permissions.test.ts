import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../client/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function restPublish(token: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${t.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
}

describe('realm isolation', () => {
  it('never delivers realm B events to a realm A client, even on the same topic', async () => {
    const inA = t.client({ token: await t.token({ realm: 'tenant-a' }) });
    const inB = t.client({ token: await t.token({ realm: 'tenant-b' }) });
    inA.subscribe({ topic: 'invoice.paid' });
    inB.subscribe({ topic: 'invoice.paid' });
    await Promise.all([inA.ready(), inB.ready()]);
    const seenByA = collect(inA, 'event');
    const seenByB = collect(inB, 'event');

    const serviceB = await t.token({ sub: 'svc', realm: 'tenant-b', permissions: ['service'] });
    const serviceA = await t.token({ sub: 'svc', realm: 'tenant-a', permissions: ['service'] });
    expect((await restPublish(serviceB, { topic: 'invoice.paid', payload: { n: 1 } })).status).toBe(201);
    expect((await restPublish(serviceA, { topic: 'invoice.paid', payload: { n: 2 } })).status).toBe(201);
    await Promise.all([seenByA.until(1), seenByB.until(1)]);
    const sentinel = nextEvent(inA, 'event', (event) => event.payload.n === 3);
    await restPublish(serviceA, { topic: 'invoice.paid', payload: { n: 3 } });
    await sentinel;

    expect(seenByA.values.map((event) => [event.metadata.realm, event.payload.n])).toEqual([
      ['tenant-a', 2],
      ['tenant-a', 3],
    ]);
    expect(seenByB.values.map((event) => [event.metadata.realm, event.payload.n])).toEqual([['tenant-b', 1]]);
  });

  it('refuses a realm the token does not grant, on the socket and on REST', async () => {
    const client = t.client({ token: await t.token({ realm: 'tenant-a' }) });
    const errors = collect(client, 'error');
    client.realm('tenant-b').subscribe({ topic: 'invoice.paid' });
    await expect(client.ready()).rejects.toBeInstanceOf(ForbiddenError);
    expect(errors.values[0]?.details).toMatchObject({ subscriptionId: 'sub_1' });

    const service = await t.token({ sub: 'svc', realm: 'tenant-a', permissions: ['service'] });
    const refused = await restPublish(service, { realm: 'tenant-b', topic: 'invoice.paid', payload: {} });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it('lets one connection work in several granted realms through realm views', async () => {
    const client = t.client({ token: await t.token({ realms: ['north', 'south'], permissions: ['service'] }), realm: 'north' });
    const south = client.realm('south');
    expect(client.realm('south')).toBe(south);
    client.subscribe({ topic: 'fleet.moved' });
    south.subscribe({ topic: 'fleet.moved' });
    await client.ready();
    const northEvents = collect(client, 'event');
    const southEvents = collect(south, 'event:fleet.moved');

    await south.publish('fleet.moved', { n: 1 });
    await client.publish('fleet.moved', { n: 2 });
    await Promise.all([northEvents.until(1), southEvents.until(1)]);
    expect(northEvents.values.map((event) => event.payload.n)).toEqual([2]);
    expect(southEvents.values.map((event) => [event.metadata.realm, event.payload.n])).toEqual([['south', 1]]);
  });

  it('puts a token that names no realm in the "default" realm', async () => {
    const client = t.client({ token: await t.token({ permissions: ['service'] }) });
    expect(client.realmId).toBe('default');
    client.subscribe({ topic: 'plain.topic' });
    await client.ready();
    const received = nextEvent(client, 'event');
    await client.publish('plain.topic', { ok: 1 });
    expect((await received).metadata.realm).toBe('default');
  });
});

describe('permissions', () => {
  it('lets a client-role token subscribe but not publish', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }) });
    client.subscribe({ topic: 'order.updated' });
    await client.ready();
    await expect(client.publish('order.updated', { n: 1 })).rejects.toMatchObject({
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      details: { resource: 'topic/order.updated' },
    });
    const refused = await restPublish(await t.token({ realm: 'demo' }), { topic: 'order.updated', payload: {} });
    expect(refused.status).toBe(403);
    expect(client.connected).toBe(true);
  });

  it('applies Hivekit per patterns to subscribe and publish', async () => {
    const token = await t.token({ sub: 'rider', per: { london: { 'topic/rider.*': 'CR', 'topic/dispatch.orders': 'R' } } });
    const client = t.client({ token });
    expect(client.realmId).toBe('london');
    const errors = collect(client, 'error');
    client.subscribe({ topic: 'rider.location' });
    client.subscribe({ topic: 'dispatch.orders' });
    const denied = client.subscribe({ topic: 'payroll.run' });
    await expect(client.ready()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await client.ready();
    expect(errors.values.map((error) => (error.details as { subscriptionId: string }).subscriptionId)).toEqual([denied]);

    await expect(client.publish('rider.location', { lat: 51.5 })).resolves.toMatchObject({ topic: 'rider.location' });
    await expect(client.publish('dispatch.orders', {})).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rest = await restPublish(token, { topic: 'rider.status', payload: { on: true } });
    expect(rest.status).toBe(201);
  });

  it('keeps server-owned topics (sync.*, presence.status) closed to publishers, even services', async () => {
    const service = t.client({ token: await t.token({ realm: 'demo', permissions: ['service'] }) });
    await expect(service.publish('presence.status', { id: 'riders/1', connectionStatus: 'connected' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(service.publish('sync.notes.updated', { id: 'n1' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rest = await restPublish(await t.token({ realm: 'demo', permissions: ['admin'] }), { topic: 'presence.status', payload: {} });
    expect(rest.status).toBe(403);
  });

  it('lets capability strings grant subscribe and publish', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo', permissions: ['subscribe', 'publish'] }) });
    client.subscribe({ topic: 'cap.test' });
    await client.ready();
    const received = nextEvent(client, 'event');
    await client.publish('cap.test', { ok: true });
    expect((await received).payload).toEqual({ ok: true });
  });
});
