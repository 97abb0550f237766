import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientOfflineError, ConflictError, MergeStrategies, RealtimeClient, type RealtimeClientOptions } from '../../client/index.js';
import { startTwoNodes, type TwoNodes } from '../support/deepstream-nodes.js';
import { stateReached } from '../support/wait.js';

// RealtimeClient's own merge strategies and offline writes, across two nodes: one client on node A,
// one on node B behind a balancer that takes it offline.
let nodes: TwoNodes;
let unique = 0;
const clients: RealtimeClient[] = [];

beforeAll(async () => {
  nodes = await startTwoNodes();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await nodes.close();
});

async function client(url: string, sub: string, options: Partial<RealtimeClientOptions> = {}): Promise<RealtimeClient> {
  const token = await nodes.token(sub, { per: { demo: { 'doc/notes/*': 'CRUD', 'topic/ds.*': 'CR' } } });
  const instance = new RealtimeClient({
    url,
    token,
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    randomizationFactor: 0,
    reconnectionAttempts: Infinity,
    ...options,
  });
  clients.push(instance);
  await instance.ready();
  return instance;
}

const noteId = () => `n${(unique += 1)}`;

describe('client.sync merge strategies', () => {
  it('without a strategy a stale replace still fails with CONFLICT carrying the current document', async () => {
    const a = await client(nodes.a.url, 'lisa');
    const id = noteId();
    await a.sync.create('notes', { v: 1 }, id);
    await a.sync.replace('notes', id, { v: 2 }, 1);
    const err = await a.sync.replace('notes', id, { v: 'stale' }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).details).toMatchObject({ current: { revision: 2, data: { v: 2 } } });
  });

  it('runs the service strategy on a conflict and writes its result over the newer revision', async () => {
    const a = await client(nodes.a.url, 'lisa');
    const b = await client(nodes.b.url, 'tom');
    const seen: unknown[] = [];
    b.sync.setMergeStrategy('notes', (conflict) => {
      seen.push({ local: conflict.local, localRevision: conflict.localRevision, remote: conflict.remote.data, remoteRevision: conflict.remote.revision });
      return { ...conflict.remote.data, ...conflict.local };
    });
    const id = noteId();
    await a.sync.create('notes', { title: 'Plan', body: 'v1' }, id);
    await a.sync.replace('notes', id, { title: 'Plan B', body: 'v1' }, 1);
    const merged = await b.sync.replace('notes', id, { body: 'mine' }, 1);
    expect(merged).toMatchObject({ revision: 3, data: { title: 'Plan B', body: 'mine' } });
    expect(seen).toEqual([{ local: { body: 'mine' }, localRevision: 1, remote: { title: 'Plan B', body: 'v1' }, remoteRevision: 2 }]);
  });

  it('remoteWins writes nothing and answers the remote document; localWins (the mergeStrategy option) overwrites', async () => {
    const a = await client(nodes.a.url, 'lisa');
    const remote = await client(nodes.b.url, 'tom');
    remote.sync.setMergeStrategy('notes', MergeStrategies.remoteWins);
    const local = await client(nodes.b.url, 'ann', { mergeStrategy: MergeStrategies.localWins });
    const id = noteId();
    await a.sync.create('notes', { v: 1 }, id);
    await a.sync.replace('notes', id, { v: 2 }, 1);
    expect(await remote.sync.replace('notes', id, { v: 'mine' }, 1)).toMatchObject({ revision: 2, data: { v: 2 } });
    expect(await local.sync.replace('notes', id, { v: 'ann' }, 1)).toMatchObject({ revision: 3, data: { v: 'ann' } });
    expect((await a.sync.get('notes', id)).data).toEqual({ v: 'ann' });
  });

  it('save creates at revision 0, and a document created meanwhile goes through the strategy', async () => {
    const a = await client(nodes.a.url, 'lisa');
    const b = await client(nodes.b.url, 'tom', {
      mergeStrategy: ({ remote, local }) => ({ items: [...(remote.data.items as string[]), ...(local.items as string[])] }),
    });
    const id = noteId();
    expect(await a.sync.save('notes', id, { items: ['a'] }, 0)).toMatchObject({ revision: 1 });
    expect(await b.sync.save('notes', id, { items: ['b'] }, 0)).toMatchObject({ revision: 2, data: { items: ['a', 'b'] } });
    expect(await a.sync.save('notes', id, { forced: true })).toMatchObject({ revision: 3, data: { forced: true } });
  });

  it('a strategy answering undefined leaves the conflict to the caller', async () => {
    const a = await client(nodes.a.url, 'lisa', { mergeStrategy: () => undefined });
    const id = noteId();
    await a.sync.create('notes', { v: 1 }, id);
    await a.sync.replace('notes', id, { v: 2 }, 1);
    await expect(a.sync.replace('notes', id, { v: 3 }, 1)).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('client offline writes (offlineWrites)', () => {
  it('keeps writes and publishes made offline and sends them in order on reconnect, reconciling a raced one', async () => {
    const a = await client(nodes.a.url, 'lisa');
    const roaming = await client(nodes.viaBalancer, 'tom', { offlineWrites: { maxEntries: 10 }, mergeStrategy: MergeStrategies.localWins });
    const id = noteId();
    const raced = noteId();
    await a.sync.create('notes', { n: 0 }, raced);
    const heard = new Promise<unknown>((resolve) => {
      a.subscribe({ topic: 'ds.offline' });
      a.on('event:ds.offline', (event) => resolve(event.payload));
    });
    await a.ready();

    nodes.offline();
    await stateReached(roaming, 'reconnecting');
    const created = roaming.sync.create('notes', { by: 'tom' }, id);
    const replaced = roaming.sync.replace('notes', raced, { n: 'tom' }, 1);
    const published = roaming.publish('ds.offline', { from: 'tom' });
    await a.sync.replace('notes', raced, { n: 'lisa' }, 1);
    nodes.online();

    expect(await created).toMatchObject({ revision: 1, data: { by: 'tom' } });
    expect(await replaced).toMatchObject({ revision: 3, data: { n: 'tom' } });
    expect((await published).payload).toEqual({ from: 'tom' });
    expect(await heard).toEqual({ from: 'tom' });
  });

  it('refuses a write beyond maxEntries or maxBytes at once, and one kept longer than maxAgeMs, with CLIENT_OFFLINE', async () => {
    const roaming = await client(nodes.viaBalancer, 'tom', { offlineWrites: { maxEntries: 2, maxBytes: 400, maxAgeMs: 60_000 } });
    nodes.offline();
    await stateReached(roaming, 'reconnecting');
    const first = roaming.sync.create('notes', { n: 1 }, noteId());
    const tooBig = await roaming.sync.create('notes', { text: 'x'.repeat(500) }, noteId()).catch((e: unknown) => e);
    expect(tooBig).toBeInstanceOf(ClientOfflineError);
    expect((tooBig as ClientOfflineError).details).toMatchObject({ limit: 'maxBytes', maxBytes: 400 });
    const second = roaming.sync.create('notes', { n: 2 }, noteId());
    const third = await roaming.sync.create('notes', { n: 3 }, noteId()).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(ClientOfflineError);
    expect((third as ClientOfflineError).code).toBe('CLIENT_OFFLINE');
    expect((third as ClientOfflineError).details).toMatchObject({ limit: 'maxEntries', maxEntries: 2 });
    nodes.online();
    await expect(first).resolves.toMatchObject({ revision: 1 });
    await expect(second).resolves.toMatchObject({ revision: 1 });

    const short = await client(nodes.viaBalancer, 'ann', { offlineWrites: { maxAgeMs: 30 } });
    nodes.offline();
    await stateReached(short, 'reconnecting');
    const expired = await short.sync.create('notes', { n: 4 }, noteId()).catch((e: unknown) => e);
    expect(expired).toBeInstanceOf(ClientOfflineError);
    expect((expired as ClientOfflineError).details).toMatchObject({ limit: 'maxAgeMs' });
    nodes.online();
  });

  it('keeps writes made while deliberately disconnected too, and fails them when the client is destroyed', async () => {
    const roaming = await client(nodes.a.url, 'tom', { offlineWrites: true });
    roaming.disconnect();
    const id = noteId();
    const kept = roaming.sync.create('notes', { n: 1 }, id);
    roaming.connect();
    await expect(kept).resolves.toMatchObject({ revision: 1 });
    roaming.disconnect();
    const lost = roaming.sync.replace('notes', id, { n: 2 }, 1);
    roaming.destroy();
    await expect(lost).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
