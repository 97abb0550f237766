import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryPresenceStore, RedisPresenceStore, type MemberRecord, type PresenceStore } from '../../server/index.js';
import { UnavailableError } from '../../shared/index.js';
import { describePresenceStore } from '../support/presence-store-suite.js';
import { startRedis } from '../support/redis.js';

// One Redis for the file; every store gets a key prefix of its own, so each test starts empty.
const redisServer = await startRedis();
const connections: Redis[] = [];
async function connect(): Promise<Redis> {
  // The options of a node's `data` connection: fail fast instead of queueing while Redis is away.
  const client = new Redis(redisServer.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await client.connect();
  connections.push(client);
  return client;
}
const [first, second] = [await connect(), await connect()];

let stores = 0;
function uniquePrefix(): string {
  stores += 1;
  return `${redisServer.keyPrefix}-${stores}`;
}

afterAll(async () => {
  // Leave nothing behind on a shared (REDIS_URL) server.
  for await (const keys of first.scanStream({ match: `${redisServer.keyPrefix}-*`, count: 500 }) as AsyncIterable<string[]>) {
    if (keys.length > 0) await first.del(...keys);
  }
  for (const client of connections) client.disconnect();
  await redisServer.stop();
});

describePresenceStore('MemoryPresenceStore', () => new MemoryPresenceStore());
describePresenceStore(`RedisPresenceStore (${redisServer.kind})`, () => new RedisPresenceStore(first, uniquePrefix()));

/**
 * Two nodes' views of one store: for Redis, two stores over two connections with the same prefix,
 * so that their steps really interleave in Redis; for memory, the one store both nodes would share.
 */
const implementations: { name: string; nodes: () => [PresenceStore, PresenceStore] }[] = [
  {
    name: 'memory',
    nodes: () => {
      const store = new MemoryPresenceStore();
      return [store, store];
    },
  },
  {
    name: `redis (${redisServer.kind})`,
    nodes: () => {
      const prefix = uniquePrefix();
      return [new RedisPresenceStore(first, prefix), new RedisPresenceStore(second, prefix)];
    },
  },
];

function member(connectionId: string, userId: string, nodeId: string): MemberRecord {
  return { userId, connectionId, joinedAt: 1, state: { at: nodeId, list: [] }, visible: true, nodeId };
}

const roomy = { maxMembers: 100, maxSetsPerConnection: 100 };

describe.each(implementations)('PresenceStore across nodes: $name', ({ nodes }) => {
  it('shows every node the same connections, members and providers', async () => {
    const [a, b] = nodes();
    await a.addConnection({ connectionId: 'a1', userId: 'alice', realms: ['r'], nodeId: 'A', connectedAt: 1 });
    await b.addConnection({ connectionId: 'b1', userId: 'alice', realms: ['r'], nodeId: 'B', connectedAt: 2 });
    await a.addMember('r', 'channel/x', member('a1', 'alice', 'A'), roomy);
    expect(await b.addMember('r', 'channel/x', member('b1', 'alice', 'B'), roomy)).toMatchObject({ status: 'added', userJoined: false });
    await a.addProvider('r', 'a1', ['riders/*'], 'A');

    for (const view of [a, b]) {
      expect((await view.findUserConnections('r', 'alice')).map((c) => c.nodeId).sort()).toEqual(['A', 'B']);
      expect(await view.countConnections('r')).toBe(2);
      expect(await view.listMembers('r', 'channel/x')).toEqual([member('a1', 'alice', 'A'), member('b1', 'alice', 'B')]);
      expect(await view.objectPresence('r', 'riders/7')).toEqual({ id: 'riders/7', connectionStatus: 'connected', providerCount: 1 });
    }
    expect(await b.removeMember('r', 'channel/x', 'a1')).toMatchObject({ userLeft: false });
    expect(await a.removeMember('r', 'channel/x', 'b1')).toMatchObject({ userLeft: true });
  });

  it('holds the set cap when nodes add members at the same time', async () => {
    const [a, b] = nodes();
    const limits = { maxMembers: 5, maxSetsPerConnection: 10 };
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const [store, nodeId] = i % 2 === 0 ? [a, 'A'] : [b, 'B'];
        return store.addMember('r', 'channel/hot', member(`c${i}`, `u${i}`, nodeId), limits);
      }),
    );
    expect(results.filter((result) => result.status === 'added')).toHaveLength(5);
    expect(results.filter((result) => result.status === 'set-full')).toHaveLength(7);
    expect(await a.listMembers('r', 'channel/hot')).toHaveLength(5);
    expect(await b.listSets('r', 'channel/')).toEqual([{ setKey: 'channel/hot', memberCount: 5 }]);
  });

  it('announces an object once when providers on two nodes come and go at the same time', async () => {
    const [a, b] = nodes();
    const ids = Array.from({ length: 8 }, (_, i) => `p${i}`);
    const added = await Promise.all(
      ids.map((id, i) => {
        const [store, nodeId] = i % 2 === 0 ? [a, 'A'] : [b, 'B'];
        return store.addProvider('r', id, ['riders/7', `own/${id}`], nodeId);
      }),
    );
    const connected = added.flat().map((change) => change.id);
    expect(connected.filter((id) => id === 'riders/7')).toHaveLength(1);
    expect(connected.filter((id) => id.startsWith('own/')).sort()).toEqual(ids.map((id) => `own/${id}`).sort());
    expect(await b.objectPresence('r', 'riders/7')).toMatchObject({ connectionStatus: 'connected', providerCount: 8 });

    const removed = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? b : a).removeConnection(id)));
    const changes = removed.flatMap((cleanup) => cleanup.statusChanges.map(({ change }) => change));
    expect(changes.filter((change) => change.id === 'riders/7')).toEqual([{ id: 'riders/7', connectionStatus: 'disconnected' }]);
    expect(changes).toHaveLength(9);
    expect(await a.objectPresence('r', 'riders/7')).toEqual({ id: 'riders/7', connectionStatus: 'disconnected', providerCount: 0 });
  });

  it('hands each entry of a dead node to exactly one of two sweeping nodes', async () => {
    const [a, b] = nodes();
    await a.heartbeat('dead', 1_000);
    await a.heartbeat('live', 10_000);
    const ids = Array.from({ length: 20 }, (_, i) => `d${i}`);
    for (const id of ids) {
      await a.addConnection({ connectionId: id, userId: id, realms: ['r'], nodeId: 'dead', connectedAt: 1_000 });
      await a.addMember('r', 'channel/x', member(id, id, 'dead'), roomy);
      await a.addProvider('r', id, [`things/${id}`, 'shared/*'], 'dead');
    }
    await b.addConnection({ connectionId: 'l1', userId: 'l1', realms: ['r'], nodeId: 'live', connectedAt: 10_000 });
    await b.addMember('r', 'channel/x', member('l1', 'l1', 'live'), roomy);

    const sweeps = await Promise.all([a.expireNodes(10_000, 5_000), b.expireNodes(10_000, 5_000)]);
    const connectionsOut = sweeps.flatMap((cleanup) => cleanup.connections);
    const membersOut = sweeps.flatMap((cleanup) => cleanup.members.map((removed) => removed.member.connectionId));
    const statusOut = sweeps.flatMap((cleanup) => cleanup.statusChanges.map(({ change }) => change.id));
    expect(connectionsOut.sort()).toEqual([...ids].sort());
    expect(membersOut.sort()).toEqual([...ids].sort());
    expect(statusOut.sort()).toEqual([...ids.map((id) => `things/${id}`), 'shared/*'].sort());
    expect((await b.listMembers('r', 'channel/x')).map((m) => m.connectionId)).toEqual(['l1']);
    expect(await a.countConnections('r')).toBe(1);
    expect((await b.expireNodes(10_001, 5_000)).connections).toEqual([]);
  });

  it('keeps a member state exactly as given (empty arrays, nested objects, large numbers)', async () => {
    const [a, b] = nodes();
    const state = { list: [], nested: { empty: {}, deep: [[1], { x: null }] }, big: 2 ** 53 - 1, text: 'ä\n"q"' };
    await a.addMember('r', 'channel/x', { ...member('c1', 'alice', 'A'), state: {} }, roomy);
    expect(await b.updateMemberState('r', 'channel/x', 'c1', state)).toMatchObject({ state });
    expect((await a.listMembers('r', 'channel/x'))[0]?.state).toEqual(state);
  });
});

