import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongo, type MongoTestServer } from '../support/mongodb.js';
import { startBalancer, type TcpBalancer } from '../support/tcp-balancer.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * `GET /ready` and the `realtime_dependency_up` metric check MongoDB, not only Redis: a node whose
 * database is unreachable reports `degraded` (503) so a load balancer stops sending it traffic,
 * and `ready` again once the database is back. The database sits behind a TCP balancer the test
 * points at a closed port to take it away.
 */
let mongo: MongoTestServer;
let balancer: TcpBalancer;
let t: TestServer;
let mongoPort: number;

beforeAll(async () => {
  mongo = await startMongo();
  const target = new URL(mongo.url);
  if (!['127.0.0.1', 'localhost'].includes(target.hostname)) throw new Error(`this test needs a MongoDB on this machine, not ${target.hostname}`);
  mongoPort = Number(target.port || 27017);
  balancer = await startBalancer(mongoPort);
  const viaBalancer = `mongodb://127.0.0.1:${new URL(balancer.url).port}/?directConnection=true&serverSelectionTimeoutMS=500`;
  t = await startTestServer({ mongodb: { url: viaBalancer, dbName: mongo.dbName }, metrics: { public: true }, logger: pino({ level: 'silent' }) });
});

afterAll(async () => {
  await t?.close();
  await balancer?.close();
  await mongo?.stop();
});

async function ready(): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const res = await fetch(`${t.url}/ready`);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
}

async function mongoUp(): Promise<string | undefined> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  return text.split('\n').find((line) => line.startsWith('realtime_dependency_up{dependency="mongodb"}'));
}

describe('readiness with MongoDB', () => {
  it('reports MongoDB up, down while it is unreachable, and up again', async () => {
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: { mongodb: 'up' } } });
    expect(await mongoUp()).toBe('realtime_dependency_up{dependency="mongodb"} 1');

    balancer.target(1); // nothing listens on port 1
    balancer.cutAll();
    await expect.poll(async () => (await ready()).body.checks.mongodb, { timeout: 10_000 }).toBe('down');
    expect(await ready()).toMatchObject({ status: 503, body: { status: 'degraded' } });
    expect(await mongoUp()).toBe('realtime_dependency_up{dependency="mongodb"} 0');

    balancer.target(mongoPort);
    await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(200);
  });
});
