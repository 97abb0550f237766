import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDocumentStore, MongoDocumentStore } from '../../server/index.js';
import type { RegisteredTopic, TopicSchemaVersion } from '../../shared/index.js';
import { startMongo, type MongoTestServer } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { restApi, type Api } from '../support/webhook-api.js';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';

/**
 * The topic and schema registry as a platform team uses it over REST: register a topic and
 * schema versions, activate one, and every publish to the topic (REST and socket) is checked.
 */

const orderSchema = {
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
};

describe('the topic and schema registry', () => {
  let t: TestServer;
  let admin: Api;
  let reader: Api;

  beforeAll(async () => {
    t = await startTestServer();
    admin = restApi(t, await t.token({ sub: 'platform-team', realm: 'shop', permissions: ['admin'] }));
    reader = restApi(t, await t.token({ sub: 'consumer', realm: 'shop', permissions: ['subscribe'] }));
  });
  afterAll(() => t.close());

  it('creates, lists, reads, updates and deletes topics; only admins write', async () => {
    const created = await admin<RegisteredTopic>('POST', '/topics', { name: 'orders.created', description: 'New orders', owner: 'checkout' });
    expect(created).toMatchObject({ status: 201, body: { name: 'orders.created', description: 'New orders', owner: 'checkout', latestVersion: 0 } });
    expect((await admin('POST', '/topics', { name: 'orders.created' })).status).toBe(409);
    expect((await reader('POST', '/topics', { name: 'orders.paid' })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect(await reader('GET', '/topics/orders.created')).toMatchObject({ status: 200, body: { owner: 'checkout' } });
    await admin('POST', '/topics', { name: 'orders.paid' });
    const listed = await reader<{ items: RegisteredTopic[] }>('GET', '/topics');
    expect(listed.body.items.map((topic) => topic.name)).toEqual(['orders.created', 'orders.paid']);
    expect(await admin('PATCH', '/topics/orders.paid', { owner: 'billing' })).toMatchObject({ status: 200, body: { owner: 'billing' } });
    expect((await admin('DELETE', '/topics/orders.paid')).status).toBe(204);
    expect((await reader('GET', '/topics/orders.paid')).body).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses bad input with INVALID_ARGUMENT', async () => {
    expect((await admin('POST', '/topics', { name: 'Not A Topic' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await admin('POST', '/topics', { name: 'a.b', colour: 'red' })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await admin('POST', '/schemas/orders.created', { schema: { type: 'object', requried: ['id'] } })).body).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('requried'),
    });
    expect((await admin('PATCH', '/topics/orders.created', { activeSchemaVersion: 0 })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await admin('GET', '/schemas/orders.created/first')).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('numbers schema versions and refuses one that is not backward compatible, naming why', async () => {
    const first = await admin<TopicSchemaVersion>('POST', '/schemas/orders.created', { schema: orderSchema });
    expect(first).toMatchObject({ status: 201, body: { topic: 'orders.created', version: 1, compatibilityMode: 'backward', schema: orderSchema } });
    const breaking = await admin('POST', '/schemas/orders.created', {
      schema: { ...orderSchema, required: ['id', 'amount', 'currency'], properties: { ...orderSchema.properties, currency: { type: 'string' } } },
    });
    expect(breaking).toMatchObject({
      status: 409,
      body: { code: 'CONFLICT', details: { against: 1, issues: [{ path: '/required', message: expect.stringContaining('"currency"') }] } },
    });
    const grown = { ...orderSchema, properties: { ...orderSchema.properties, currency: { type: 'string' } } };
    expect((await admin<TopicSchemaVersion>('POST', '/schemas/orders.created', { schema: grown })).body.version).toBe(2);
    // `none` takes any change.
    const forced = await admin<TopicSchemaVersion>('POST', '/schemas/orders.created', { schema: { type: 'object' }, compatibilityMode: 'none' });
    expect(forced.body).toMatchObject({ version: 3, compatibilityMode: 'none' });
    expect((await reader<{ items: TopicSchemaVersion[] }>('GET', '/schemas/orders.created')).body.items.map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await reader<TopicSchemaVersion>('GET', '/schemas/orders.created/latest')).body.version).toBe(3);
    expect((await reader<TopicSchemaVersion>('GET', '/schemas/orders.created/2')).body.schema).toEqual(grown);
    expect((await reader('GET', '/schemas/orders.created/9')).status).toBe(404);
    expect((await reader('POST', '/schemas/orders.created', { schema: {} })).status).toBe(403);
  });

  it('validates a payload on request, against the chosen, active or latest version', async () => {
    expect(await reader('POST', '/schemas/orders.created/validate', { payload: { id: 'o1' }, version: 1 })).toMatchObject({
      status: 200,
      body: { valid: false, version: 1, errors: [{ path: '', message: "must have required property 'amount'" }] },
    });
    expect((await reader('POST', '/schemas/orders.created/validate', { payload: { id: 'o1' } })).body).toMatchObject({ valid: true, version: 3 });
  });

  it('checks every publish to a topic with an active schema, over REST and the socket, with the schema errors', async () => {
    const backendToken = await t.token({ sub: 'checkout', realm: 'shop', permissions: ['service'] });
    const backend = restApi(t, backendToken);
    const client = t.client({ token: backendToken });
    // No active version yet: anything goes.
    expect((await backend('POST', '/events', { topic: 'orders.created', payload: { anything: true } })).status).toBe(201);
    expect((await admin<RegisteredTopic>('PATCH', '/topics/orders.created', { activeSchemaVersion: 1 })).body.activeSchemaVersion).toBe(1);
    const refused = await backend('POST', '/events', { topic: 'orders.created', payload: { id: 'o1', amount: -5 } });
    expect(refused).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', details: { topic: 'orders.created', version: 1, issues: [{ path: ['payload', 'amount'], message: 'must be >= 0' }] } },
    });
    await expect(client.publish('orders.created', { amount: 3 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { issues: [{ path: ['payload'], message: "must have required property 'id'" }] },
    });
    await expect(client.publish('orders.created', { id: 'o2', amount: 3 })).resolves.toMatchObject({ payload: { id: 'o2', amount: 3 } });
    // The connection stays usable, and other topics are not checked.
    await expect(client.publish('orders.other', { whatever: 1 })).resolves.toMatchObject({ topic: 'orders.other' });
    // Turning validation off takes effect at once.
    await admin('PATCH', '/topics/orders.created', { activeSchemaVersion: null });
    expect((await backend('POST', '/events', { topic: 'orders.created', payload: { amount: -5 } })).status).toBe(201);
    // A version that does not exist cannot be activated.
    expect((await admin('PATCH', '/topics/orders.created', { activeSchemaVersion: 42 })).status).toBe(404);
  });

  it("keeps the registry's documents out of the sync API, even for an admin", async () => {
    const sync = t.client({ token: await t.token({ sub: 'root', realm: 'shop', permissions: ['admin'] }) }).sync;
    await expect(sync.get('_topics', 'orders.created')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(sync.replace('_schemas', 'orders.created.v1', { schema: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the registry across two nodes', () => {
  let nodes: TwoNodes;
  const documents = new MemoryDocumentStore();

  beforeAll(async () => {
    nodes = await startTwoNodes({ documents });
  });
  afterAll(() => nodes.close());

  it('activating a schema on one node checks publishes on the other once the change reaches it', async () => {
    const admin = restApi({ url: nodes.urls[0] }, await nodes.token('team', { realm: 'demo', permissions: ['admin'] }));
    const publisher = await nodes.client(1, await nodes.token('svc'));
    await admin('POST', '/topics', { name: 'sensors.reading' });
    await admin('POST', '/schemas/sensors.reading', { schema: { type: 'object', required: ['value'] } });
    // Node B caches "no active schema" for the topic on this publish...
    await expect(publisher.publish('sensors.reading', {})).resolves.toBeDefined();
    await admin('PATCH', '/topics/sensors.reading', { activeSchemaVersion: 1 });
    // ...and drops it when node A announces the change.
    await expect
      .poll(() =>
        publisher.publish('sensors.reading', {}).then(
          () => 'accepted',
          (err: { code: string }) => err.code,
        ),
      )
      .toBe('INVALID_ARGUMENT');
  });
});

describe('the registry in MongoDB', () => {
  let mongo: MongoTestServer;

  beforeAll(async () => {
    mongo = await startMongo();
  });
  afterAll(() => mongo.stop());

  it('keeps topics and schema versions across a restart', async () => {
    const start = () => startTestServer({ documents: new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }) });
    const first = await start();
    const adminClaims = { sub: 'team', realm: 'shop', permissions: ['admin'] };
    try {
      const admin = restApi(first, await first.token(adminClaims));
      expect((await admin('POST', '/topics', { name: 'orders.created', owner: 'checkout' })).status).toBe(201);
      expect((await admin('POST', '/schemas/orders.created', { schema: orderSchema })).status).toBe(201);
      expect((await admin('PATCH', '/topics/orders.created', { activeSchemaVersion: 1 })).status).toBe(200);
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      const admin = restApi(second, await second.token(adminClaims));
      expect((await admin<RegisteredTopic>('GET', '/topics/orders.created')).body).toMatchObject({
        owner: 'checkout',
        activeSchemaVersion: 1,
        latestVersion: 1,
      });
      expect((await admin('POST', '/events', { topic: 'orders.created', payload: {} })).body).toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await second.close();
    }
  });
});
