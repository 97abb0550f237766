import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/index.js';
import { startFakeRealtimeServer, type FakeRealtimeServer } from '../support/fake-realtime-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('client heartbeats and ping', () => {
  it('measures the round trip of each heartbeat: client.ping and the ping event', async () => {
    const client = t.client({ token: await t.token({ realm: 'demo' }), heartbeatInterval: 100 });
    expect(client.ping).toBeUndefined();
    await client.ready();
    const { ms } = await nextEvent(client, 'ping');
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(client.ping).toBe(ms);
  });

  it('declares its interval to the server, which then closes the connection when heartbeats stop', async () => {
    const client = t.client({ token: await t.token({ sub: 'declared', realm: 'demo' }), heartbeatInterval: 150 });
    await client.ready();
    const server = [...t.server.io.of('/').sockets.values()].find((socket) => socket.data.principal?.userId === 'declared');
    expect(server?.handshake.auth).toMatchObject({ heartbeatInterval: 150 });
  });

  it('declares no heartbeat and sends none with heartbeatInterval: 0', async () => {
    const fake = await startFakeRealtimeServer();
    const client = new RealtimeClient({ url: fake.url, token: 'token', heartbeatInterval: 0 });
    try {
      fake.handle('auth:refresh', (request) => request.ok({ expiresAt: Date.now() + 60_000 }));
      await client.ready();
      await client.setToken('token-2');
      expect(fake.requestsOf('sys:ping')).toEqual([]);
      expect((fake.sockets[0]?.handshake.auth as Record<string, unknown>).heartbeatInterval).toBeUndefined();
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});

describe('client heartbeats against a server that stops answering them', () => {
  let fake: FakeRealtimeServer;
  let client: RealtimeClient | undefined;

  afterEach(async () => {
    client?.destroy();
    await fake.close();
  });

  it('closes the connection after two unanswered heartbeats and reconnects, resubscribing', async () => {
    fake = await startFakeRealtimeServer();
    fake.handle('subscribe', (request) =>
      request.ok({ subscriptionId: (request.payload as { subscriptionId: string }).subscriptionId, realm: 'default', topic: 'a.b' }),
    );
    fake.handle('sys:ping', () => undefined); // withheld: never answered
    client = new RealtimeClient({ url: fake.url, token: 'token', heartbeatInterval: 100, reconnectionDelay: 10, reconnectionDelayMax: 50 });
    client.subscribe({ topic: 'a.b' });
    await client.ready();
    const first = fake.socket;
    const changes = collect(client, 'connection');
    await changes.until(2);
    expect(changes.values.slice(0, 2).map(({ state, reason }) => [state, reason])).toEqual([
      ['reconnecting', 'heartbeat timeout'],
      ['connected', 'connect'],
    ]);
    expect(fake.handshakes.length).toBeGreaterThanOrEqual(2);
    // The heartbeat sent on the first connection was never answered; that connection is gone.
    expect(
      fake
        .requestsOf('sys:ping')
        .filter((request) => request.socket === first)
        .map((request) => request.answered),
    ).toEqual([false]);
    expect(first.connected).toBe(false);
    await fake.waitFor(() => fake.requestsOf('subscribe').length === 2, 5000, 'the resubscription');
  });
});
