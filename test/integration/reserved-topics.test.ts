import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { nextEvent } from '../support/wait.js';

// Topics and event types only the server writes: nobody, admin or service, may forge them.
let t: TestServer;
let admin: string;

beforeAll(async () => {
  t = await startTestServer();
  admin = await t.token({ sub: 'boss', realm: 'demo', permissions: ['admin'] });
});
afterAll(() => t.close());

function restPublish(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${t.url}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify(body),
  });
}

describe('server-reserved topics and types', () => {
  it('refuses a forged webhooks.status report over the socket and over REST, with FORBIDDEN', async () => {
    const client = t.client({ token: admin });
    await client.ready();
    const forged = { webhookId: 'wh_1', reason: 'gone', consecutiveFailures: 1, disabledAt: 1 };
    await expect(client.publish('webhooks.status', forged, { type: 'webhook.disabled' })).rejects.toMatchObject({
      name: 'ForbiddenError',
      code: 'FORBIDDEN',
      details: { resource: 'topic/webhooks.status' },
    });
    await expect(client.publish('webhooks.status', forged)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rest = await restPublish({ topic: 'webhooks.status', type: 'webhook.disabled', payload: forged });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses the server-only type webhook.disabled on any topic', async () => {
    const client = t.client({ token: admin });
    await expect(client.publish('orders.updated', { id: 1 }, { type: 'webhook.disabled' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await restPublish({ topic: 'orders.updated', type: 'webhook.disabled', payload: {} })).status).toBe(403);
    // Other types on the same topic are fine.
    expect((await restPublish({ topic: 'orders.updated', type: 'order.updated', payload: {} })).status).toBe(201);
  });

  it('still lets clients subscribe to webhooks.status, where only the server publishes', async () => {
    const client = t.client({ token: admin });
    client.subscribe({ topic: 'webhooks.status' });
    await client.ready();
    const report = nextEvent(client, 'event:webhooks.status');
    await t.server.publish({ realm: 'demo', topic: 'webhooks.status', source: 'api', type: 'webhook.disabled', payload: { webhookId: 'wh_2' } });
    expect((await report).payload).toEqual({ webhookId: 'wh_2' });
  });
});
