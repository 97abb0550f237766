import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import HivekitClient, { type HivekitRealm } from '../../client/hivekit/index.js';
import type { Area, RealmObject } from '../../shared/index.js';
import { eventually } from '../support/client-managers.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
let serviceToken: string;
const clients: HivekitClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
  serviceToken = await t.token({ sub: 'backend', realms: ['ws-realm', 'http-realm', 'gone'], permissions: ['service'] });
});
afterEach(async () => {
  for (const client of clients.splice(0)) if (client.connectionStatus !== 'disconnected') await client.disconnect();
});
afterAll(() => t.close());

async function connected(token = serviceToken, options: Record<string, unknown> = {}): Promise<HivekitClient> {
  const client = new HivekitClient({ logErrors: false, reconnectInterval: 50, ...options });
  clients.push(client);
  await client.connect(`${t.url.replace('http', 'ws')}/ws`);
  await client.authenticate(token);
  return client;
}

async function overHttp(token = serviceToken): Promise<HivekitClient> {
  const client = new HivekitClient({ logErrors: false });
  clients.push(client);
  await client.useHTTP(`${t.url}/api/v1/ws`);
  await client.authenticate(token);
  return client;
}

/** Every Hivekit call the dialect offers, the same over WebSocket and over HTTP. */
async function exerciseEveryCall(client: HivekitClient, realmId: string): Promise<void> {
  await client.realm.create(realmId, 'The realm', { owner: 'ops' });
  await expect(client.realm.create(realmId)).rejects.toMatchObject({ code: 409 });
  expect(Object.keys(await client.realm.list())).toContain(realmId);
  await expect(client.realm.get('nope')).rejects.toMatchObject({ code: expect.any(Number) });
  const realm: HivekitRealm = await client.realm.get(realmId);
  expect(realm.label).toBe('The realm');
  expect(await realm.getData('owner')).toBe('ops');
  await realm.setData('zone', 3);
  await realm.setData('owner', null);
  expect(await realm.getData()).toEqual({ zone: 3 });
  await realm.setLabel('Renamed');
  expect(realm.label).toBe('Renamed');

  await realm.object.create('riders/1', { label: 'Ada', location: { latitude: '52.52', longitude: '13.405' }, data: { type: 'bike', charge: 0.9 } });
  await expect(realm.object.create('riders/1', {})).rejects.toMatchObject({ code: 409 });
  await realm.object.update('riders/1', { data: { charge: 0.5 } });
  await realm.object.create('riders/2', { label: 'Bo', location: { latitude: 52.7, longitude: 13.3 }, data: { type: 'car' } });
  const ada = await realm.object.get('riders/1');
  expect(ada).toMatchObject({ id: 'riders/1', label: 'Ada', data: { type: 'bike', charge: 0.5 }, connectionStatus: 'disconnected' });
  expect(ada.location).toMatchObject({ latitude: 52.52, longitude: 13.405 });
  await expect(realm.object.get('riders/9')).rejects.toMatchObject({ code: 404 });
  expect(Object.keys(await realm.object.list({ where: 'type="bike"' }))).toEqual(['riders/1']);
  expect(Object.keys(await realm.object.list({ attribute: ['type="car"'] }))).toEqual(['riders/2']);
  expect(Object.keys(await realm.object.list({ shape: { west: 13.3, north: 52.6, east: 13.5, south: 52.4 } }))).toEqual(['riders/1']);
  expect((await realm.object.list({ field: ['charge'] }))['riders/1']?.data).toEqual({ charge: 0.5 });
  await realm.object.set('riders/3', { location: { latitude: 52.5, longitude: 13.4 } });
  await expect.poll(async () => Object.keys(await realm.object.list())).toContain('riders/3');

  const entries = await realm.history.get('riders/1', { startTime: new Date(0), endTime: new Date(Date.now() + 60_000) });
  expect(entries.map((entry) => entry.data)).toEqual([
    { type: 'bike', charge: 0.9 },
    { type: 'bike', charge: 0.5 },
  ]);

  await realm.area.create('centre', { label: 'Centre', shape: { cx: '13.405', cy: 52.52, r: 1000 } });
  await expect(realm.area.create('centre', { shape: { cx: 13.405, cy: 52.52, r: 1000 } })).rejects.toMatchObject({ code: 409 });
  await expect(realm.area.create('bad', { shape: { cx: 1 } })).rejects.toMatchObject({ code: 400, message: expect.stringMatching(/unknown shape data/) });
  await realm.area.update('centre', { data: { tier: 1 } });
  const centre: Area = await realm.area.get('centre');
  expect(centre).toMatchObject({ id: 'centre', shape: 'circle', shapeData: { cx: 13.405, cy: 52.52, r: 1000 }, data: { tier: 1 } });
  expect(Object.keys(await realm.area.list())).toEqual(['centre']);

  const hits = await realm.search('ada', { field: ['label'] });
  expect(hits).toContainEqual(expect.objectContaining({ id: 'riders/1', type: 'object', field: 'label' }));
  await realm.pubsub.publish('alert', 'riders/1', { text: 'hi' });

  await realm.object.delete('riders/2');
  await expect(realm.object.get('riders/2')).rejects.toMatchObject({ code: 404 });
  await realm.area.delete('centre');
  await client.realm.delete(realmId);
  await expect(client.realm.get(realmId)).rejects.toMatchObject({ code: 404 });
}

