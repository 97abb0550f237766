import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent, stateReached } from '../support/wait.js';

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const publish = (topic: string, n: number) => t.server.publish({ realm: 'demo', topic, source: 'api', type: 'tick', payload: { n } });

function cutConnectionsOf(userId: string): void {
  for (const socket of t.server.io.of('/').sockets.values()) {
    if (socket.data.principal.userId === userId) socket.disconnect(true);
  }
}

describe('recovery after a reconnect (one node, in-memory history)', () => {
  it('sends what was missed while disconnected, then live events, in order and once', async () => {
    const client = t.client({ token: await t.token({ sub: 'away', realm: 'demo' }) });
    client.subscribe({ topic: 'ticks.away' });
    await client.ready();
    const events = collect(client, 'event:ticks.away');
    for (let n = 1; n <= 5; n += 1) await publish('ticks.away', n);
    await events.until(5);

    client.disconnect();
    for (let n = 6; n <= 30; n += 1) await publish('ticks.away', n);
    const resubscribed = nextEvent(client, 'resubscribed');
    client.connect();
    expect(await resubscribed).toMatchObject({ topic: 'ticks.away', recovered: true, subscriptionId: 'sub_1' });
    await publish('ticks.away', 31);
    await events.until(31);
    expect(events.values.map((event) => event.payload.n)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });

  it('loses nothing when the server drops the connection while events keep flowing', async () => {
    const client = t.client({ token: await t.token({ sub: 'flow', realm: 'demo' }) });
    client.subscribe({ topic: 'ticks.flow', filter: { even: true } });
    await client.ready();
    const events = collect(client, 'event:ticks.flow');
    const resubscribed = collect(client, 'resubscribed');
    const total = 400;
    for (let n = 1; n <= total; n += 1) {
      await t.server.publish({ realm: 'demo', topic: 'ticks.flow', source: 'api', type: 'tick', payload: { n, even: n % 2 === 0 } });
      if (n === 100 || n === 250) cutConnectionsOf('flow');
      // Let the client's reconnection interleave with publishing.
      if (n % 5 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await events.until(total / 2);
    await stateReached(client, 'connected');
    const sentinel = nextEvent(client, 'event:ticks.flow', (event) => event.payload.n === total + 2);
    await t.server.publish({ realm: 'demo', topic: 'ticks.flow', source: 'api', type: 'tick', payload: { n: total + 2, even: true } });
    await sentinel;
    const received = events.values.map((event) => event.payload.n);
    expect(received).toEqual(Array.from({ length: total / 2 + 1 }, (_, i) => (i + 1) * 2));
    expect(resubscribed.values.length).toBeGreaterThanOrEqual(1);
    expect(resubscribed.values.every((notice) => notice.recovered)).toBe(true);
  });

  it('says recovered: false when the gap is larger than the history', async () => {
    const small = await startTestServer({ history: { maxEvents: 50 } });
    try {
      const client = small.client({ token: await small.token({ sub: 'long-gone', realm: 'demo' }) });
      const send = (n: number) => small.server.publish({ realm: 'demo', topic: 'ticks.gone', source: 'api', type: 'tick', payload: { n } });
      client.subscribe({ topic: 'ticks.gone' });
      await client.ready();
      const events = collect(client, 'event:ticks.gone');
      await send(1);
      await events.until(1);
      client.disconnect();
      for (let n = 2; n <= 80; n += 1) await send(n);
      const resubscribed = nextEvent(client, 'resubscribed');
      client.connect();
      expect(await resubscribed).toMatchObject({ recovered: false, topic: 'ticks.gone' });
      // Nothing from the lost gap is replayed; live delivery carries on.
      await send(81);
      await events.until(2);
      expect(events.values.map((event) => event.payload.n)).toEqual([1, 81]);
    } finally {
      await small.close();
    }
  });

  it('resumes from the subscription point when no event had arrived yet', async () => {
    const client = t.client({ token: await t.token({ sub: 'quiet', realm: 'demo' }) });
    client.subscribe({ topic: 'ticks.quiet' });
    await client.ready();
    client.disconnect();
    await publish('ticks.quiet', 1);
    const events = collect(client, 'event:ticks.quiet');
    const resubscribed = nextEvent(client, 'resubscribed');
    client.connect();
    expect(await resubscribed).toMatchObject({ recovered: true });
    await events.until(1);
    expect(events.values.map((event) => event.payload.n)).toEqual([1]);
  });

  it('stamps every event with its stream position', async () => {
    const client = t.client({ token: await t.token({ sub: 'positions', realm: 'demo' }) });
    client.subscribe({ topic: 'ticks.positions' });
    await client.ready();
    const events = collect(client, 'event');
    await publish('ticks.positions', 1);
    await publish('ticks.positions', 2);
    await events.until(2);
    const [first, second] = events.values;
    expect(first?.metadata.epoch).toBe(second?.metadata.epoch);
    expect(second?.metadata.offset).not.toBe(first?.metadata.offset);
  });
});
