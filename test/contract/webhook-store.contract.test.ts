import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryWebhookStore } from '../../server/webhooks/memory-webhook-store.js';
import { MongoWebhookStore } from '../../server/webhooks/mongo-webhook-store.js';
import type { StoredDelivery, StoredEndpoint, WebhookStore } from '../../server/webhooks/webhook-store.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';

// One contract for every WebhookStore, the way the document stores share theirs.
const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
afterAll(() => mongo.stop());

let collectionCounter = 0;
const stores: { name: string; create: () => WebhookStore }[] = [
  { name: 'memory store', create: () => new MemoryWebhookStore() },
  {
    name: `MongoDB store (${ferret ? 'FerretDB' : mongo.kind})`,
    create: () => {
      collectionCounter += 1;
      return new MongoWebhookStore({
        url: mongo.url,
        dbName: mongo.dbName,
        endpointsCollection: `endpoints_${collectionCounter}`,
        deliveriesCollection: `deliveries_${collectionCounter}`,
      });
    },
  },
];

const T0 = 1_700_000_000_000;

function endpoint(id: string, realm = 'r1', extra: Partial<StoredEndpoint> = {}): StoredEndpoint {
  return {
    id,
    realm,
    url: `https://example.com/${id}`,
    events: [],
    topics: [],
    active: true,
    secrets: [{ value: 'whsec_AAAA', createdAt: T0 }],
    consecutiveFailures: 0,
    createdAt: T0,
    updatedAt: T0,
    ...extra,
  };
}

let deliveryCounter = 0;
function delivery(webhookId: string, extra: Partial<StoredDelivery> = {}, realm = 'r1'): StoredDelivery {
  deliveryCounter += 1;
  return {
    id: `dlv_${String(deliveryCounter).padStart(10, '0')}`,
    realm,
    webhookId,
    eventId: `evt${deliveryCounter}`,
    eventType: 'event.published',
    topic: 'orders.created',
    body: '{"a.b":{"$x":1}}',
    status: 'pending',
    attempts: 0,
    createdAt: T0,
    updatedAt: T0,
    nextAttemptAt: T0,
    redeliveries: 0,
    ...extra,
  };
}

