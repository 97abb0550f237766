import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeEvent } from '../../shared/index.js';
import { ok } from '../support/object-wire.js';
import { restApi } from '../support/webhook-api.js';
import { startWebhookSink, type ReceivedWebhook, type WebhookSink } from '../support/webhook-sink.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const FAST = { allowPrivateNetworks: true, retryDelaysMs: [20, 20, 20], retryJitter: 0, pollIntervalMs: 50, requestTimeoutMs: 2000 };
const eventOf = (request: ReceivedWebhook): RealtimeEvent => JSON.parse(request.body) as RealtimeEvent;

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

describe('object and area webhooks', () => {
  it('sends object.created, object.updated (not for location-only writes) and object.deleted, and area events', async () => {
    const api = restApi(t, await t.token({ sub: 'admin', realm: 'wh-obj', permissions: ['admin'] }));
    const endpoint = await api('POST', '/webhooks', {
      url: `${sink.url}/objects`,
      events: ['object.created', 'object.updated', 'object.deleted', 'area.created', 'area.updated', 'area.deleted'],
    });
    expect(endpoint.status).toBe(201);
    const writer = await t.rawSocket(await t.token({ sub: 'w', realm: 'wh-obj', permissions: ['service'] }));
    await ok(writer, 'object:set', { realm: 'wh-obj', id: 'riders/1', location: { latitude: 1, longitude: 1 } });
    for (let i = 0; i < 5; i += 1) await ok(writer, 'object:set', { realm: 'wh-obj', id: 'riders/1', location: { latitude: 1 + i / 100, longitude: 1 } });
    await ok(writer, 'object:update', { realm: 'wh-obj', id: 'riders/1', data: { charge: 0.5 } });
    await ok(writer, 'area:create', { realm: 'wh-obj', id: 'zone', shape: { cx: 1, cy: 1, r: 10 } });
    await ok(writer, 'area:update', { realm: 'wh-obj', id: 'zone', label: 'Z' });
    await ok(writer, 'area:delete', { realm: 'wh-obj', id: 'zone' });
    await ok(writer, 'object:delete', { realm: 'wh-obj', id: 'riders/1' });
    await sink.waitFor('/objects', 6, undefined, 10_000);
    const events = sink
      .on('/objects')
      .map(eventOf)
      .sort((a, b) => a.metadata.timestamp - b.metadata.timestamp);
    expect(events.map((event) => event.type).sort()).toEqual(
      ['area.created', 'area.deleted', 'area.updated', 'object.created', 'object.deleted', 'object.updated'].sort(),
    );
    expect(events.find((event) => event.type === 'object.updated')?.payload).toMatchObject({ id: 'riders/1', data: { charge: 0.5 } });
    expect(events.find((event) => event.type === 'object.deleted')?.payload).toMatchObject({ id: 'riders/1' });
    expect(events.every((event) => event.metadata.realm === 'wh-obj')).toBe(true);
  });
});