describe('RedisPresenceStore data providers', () => {
  /** A small seeded PRNG (mulberry32), so that the sequence is the same on every run. */
  function seeded(seed: number): () => number {
    let state = seed;
    return () => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // Every pattern shape of shared/id-pattern.ts, and text that is special in Lua patterns.
  const keys = [
    '*',
    'riders/*',
    'riders/7',
    'riders/8',
    'riders/*/bikes',
    'riders/7/bikes',
    'ri*rs/7',
    'riders/7/*',
    'riders/**',
    '*/7',
    'cars/*',
    'cars/1',
    'a.b/*',
    'a.b/*/c',
    'a.b/c',
    'x%(/*/y)',
    'p[1]-q+/*/z',
    'p[1]-q+/z',
  ];
  const probes = [
    ...keys,
    'riders/7/bikes/2',
    'riders',
    'riders/',
    'cars/1/x',
    'riders/9',
    'axb/c',
    'a.b/z/c',
    'axb/z/c',
    'x%(/q/y)',
    'x(/q/y)',
    'p[1]-q+/o/z',
    'p1-q/o/z',
    'ri/rs/7',
  ];

  // Exact ids only: removals that leave several ids uncovered at once, whose order counts.
  const exact = ['riders/1', 'riders/2', 'riders/3', 'riders/4', 'cars/1', 'cars/2', 'vans/1'];

  it.each([
    { pool: 'every pattern shape', keys, probes, seed: 20240611 },
    { pool: 'exact ids', keys: exact, probes: exact, seed: 7 },
  ])('computes the same status changes and counts as ProviderLedger (the memory store): $pool', async ({ keys, probes, seed }) => {
    const memory = new MemoryPresenceStore();
    const redisStore = new RedisPresenceStore(first, uniquePrefix());
    const random = seeded(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
    const live = new Map<string, string[]>();
    const byRealm = (changes: { realm: string }[]) => ['r', 'q'].map((realm) => changes.filter((change) => change.realm === realm));
    for (let step = 0; step < 400; step += 1) {
      const roll = random();
      if (live.size === 0 || roll < 0.45) {
        const id = `c${step}`;
        const realms = random() < 0.2 ? ['r', 'q'] : ['r'];
        live.set(id, realms);
        const patterns = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(keys));
        for (const realm of realms) {
          expect(await redisStore.addProvider(realm, id, patterns, 'n1'), `step ${step}`).toEqual(await memory.addProvider(realm, id, patterns, 'n1'));
        }
      } else if (roll < 0.6) {
        const [id, realms] = pick([...live]);
        const more = [pick(keys), pick(keys)];
        expect(await redisStore.addProvider(realms[0]!, id, more, 'n1'), `step ${step}`).toEqual(await memory.addProvider(realms[0]!, id, more, 'n1'));
      } else {
        const [id] = pick([...live]);
        live.delete(id);
        const fromRedis = await redisStore.removeConnection(id);
        const fromMemory = await memory.removeConnection(id);
        expect(byRealm(fromRedis.statusChanges), `step ${step}`).toEqual(byRealm(fromMemory.statusChanges));
      }
      if (step % 20 === 19) {
        for (const probe of probes) {
          expect(await redisStore.objectPresence('r', probe), `step ${step} ${probe}`).toEqual(await memory.objectPresence('r', probe));
        }
      }
    }
  });
});

describe('RedisPresenceStore without Redis', () => {
  it('fails with UnavailableError (UNAVAILABLE) instead of hanging', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    try {
      const store = new RedisPresenceStore(unreachable, uniquePrefix());
      await expect(store.getConnection('c1')).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.addMember('r', 'channel/x', member('c1', 'alice', 'A'), roomy)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      await expect(store.expireNodes(Date.now(), 1000)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      unreachable.disconnect();
    }
  });
});
