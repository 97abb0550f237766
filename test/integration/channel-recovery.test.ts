import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AckResult, ChannelJoinResult, ChannelMessage, StreamPosition } from '../../shared/index.js';
import type { EventHistory, ReplayResult } from '../../server/history/event-history.js';
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

/**
 * Holds the next replay of `stream` after it has read the history and before the server sends it:
 * `reached` resolves once it waits, `open()` lets it go on. Live messages published in between are
 * exactly the ones a hold must keep behind the replay.
 */
function gateReplayOf(history: EventHistory, stream: string) {
  const since = history.since.bind(history);
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let reached!: () => void;
  const waiting = new Promise<void>((resolve) => (reached = resolve));
  const spy = vi.spyOn(history, 'since').mockImplementation(async (realm, topic, position): Promise<ReplayResult> => {
    const replay = await since(realm, topic, position);
    if (topic !== stream) return replay;
    reached();
    await gate;
    return replay;
  });
  return { reached: waiting, open, restore: () => spy.mockRestore() };
}

/** Records the `channel:message` frames a raw socket receives. */
function framesOf(socket: Socket) {
  const values: ChannelMessage[] = [];
  socket.on('channel:message', (message: ChannelMessage) => values.push(message));
  return values;
}

async function rawJoin(socket: Socket, channel: string, since?: StreamPosition): Promise<ChannelJoinResult> {
  const answer = (await socket
    .timeout(5000)
    .emitWithAck('channel:join', { channel, ...(since === undefined ? {} : { since }) })) as AckResult<ChannelJoinResult>;
  if (!answer.ok) throw new Error(`channel:join refused: ${answer.error.code}`);
  return answer.data;
}

describe('channel re-join on the wire', () => {
  it('sends the missed messages as channel:message frames before the live ones published during the replay, in order and once', async () => {
    const alice = t.client({ token: await t.token({ sub: 'wire-alice', realm: 'demo' }) });
    await alice.socketClient.joinChannel('room:wire');
    const bobToken = await t.token({ sub: 'wire-bob', realm: 'demo' });
    const before = await t.rawSocket(bobToken);
    const { position } = await rawJoin(before, 'room:wire');
    expect(position).toBeDefined();
    before.disconnect();
    for (let n = 1; n <= 3; n += 1) await alice.socketClient.publish('room:wire', 'say', { n });

    const gate = gateReplayOf(t.server.history, 'channel:room:wire');
    try {
      const after = await t.rawSocket(bobToken);
      const frames = framesOf(after);
      let acked = -1;
      const joined = rawJoin(after, 'room:wire', position).then((result) => {
        acked = frames.length;
        return result;
      });
      // The replay has read 1..3 and waits; 4 and 5 are published live meanwhile, to a member.
      await gate.reached;
      await alice.socketClient.publish('room:wire', 'say', { n: 4 });
      await alice.socketClient.publish('room:wire', 'say', { n: 5 });
      gate.open();
      const result = await joined;
      expect(result.recovered).toBe(true);
      expect(result).not.toHaveProperty('missed');
      expect(acked).toBe(5); // every frame, replayed and held, came before the acknowledgement
      await alice.socketClient.publish('room:wire', 'say', { n: 6 });
      await vi.waitFor(() => expect(frames).toHaveLength(6));
      expect(frames.map((message) => (message.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(frames.every((message) => message.channel === 'room:wire' && message.offset !== undefined)).toBe(true);
      expect(result.position?.offset).toBe(frames[4]?.offset);
    } finally {
      gate.restore();
    }
  });

  it('holds nothing back for a join without since, and answers no recovered', async () => {
    const alice = t.client({ token: await t.token({ sub: 'plain-alice', realm: 'demo' }) });
    await alice.socketClient.joinChannel('room:plain');
    await alice.socketClient.publish('room:plain', 'say', { n: 1 });
    const raw = await t.rawSocket(await t.token({ sub: 'plain-bob', realm: 'demo' }));
    const frames = framesOf(raw);
    const result = await rawJoin(raw, 'room:plain');
    expect(result).not.toHaveProperty('recovered');
    await alice.socketClient.publish('room:plain', 'say', { n: 2 });
    await vi.waitFor(() => expect(frames).toHaveLength(1));
    expect(frames.map((message) => (message.data as { n: number }).n)).toEqual([2]);
  });
});
