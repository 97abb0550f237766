import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage, PresenceEvent, RealtimeClient } from '../../client/index.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

// Issue 11, item 4, across two nodes sharing Redis (presence in the Redis store, rooms through the
// adapter): a refreshed token that no longer grants the realm takes the connection out of its
// channels and data-provider registrations, and members on the other node see it go.

let redis: RedisTestServer;
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  redis = await startRedis();
  a = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix } });
  b = await startTestServer({ redis: { url: redis.url, keyPrefix: redis.keyPrefix }, auth: { secret: a.secret } });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
});

describe('a token refresh on one node of a cluster', () => {
  it('is seen from the other node: presence leave, provider disconnected, no more channel messages', async () => {
    const realm = 'cluster-refresh';
    const bob: RealtimeClient = b.client({ token: await a.token({ sub: 'bob', realm, permissions: ['service'] }) });
    bob.subscribe({ topic: 'presence.status' });
    await bob.ready();
    await bob.socketClient.joinChannel('lobby');
    const status = collect(bob, 'event:presence.status');
    const presence: PresenceEvent[] = [];
    bob.socketClient.on('presence', (event) => presence.push(event));

    const alice = a.client({ token: await a.token({ sub: 'alice', realm, dpv: { [realm]: ['riders/alice'] } }) });
    await alice.ready();
    await status.until(1);
    const aliceJoined = new Promise<void>((resolve) => {
      const off = bob.socketClient.on('presence', (event) => {
        if (event.type === 'join' && event.member.userId === 'alice') {
          off();
          resolve();
        }
      });
    });
    await alice.socketClient.joinChannel('lobby');
    await aliceJoined;
    const messages: ChannelMessage[] = [];
    alice.socketClient.on('message', (message) => messages.push(message));

    const revoked = nextEvent(alice, 'error', (error) => (error.details as { channel?: string } | undefined)?.channel === 'lobby');
    const left = new Promise<PresenceEvent>((resolve) => {
      const off = bob.socketClient.on('presence', (event) => {
        if (event.type === 'leave' && event.member.userId === 'alice') {
          off();
          resolve(event);
        }
      });
    });
    await alice.setToken(await a.token({ sub: 'alice', realm: 'cluster-elsewhere' }));
    expect(await revoked).toMatchObject({ code: 'FORBIDDEN' });
    expect(await left).toMatchObject({ type: 'leave', channel: 'lobby', reason: 'revoked' });
    await status.until(2);
    expect(status.values.map((event) => event.payload)).toEqual([
      { id: 'riders/alice', connectionStatus: 'connected' },
      { id: 'riders/alice', connectionStatus: 'disconnected' },
    ]);
    expect((await bob.socketClient.members('lobby')).map((member) => member.userId)).toEqual(['bob']);
    expect(await bob.connectionStatus('riders/alice')).toBe('disconnected');

    // A lobby message from the other node, then an event alice does receive on the same connection.
    alice.realm('cluster-elsewhere').subscribe({ topic: 'marker.sent' });
    await alice.ready();
    await bob.socketClient.publish('lobby', 'chat', { text: 'anyone?' });
    const marker = nextEvent(alice.realm('cluster-elsewhere'), 'event:marker.sent');
    const elsewhere = b.client({ token: await a.token({ sub: 'svc', realm: 'cluster-elsewhere', permissions: ['service'] }) });
    await elsewhere.publish('marker.sent', {});
    await marker;
    expect(messages).toEqual([]);
    expect(presence.filter((event) => event.member.userId === 'alice').map((event) => event.type)).toEqual(['join', 'leave']);
  });
});