describe.each(stores)('WebhookStore contract: $name', ({ create }) => {
  let store: WebhookStore;
  beforeEach(async () => {
    store = create();
    await store.ready();
  });
  afterEach(() => store.close());

  it('stores, lists, updates and deletes endpoints per realm', async () => {
    await store.insertEndpoint(endpoint('wh_1', 'r1', { description: 'one', events: ['document.updated'] }));
    await store.insertEndpoint(endpoint('wh_2', 'r1'));
    await store.insertEndpoint(endpoint('wh_3', 'r2'));
    expect((await store.listEndpoints('r1')).map((e) => e.id)).toEqual(['wh_1', 'wh_2']);
    expect(await store.countEndpoints('r1')).toBe(2);
    await store.insertEndpoint(endpoint('wh_4', 'r3', { active: false }));
    expect((await store.activeRealms()).sort()).toEqual(['r1', 'r2']);
    expect(await store.getEndpoint('r1', 'wh_1')).toEqual(endpoint('wh_1', 'r1', { description: 'one', events: ['document.updated'] }));
    expect(await store.getEndpoint('r2', 'wh_1')).toBeUndefined();

    const updated = await store.updateEndpoint('r1', 'wh_1', { url: 'https://x.example/', description: null, topics: ['a.*'], updatedAt: T0 + 1 });
    expect(updated).toMatchObject({ url: 'https://x.example/', topics: ['a.*'], updatedAt: T0 + 1 });
    expect(updated).not.toHaveProperty('description');
    expect(await store.updateEndpoint('r2', 'wh_1', { active: false, updatedAt: T0 })).toBeUndefined();

    await store.insertDeliveries([delivery('wh_1'), delivery('wh_2')]);
    expect(await store.deleteEndpoint('r2', 'wh_1')).toBe(false);
    expect(await store.deleteEndpoint('r1', 'wh_1')).toBe(true);
    expect(await store.getEndpoint('r1', 'wh_1')).toBeUndefined();
    expect((await store.listDeliveries('r1', { limit: 10 })).items.map((d) => d.webhookId)).toEqual(['wh_2']);
  });

  it('counts failure runs and resets them', async () => {
    await store.insertEndpoint(endpoint('wh_f'));
    expect(await store.recordEndpointFailure('r1', 'wh_f', T0 + 10)).toMatchObject({ consecutiveFailures: 1, failingSince: T0 + 10 });
    expect(await store.recordEndpointFailure('r1', 'wh_f', T0 + 20)).toMatchObject({ consecutiveFailures: 2, failingSince: T0 + 10 });
    await store.recordEndpointSuccess('r1', 'wh_f', T0 + 30);
    const after = await store.getEndpoint('r1', 'wh_f');
    expect(after?.consecutiveFailures).toBe(0);
    expect(after).not.toHaveProperty('failingSince');
    await store.recordEndpointFailure('r1', 'wh_f', T0 + 40);
    const reset = await store.updateEndpoint('r1', 'wh_f', { active: true, resetFailures: true, updatedAt: T0 + 50 });
    expect(reset?.consecutiveFailures).toBe(0);
    expect(reset).not.toHaveProperty('failingSince');
    expect(await store.recordEndpointFailure('r2', 'wh_f', T0)).toBeUndefined();
  });

  it('hands out one lease per endpoint, renewable by its owner, free once expired or released', async () => {
    await store.insertEndpoint(endpoint('wh_l'));
    expect(await store.acquireLease('r1', 'wh_l', 'node-a', T0, T0 + 1000)).toBe(true);
    expect(await store.acquireLease('r1', 'wh_l', 'node-b', T0 + 500, T0 + 1500)).toBe(false);
    expect(await store.acquireLease('r1', 'wh_l', 'node-a', T0 + 500, T0 + 1500)).toBe(true);
    expect(await store.acquireLease('r1', 'wh_l', 'node-b', T0 + 1500, T0 + 2500)).toBe(true);
    await store.releaseLease('r1', 'wh_l', 'node-a'); // not the holder: no effect
    expect(await store.acquireLease('r1', 'wh_l', 'node-a', T0 + 1600, T0 + 2600)).toBe(false);
    await store.releaseLease('r1', 'wh_l', 'node-b');
    expect(await store.acquireLease('r1', 'wh_l', 'node-a', T0 + 1600, T0 + 2600)).toBe(true);
    // A lease never shows in the endpoint.
    expect(Object.keys((await store.getEndpoint('r1', 'wh_l')) ?? {})).not.toContain('leaseOwner');
  });

  it('finds due work per endpoint, oldest first', async () => {
    const first = delivery('wh_a', { nextAttemptAt: T0 + 5 });
    const second = delivery('wh_a', { nextAttemptAt: T0 });
    const later = delivery('wh_a', { nextAttemptAt: T0 + 1000 });
    const other = delivery('wh_b');
    const done = delivery('wh_c', { status: 'succeeded' });
    await store.insertDeliveries([first, second, later, other, done]);
    const due = await store.dueEndpoints(T0 + 10, 10);
    expect(due).toHaveLength(2);
    expect(due).toEqual(
      expect.arrayContaining([
        { realm: 'r1', webhookId: 'wh_a' },
        { realm: 'r1', webhookId: 'wh_b' },
      ]),
    );
    expect((await store.dueEndpoints(T0 + 10, 1)).length).toBe(1);
    expect(await store.dueEndpoints(T0 - 1, 10)).toEqual([]);
    expect((await store.nextDueDelivery('r1', 'wh_a', T0 + 10))?.id).toBe(first.id);
    await store.updateDelivery('r1', first.id, { status: 'succeeded', attempts: 1, deliveredAt: T0 + 11, nextAttemptAt: null, updatedAt: T0 + 11 });
    expect((await store.nextDueDelivery('r1', 'wh_a', T0 + 10))?.id).toBe(second.id);
    expect(await store.nextDueDelivery('r2', 'wh_a', T0 + 10)).toBeUndefined();
    expect(await store.getDelivery('r1', second.id)).toEqual(second);
  });

  it('updates deliveries, conditionally on their status', async () => {
    const item = delivery('wh_u');
    await store.insertDeliveries([item]);
    const failed = await store.updateDelivery('r1', item.id, {
      status: 'failed',
      attempts: 3,
      failedAt: T0 + 1,
      nextAttemptAt: null,
      statusCode: 500,
      lastError: 'HTTP 500',
      updatedAt: T0 + 1,
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, statusCode: 500, lastError: 'HTTP 500' });
    expect(failed).not.toHaveProperty('nextAttemptAt');
    expect(await store.updateDelivery('r1', item.id, { status: 'pending', updatedAt: T0 }, 'succeeded')).toBeUndefined();
    const again = await store.updateDelivery(
      'r1',
      item.id,
      { status: 'pending', attempts: 0, nextAttemptAt: T0 + 2, failedAt: null, updatedAt: T0 + 2 },
      'failed',
    );
    expect(again).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: T0 + 2, body: item.body });
    expect(again).not.toHaveProperty('failedAt');
    expect(await store.updateDelivery('r2', item.id, { status: 'failed', updatedAt: T0 })).toBeUndefined();
  });

  it('lists deliveries newest first, filtered and paged', async () => {
    const items = [delivery('wh_p'), delivery('wh_p', { status: 'failed' }), delivery('wh_q'), delivery('wh_p', { eventType: 'socket.message' })];
    await store.insertDeliveries(items);
    await store.insertDeliveries([delivery('wh_p', {}, 'r2')]);
    const page1 = await store.listDeliveries('r1', { webhookId: 'wh_p', limit: 2 });
    expect(page1.items.map((d) => d.id)).toEqual([items[3]!.id, items[1]!.id]);
    expect(page1.nextCursor).toBe(items[1]!.id);
    const page2 = await store.listDeliveries('r1', { webhookId: 'wh_p', limit: 2, after: page1.nextCursor! });
    expect(page2.items.map((d) => d.id)).toEqual([items[0]!.id]);
    expect(page2).not.toHaveProperty('nextCursor');
    expect((await store.listDeliveries('r1', { status: 'failed', limit: 10 })).items.map((d) => d.id)).toEqual([items[1]!.id]);
    expect((await store.listDeliveries('r1', { eventType: 'socket.message', limit: 10 })).items.map((d) => d.id)).toEqual([items[3]!.id]);
  });

  it('pauses and resumes an endpoint’s deliveries, and sweeps old ones', async () => {
    const a = delivery('wh_m');
    const b = delivery('wh_m');
    const ok = delivery('wh_m', { status: 'succeeded', deliveredAt: T0 });
    const dead = delivery('wh_m', { status: 'failed', failedAt: T0 + 100 });
    await store.insertDeliveries([a, b, ok, dead]);
    expect(await store.moveDeliveries('r1', 'wh_m', 'pending', 'paused', T0 + 1)).toBe(2);
    expect(await store.dueEndpoints(T0 + 10, 10)).toEqual([]);
    expect(await store.getDelivery('r1', a.id)).not.toHaveProperty('nextAttemptAt');
    expect(await store.moveDeliveries('r1', 'wh_m', 'paused', 'pending', T0 + 2)).toBe(2);
    expect(await store.getDelivery('r1', a.id)).toMatchObject({ status: 'pending', nextAttemptAt: T0 + 2 });
    expect(await store.sweepDeliveries(T0 + 1, T0 + 50)).toBe(1);
    expect(await store.getDelivery('r1', ok.id)).toBeUndefined();
    expect(await store.sweepDeliveries(T0 + 1, T0 + 101)).toBe(1);
    expect(await store.getDelivery('r1', dead.id)).toBeUndefined();
    expect(await store.getDelivery('r1', a.id)).toBeDefined();
  });

  it('refuses work once closed', async () => {
    await store.close();
    await expect(store.listEndpoints('r1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
