import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_LIMITS } from '../../server/history/event-history.js';
import { MemoryEventHistory } from '../../server/history/memory-event-history.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;

beforeAll(async () => {
  // Rate limits off: the flood stands for what many connections could send together.
  t = await startTestServer({ rateLimits: { enabled: false } });
});
afterAll(() => t.close());

function memoryHistory(server: TestServer): MemoryEventHistory {
  const { history } = server.server;
  expect(history).toBeInstanceOf(MemoryEventHistory);
  return history as MemoryEventHistory;
}

describe('channel history stays within its byte bounds', () => {
  it('keeps at most maxStreamBytes of a channel flooded with 2,000 messages of 60 KiB by one member', async () => {
    const flooder = t.client({ token: await t.token({ sub: 'flooder', realm: 'demo' }) });
    await flooder.socketClient.joinChannel('flood');
    const history = memoryHistory(t);
    const data = { blob: 'x'.repeat(60 * 1024) };
    const total = 2000;
    const inFlight = 8;
    let sent = 0;
    let largest = 0;
    const worker = async (): Promise<void> => {
      while (sent < total) {
        sent += 1;
        await flooder.socketClient.publish('flood', 'blob', data, { excludeSelf: true });
        largest = Math.max(largest, history.usage().bytes);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const usage = history.usage('demo');
    expect(usage.streams).toBe(1);
    expect(usage.bytes).toBeGreaterThan(0); // it still holds the latest messages, for recovery
    expect(usage.bytes).toBeLessThanOrEqual(DEFAULT_HISTORY_LIMITS.maxStreamBytes);
    expect(largest).toBeLessThanOrEqual(DEFAULT_HISTORY_LIMITS.maxStreamBytes);
  }, 60_000);

  it('holds at most maxStreamsPerRealm channel streams, however many names a client goes through', async () => {
    const small = await startTestServer({ history: { maxStreamsPerRealm: 20 }, rateLimits: { enabled: false } });
    try {
      const roamer = small.client({ token: await small.token({ sub: 'roamer', realm: 'demo' }) });
      for (let n = 0; n < 60; n += 1) {
        const channel = `room-${n}`;
        await roamer.socketClient.joinChannel(channel);
        await roamer.socketClient.publish(channel, 'hi', { n });
        await roamer.socketClient.leaveChannel(channel);
      }
      expect(memoryHistory(small).usage('demo').streams).toBe(20);
    } finally {
      await small.close();
    }
  });
});
