import { createServer } from 'node:net';
import { MemoryDocumentStore } from '../../server/index.js';
import type { TestClaims } from './test-server.js';
import { startRedis, type RedisTestServer } from './redis.js';
import { startBalancer, type TcpBalancer } from './tcp-balancer.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * Two platform nodes in this process sharing one Redis (adapter, history, presence) and one
 * document store (as two nodes share one MongoDB), plus a TCP balancer in front of node B whose
 * `offline()` / `online()` take the clients behind it off the network and back: the dialect's and
 * `RealtimeClient`'s offline behaviour against real reconnects.
 *
 * @example
 * const nodes = await startTwoNodes();
 * const a = deepstream(nodes.a.url); const b = deepstream(nodes.viaBalancer);
 * nodes.offline(); ... nodes.online();
 */
export interface TwoNodes {
  a: TestServer;
  b: TestServer;
  /** The URL of node B behind the balancer. */
  viaBalancer: string;
  /** Drops every connection through the balancer and refuses new ones (they reach a closed port). */
  offline(): void;
  /** Routes new connections to node B again. */
  online(): void;
  /** A token of `sub` in realm `demo` with every right on records and `ds.*` topics (or `claims`). */
  token(sub: string, claims?: Partial<TestClaims>): Promise<string>;
  close(): Promise<void>;
}

export async function startTwoNodes(): Promise<TwoNodes> {
  const redis: RedisTestServer = await startRedis();
  const documents = new MemoryDocumentStore();
  const shared = { redis: { url: redis.url, keyPrefix: redis.keyPrefix }, documents };
  const a = await startTestServer(shared);
  const b = await startTestServer({ ...shared, auth: { secret: a.secret } });
  const bPort = Number(new URL(b.url).port);
  const balancer: TcpBalancer = await startBalancer(bPort);
  const deadPort = await closedPort();
  return {
    a,
    b,
    viaBalancer: balancer.url,
    offline: () => {
      balancer.target(deadPort);
      balancer.cutAll();
    },
    online: () => balancer.target(bPort),
    token: (sub, claims = {}) => a.token({ sub, realm: 'demo', per: { demo: { 'doc/records/*': 'CRUD', 'topic/ds.*': 'CR' } }, ...claims }),
    close: async () => {
      await balancer.close();
      await b.close();
      await a.close();
      await redis.stop();
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
