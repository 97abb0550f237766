import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelMessage } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** Records a socket client's channel messages; `until(n)` waits for the n-th. */
function messagesOf(sc: { on(event: 'message', listener: (message: ChannelMessage) => void): () => void }) {
  const values: ChannelMessage[] = [];
  let wake: (() => void) | undefined;
  sc.on('message', (message) => {
    values.push(message);
    wake?.();
  });
  return {
    values,
    async until(count: number): Promise<void> {
      while (values.length < count) await new Promise<void>((resolve) => (wake = resolve));
    },
  };
}

function rejoinedOf(sc: { on(event: 'rejoined', listener: (notice: { channel: string; recovered: boolean }) => void): () => void }) {
  return new Promise<{ channel: string; recovered: boolean }>((resolve) => {
    const off = sc.on('rejoined', (notice) => {
      off();
      resolve(notice);
    });
  });
}

describe('channel messages after a reconnect', () => {
  it('delivers what a member missed while disconnected, in order and once, then live ones', async () => {
    const alice = t.client({ token: await t.token({ sub: 'alice', realm: 'demo' }) });
    const bob = t.client({ token: await t.token({ sub: 'bob', realm: 'demo' }) });
    await alice.socketClient.joinChannel('room:away');
    await bob.socketClient.joinChannel('room:away');
    const received = messagesOf(bob.socketClient);
    await alice.socketClient.publish('room:away', 'say', { n: 1 });
    await received.until(1);

    bob.disconnect();
    for (let n = 2; n <= 6; n += 1) await alice.socketClient.publish('room:away', 'say', { n });
    const rejoined = rejoinedOf(bob.socketClient);
    bob.connect();
    expect(await rejoined).toEqual({ channel: 'room:away', recovered: true });
    await alice.socketClient.publish('room:away', 'say', { n: 7 });
    await received.until(7);
    expect(received.values.map((message) => (message.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(received.values.every((message) => message.from.userId === 'alice')).toBe(true);
  });

  it('loses nothing when the server drops a member while messages keep coming', async () => {
    const alice = t.client({ token: await t.token({ sub: 'talker', realm: 'demo', permissions: ['service'] }) });
    const bob = t.client({ token: await t.token({ sub: 'listener', realm: 'demo' }) });
    await bob.socketClient.joinChannel('room:flow');
    const received = messagesOf(bob.socketClient);
    const total = 300;
    for (let n = 1; n <= total; n += 1) {
      await alice.socketClient.publish('room:flow', 'tick', { n });
      if (n === 80 || n === 200) {
        for (const socket of t.server.io.of('/').sockets.values()) {
          if (socket.data.principal.userId === 'listener') socket.disconnect(true);
        }
      }
      if (n % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await received.until(total);
    expect(received.values.map((message) => (message.data as { n: number }).n)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  });

  it('says recovered: false when the channel history no longer covers the gap', async () => {
    const small = await startTestServer({ history: { maxEvents: 10 } });
    try {
      const alice = small.client({ token: await small.token({ sub: 'alice', realm: 'demo' }) });
      const bob = small.client({ token: await small.token({ sub: 'bob', realm: 'demo' }) });
      await alice.socketClient.joinChannel('room:gone');
      await bob.socketClient.joinChannel('room:gone');
      const received = messagesOf(bob.socketClient);
      bob.disconnect();
      for (let n = 1; n <= 30; n += 1) await alice.socketClient.publish('room:gone', 'say', { n });
      const rejoined = rejoinedOf(bob.socketClient);
      bob.connect();
      expect(await rejoined).toEqual({ channel: 'room:gone', recovered: false });
      await alice.socketClient.publish('room:gone', 'say', { n: 31 });
      await received.until(1);
      expect(received.values.map((message) => (message.data as { n: number }).n)).toEqual([31]);
    } finally {
      await small.close();
    }
  });
});
