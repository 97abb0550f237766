import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import type { RealtimeError } from '../../shared/index.js';
import { ok } from '../support/object-wire.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Listening (`client.listen`) on one node, from a client's first moments. */
let t: TestServer;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await t.close();
});

async function serviceClient(sub: string): Promise<{ client: RealtimeClient; errors: RealtimeError[] }> {
  const client = t.client({ token: await t.token({ sub, realm: 'demo', permissions: ['service'] }) });
  clients.push(client);
  const errors: RealtimeError[] = [];
  client.on('error', (err) => errors.push(err));
  return { client, errors };
}

describe('listening', () => {
  it('a listen() made while the client is still connecting is registered once, and offered streams', async () => {
    const { client: provider, errors } = await serviceClient('early-provider');
    // Not awaited `ready()`: the request waits for the connection, as the resubscriber does.
    const offered: string[] = [];
    const stop = await provider.listen('early.*', (match, response) => {
      offered.push(match);
      response.accept();
    });
    const { client: subscriber } = await serviceClient('early-subscriber');
    subscriber.subscribe({ topic: 'early.prices' });
    await subscriber.ready();
    await expect.poll(() => offered).toEqual(['early.prices']);
    await expect(subscriber.listening.hasProvider('early.prices')).resolves.toBe(true);
    expect(errors).toEqual([]);
    stop();
  });

  it('listens again after a reconnect, once', async () => {
    const { client: provider, errors } = await serviceClient('reconnecting-provider');
    const offered: string[] = [];
    await provider.listen('again.*', (match, response) => {
      offered.push(match);
      response.accept();
    });
    provider.disconnect();
    provider.connect();
    await provider.ready();
    const { client: subscriber } = await serviceClient('again-subscriber');
    subscriber.subscribe({ topic: 'again.prices' });
    await subscriber.ready();
    await expect.poll(() => offered).toEqual(['again.prices']);
    expect(errors).toEqual([]);
  });

  it("moves a topic's provider with a subscription replaced by id, and stops it when the subscriber closes", async () => {
    const { client: provider, errors } = await serviceClient('moving-provider');
    const events: string[] = [];
    await provider.listen('moving.*', (match, response) => {
      events.push(`start ${match}`);
      response.accept();
      response.onStop((reason) => events.push(`stop ${match} ${reason}`));
    });
    const subscriber = await t.rawSocket(await t.token({ sub: 'moving-subscriber', realm: 'demo' }));
    await ok(subscriber, 'subscribe', { topic: 'moving.a', subscriptionId: 'mine' });
    await expect.poll(() => events).toEqual(['start moving.a']);
    // Same id, another topic: moving.a has no subscriber left, moving.b has one.
    await ok(subscriber, 'subscribe', { topic: 'moving.b', subscriptionId: 'mine' });
    await expect.poll(() => [...events].sort()).toEqual(['start moving.a', 'start moving.b', 'stop moving.a no-subscribers']);
    subscriber.disconnect();
    await expect.poll(() => events).toContain('stop moving.b no-subscribers');
    expect(events).toHaveLength(4);
    expect(errors).toEqual([]);
  });
});
