import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwoNodes, type TwoNodes } from '../support/two-nodes.js';
import { nextEvent } from '../support/wait.js';
import { WsPeer, type WsMessage } from '../support/ws-peer.js';

/**
 * `/ws` connections across two nodes sharing Redis: a `/ws` client of one node and clients of the
 * other (`/ws` or Socket.IO) meet only through the Redis adapter, as Socket.IO clients do.
 */
let nodes: TwoNodes;
const peers: WsPeer[] = [];

beforeAll(async () => {
  nodes = await startTwoNodes();
});
afterAll(async () => {
  for (const peer of peers) peer.close();
  await nodes.close();
});

async function peer(index: 0 | 1, sub: string): Promise<WsPeer> {
  const opened = await WsPeer.connected(nodes.urls[index], { token: await nodes.token(sub) });
  peers.push(opened);
  return opened;
}

const isEvent = (topic: string) => (message: WsMessage) => message.type === 'event' && message.topic === topic;

describe('/ws across nodes', () => {
  it('delivers events published on the other node, by /ws or by a RealtimeClient', async () => {
    const subscriber = await peer(0, 'ws-sub');
    const publisher = await peer(1, 'ws-pub');
    const client = await nodes.client(1, await nodes.token('io-client'));
    await subscriber.request({ type: 'subscribe', topic: 'cluster.ws' });
    client.subscribe({ topic: 'cluster.ws' });
    await client.ready();

    const heard = nextEvent(client, 'event:cluster.ws');
    expect(await publisher.request({ type: 'publish', topic: 'cluster.ws', eventType: 'from-ws', payload: { n: 1 } })).toMatchObject({ type: 'result' });
    expect(await heard).toMatchObject({ type: 'from-ws', payload: { n: 1 } });
    await client.publish('cluster.ws', { n: 2 });
    const events = await subscriber.until(isEvent('cluster.ws'), 2);
    expect(events.map((message) => (message.data as { payload: { n: number } }).payload.n)).toEqual([1, 2]);
  });

  it('carries channel messages and presence between /ws members on different nodes', async () => {
    const alice = await peer(0, 'ws-alice');
    const bob = await peer(1, 'ws-bob');
    await alice.request({ type: 'channel:join', channel: 'cluster:room' });
    await bob.request({ type: 'channel:join', channel: 'cluster:room' });
    expect(await alice.next((message) => message.type === 'presence:changed', { seen: true })).toMatchObject({
      data: { type: 'join', member: { userId: 'ws-bob' } },
    });
    await bob.request({ type: 'channel:publish', channel: 'cluster:room', event: 'say', data: { text: 'across' } });
    expect(await alice.next((message) => message.type === 'channel:message', { seen: true })).toMatchObject({
      data: { event: 'say', data: { text: 'across' }, from: { userId: 'ws-bob' } },
    });
  });
});
