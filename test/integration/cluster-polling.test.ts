import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeClient } from '../../client/index.js';
import { signToken } from '../../server/index.js';
import type { ChannelMessage } from '../../shared/index.js';
import { startEgressProxy, type EgressProxy } from '../support/egress-proxy.js';
import { startPlatformNode, type PlatformNode } from '../support/platform-node.js';
import { startRedis, type RedisTestServer } from '../support/redis.js';
import { nextSocketEvent } from '../support/socket-wait.js';
import { startBalancer, type TcpBalancer } from '../support/tcp-balancer.js';
import { nextEvent } from '../support/wait.js';

// Long-polling through three real server processes (server/cli.ts) sharing Redis, behind a
// balancer sticky by client address as the README's nginx sample is (`hash $remote_addr
// consistent;`). Each client comes from a loopback address of its own, as clients on different
// machines would.
const secret = randomBytes(32).toString('base64url');
let redis: RedisTestServer;
let nodes: PlatformNode[] = [];
let balancer: TcpBalancer;
const proxies: EgressProxy[] = [];
const clients: RealtimeClient[] = [];

const token = (sub: string) => signToken({ sub, secret, expiresIn: '1h', claims: { realm: 'demo', permissions: ['service'] } });

/** A client address the balancer sends to node `index`. */
function addressFor(index: number): string {
  for (let last = 2; last < 255; last += 1) {
    const address = `127.0.0.${last}`;
    if (balancer.portFor(address) === nodes[index]?.port) return address;
  }
  throw new Error(`no loopback address maps to node ${index}`);
}

/** A polling client on node `index`, connecting from an address of its own. */
async function pollingClient(sub: string, index: number): Promise<RealtimeClient> {
  const proxy = await startEgressProxy(addressFor(index), Number(new URL(balancer.url).port));
  proxies.push(proxy);
  const client = new RealtimeClient({ url: proxy.url, token: await token(sub), transports: ['polling'], reconnectionDelay: 50 });
  clients.push(client);
  await client.ready();
  return client;
}

beforeAll(async () => {
  redis = await startRedis();
  const env = { JWT_SECRET: secret, REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.keyPrefix };
  nodes = await Promise.all([startPlatformNode(env), startPlatformNode(env), startPlatformNode(env)]);
  balancer = await startBalancer({ bySourceAddress: nodes.map((node) => node.port) });
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await balancer?.close();
  await Promise.all(nodes.map((node) => node.stop()));
  await redis?.stop();
});

describe('long-polling across nodes behind a balancer sticky by client address', () => {
  it('delivers events, document changes and channel messages between clients on different nodes', async () => {
    const [alice, bob, carol] = await Promise.all([pollingClient('alice', 0), pollingClient('bob', 1), pollingClient('carol', 2)]);
    // Every node served connections: the three sessions really are on three nodes.
    expect([...balancer.connectionsByPort().keys()].sort()).toEqual(nodes.map((node) => node.port).sort());

    alice.subscribe({ topic: 'poll.cluster', filter: { to: 'alice' } });
    await alice.ready();
    const event = nextEvent(alice, 'event:poll.cluster');
    await bob.publish('poll.cluster', { to: 'alice', from: 'bob' });
    expect((await event).payload).toEqual({ to: 'alice', from: 'bob' });

    await alice.sync.create('boards', { cards: 0 }, 'polling-board');
    const seen = new Promise<number>((resolve) =>
      carol.sync.subscribe('boards', 'polling-board', (doc) => {
        if (doc.data.cards === 2) resolve(doc.revision);
      }),
    );
    await carol.ready();
    expect(await alice.sync.merge('boards', 'polling-board', { cards: 1 })).toMatchObject({ revision: 2 });
    expect(await alice.sync.merge('boards', 'polling-board', { cards: 2 })).toMatchObject({ revision: 3 });
    expect(await seen).toBe(3);

    for (const client of [alice, bob, carol]) await client.socketClient.joinChannel('chat:polling');
    const toCarol = nextSocketEvent(carol.socketClient, 'message', (message: ChannelMessage) => message.channel === 'chat:polling');
    const toBob = nextSocketEvent(bob.socketClient, 'message', (message: ChannelMessage) => message.channel === 'chat:polling');
    await alice.socketClient.publish('chat:polling', 'message', { text: 'hello from node 0' });
    expect((await toCarol).data).toEqual({ text: 'hello from node 0' });
    expect((await toBob).from.userId).toBe('alice');
  });
});