describe('HivekitClient against the real server', () => {
  it('every call over WebSocket', async () => {
    const client = await connected();
    expect(client.connectionStatus).toBe('authenticated');
    expect(client.serverVersion).toEqual(expect.any(String));
    expect(client.serverBuildDate).toEqual(expect.any(String));
    await exerciseEveryCall(client, 'ws-realm');
  });

  it('every call over HTTP (useHTTP), with the Bearer token; subscriptions refused', async () => {
    const client = await overHttp();
    expect(client.mode).toBe('http');
    await exerciseEveryCall(client, 'http-realm');
    await expect(client.realm.subscribe()).rejects.toMatchObject({ code: 400 });
  });

  it('a bad token rejects with 401, a missing right with 403', async () => {
    const client = new HivekitClient({ logErrors: false });
    clients.push(client);
    await client.connect(t.url);
    await expect(client.authenticate(await t.token({ sub: 'x' }, { secret: 'not-the-secret-not-the-secret-123' }))).rejects.toMatchObject({ code: 401 });
    await client.authenticate(await t.token({ sub: 'reader', realm: 'ws-realm' }));
    await expect(client.realm.create('ws-realm')).rejects.toMatchObject({ code: 403 });
  });

  it('subscriptions: object feeds with where and shape, update and cancel; areas; realm updates', async () => {
    const backend = await connected();
    await backend.realm.create('gone', 'Feeds');
    const writer = await backend.realm.get('gone');
    await writer.object.create('riders/1', { location: { latitude: 52.52, longitude: 13.405 }, data: { type: 'bike' } });

    const watcher = await connected(await t.token({ sub: 'watcher', realm: 'gone' }));
    const realm = await watcher.realm.get('gone');
    const subscription = await realm.object.subscribe({ where: ['type="bike"'], shape: { cx: 13.405, cy: 52.52, r: 2000 } });
    const seen: [string[], string, string[], string[]][] = [];
    subscription.on('update', (objects: Record<string, RealmObject>, changes, type) => {
      seen.push([Object.keys(objects), type, Object.keys(changes.added), Object.keys(changes.removed)]);
    });
    await eventually(() => seen.length >= 1);
    expect(seen[0]).toEqual([['riders/1'], 'full', ['riders/1'], []]);
    await writer.object.create('riders/2', { location: { latitude: 52.521, longitude: 13.404 }, data: { type: 'bike' } });
    await eventually(() => seen.some(([ids]) => ids.includes('riders/2')));
    await subscription.update({ where: ['type="bike"'], shape: { cx: 0, cy: 0, r: 100 } });
    await eventually(() => seen.at(-1)?.[0].length === 0, 5000, 'the map panned away');
    expect(seen.at(-1)?.[3].sort()).toEqual(['riders/1', 'riders/2']);
    await subscription.cancel();

    const areas = await realm.area.subscribe({ executeImmediately: true });
    const areaIds: string[][] = [];
    areas.on('update', (byId) => void areaIds.push(Object.keys(byId)));
    await writer.area.create('zone', { shape: { cx: 13.4, cy: 52.5, r: 100 } });
    await eventually(() => areaIds.some((ids) => ids.includes('zone')));
    await expect(realm.area.subscribe({ shape: {} })).rejects.toEqual({ message: 'unknown field "shape"', code: 400 });

    // A bound by an area id, and a roaming geofence around an object.
    await writer.area.create('dock', { shape: { cx: 13.405, cy: 52.52, r: 300 } });
    const inDock = await realm.object.subscribe({ area: 'dock' });
    const docked: string[][] = [];
    inDock.on('update', (objects) => void docked.push(Object.keys(objects).sort()));
    await eventually(() => docked.at(-1)?.join(',') === 'riders/1,riders/2', 5000, 'the riders in the dock area');
    const near = await realm.object.subscribe({ target: { id: 'riders/1', r: '500' } });
    const nearby: string[][] = [];
    near.on('update', (objects) => void nearby.push(Object.keys(objects).sort()));
    await eventually(() => (nearby.at(-1) ?? []).includes('riders/2'), 5000, 'riders near riders/1');

    const realmFeed = await watcher.realm.subscribe();
    const realmUpdates: string[] = [];
    realmFeed.on('update', (_realms, changes) => void realmUpdates.push(...Object.values(changes.updated).map((info) => (info as { label: string }).label)));

    const updates: unknown[] = [];
    realm.on('update', (r: HivekitRealm) => void updates.push(r.label));
    await writer.setLabel('Feeds, renamed');
    await eventually(() => updates.includes('Feeds, renamed'), 5000, "the realm's 'update' from the server");
    await eventually(() => realmUpdates.includes('Feeds, renamed'), 5000, 'client.realm.subscribe() hearing the rename');
  });

  it('reconnect: the server drops the socket; the client re-authenticates by itself and re-subscribes', async () => {
    const backend = await connected();
    await backend.realm.create('ws-realm', 'Reconnect').catch(() => undefined);
    const writer = await backend.realm.get('ws-realm');
    const client = await connected(await t.token({ sub: 'roamer', realm: 'ws-realm' }));
    const statuses: string[] = [];
    client.on('connectionStatusChanged', (status: string) => void statuses.push(status));
    const realm = await client.realm.get('ws-realm');
    const messages: unknown[] = [];
    await realm.pubsub.subscribe('alert', 'riders/*', (data, id) => void messages.push([id, data]));
    const subscription = await realm.object.subscribe({ where: ['type="boat"'] });
    const sets: string[][] = [];
    subscription.on('update', (objects) => void sets.push(Object.keys(objects)));

    for (const socket of t.server.io.of('/').sockets.values()) if (socket.data.principal?.userId === 'roamer') socket.disconnect(true);
    await eventually(() => statuses.length >= 4 && client.connectionStatus === 'authenticated', 5000, 'back to authenticated');
    expect(statuses).toEqual(['disconnected', 'connecting', 'connected', 'authenticated']);

    await writer.object.create('boats/1', { data: { type: 'boat' } });
    await eventually(() => sets.some((ids) => ids.includes('boats/1')), 5000, 'the re-subscribed feed');
    await expect
      .poll(async () => {
        await writer.pubsub.publish('alert', 'riders/7', { n: 1 });
        return messages.length > 0;
      })
      .toBe(true);
    expect(messages[0]).toEqual(['riders/7', { n: 1 }]);

    // publish(event, data) without an id goes to '*': a '*' subscription hears it, 'riders/*' does not.
    const everything: unknown[] = [];
    await realm.pubsub.subscribe('alert', (data, id) => void everything.push([id, data]));
    await writer.pubsub.publish('alert', { n: 2 });
    await eventually(() => everything.length > 0, 5000, 'the message to every id');
    expect(everything).toEqual([['*', { n: 2 }]]);
    expect(messages).not.toContainEqual(['*', { n: 2 }]);
  });
});
