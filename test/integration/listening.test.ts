import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeClient } from '../../client/index.js';
import type { RealtimeError } from '../../shared/index.js';
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
});
