import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import deepstream, { type DeepstreamClient, type DeepstreamRecord } from '../../client/deepstream/index.js';
import { RECORD_SERVICE, recordDocumentId } from '../../shared/index.js';
import { startTwoNodes, type TwoNodes } from '../support/deepstream-nodes.js';

// Records of the deepstream dialect across two nodes sharing Redis and one document store; node
// B's clients go through a balancer that can take them offline.
let nodes: TwoNodes;
const clients: DeepstreamClient[] = [];
let unique = 0;

beforeAll(async () => {
  nodes = await startTwoNodes();
});

afterAll(async () => {
  for (const client of clients) client.close();
  await nodes.close();
});

const fast = { realtime: { reconnectionDelay: 20, reconnectionDelayMax: 100, randomizationFactor: 0 } };

async function loggedIn(url: string, sub: string, options: Parameters<typeof deepstream>[1] = {}): Promise<DeepstreamClient> {
  const client = deepstream(url, { ...fast, ...options });
  clients.push(client);
  await client.login({ token: await nodes.token(sub) });
  return client;
}

/** A fresh record name per test. */
function recordName(prefix: string): string {
  unique += 1;
  return `${prefix}/${unique}`;
}

/** Resolves once the value at `path` deep-equals `expected` (checked now and on every change). */
function valueReached(
  record: { subscribe: DeepstreamRecord['subscribe']; unsubscribe: DeepstreamRecord['unsubscribe'] },
  path: string | undefined,
  expected: unknown,
): Promise<void> {
  return new Promise((resolve) => {
    const check = (value: unknown): void => {
      if (!isDeepStrictEqual(value, expected)) return;
      if (path === undefined) record.unsubscribe(check);
      else record.unsubscribe(path, check);
      resolve();
    };
    if (path === undefined) record.subscribe(check, true);
    else record.subscribe(path, check, true);
  });
}

function stateReached(client: DeepstreamClient, state: string): Promise<void> {
  if (client.getConnectionState() === state) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = (next: string): void => {
      if (next !== state) return;
      client.off('connectionStateChanged', listener);
      resolve();
    };
    client.on('connectionStateChanged', listener);
  });
}

describe('deepstream records across two nodes', () => {
  it('reads and writes by path, creating missing nodes (arrays for numeric tokens), and versions are revisions', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const name = recordName('user');
    const mine = await lisa.record.getRecord(name).whenReady();
    const theirs = await tom.record.getRecord(name).whenReady();
    expect(mine.version).toBe(0);
    const firstnames: unknown[] = [];
    theirs.subscribe('personalData.firstname', (value) => firstnames.push(value));

    mine.set('personalData.firstname', 'Lisa');
    mine.set('children[1]', 'Ann');
    await valueReached(theirs, 'children', [null, 'Ann']);
    expect(theirs.get('personalData.firstname')).toBe('Lisa');
    expect(theirs.get()).toEqual({ personalData: { firstname: 'Lisa' }, children: [null, 'Ann'] });
    expect(firstnames).toEqual(['Lisa']);
    const document = await lisa.realtime!.sync.get(RECORD_SERVICE, recordDocumentId(name));
    expect(theirs.version).toBe(document.revision);
    expect(mine.version).toBe(document.revision);
    expect(document.id).toBe(`user.${unique}`);
  });

  it('applies a set made before the record is ready to the loaded data', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const name = recordName('early');
    await lisa.record.setData(name, { a: 1 });
    const record = tom.record.getRecord(name);
    expect(record.isReady).toBe(false);
    const written = new Promise<string | null>((resolve) => record.set('b', 2, resolve));
    expect(await written).toBeNull();
    expect(record.get()).toEqual({ a: 1, b: 2 });
    expect(await lisa.record.snapshot(name)).toEqual({ a: 1, b: 2 });
  });

  it('answers snapshot, has and head without subscribing, and setData writes whole data or a path', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const name = recordName('settings');
    expect(await tom.record.has(name)).toBe(false);
    expect(await tom.record.head(name)).toBe(-1);

    await lisa.record.setData(name, { theme: 'dark' });
    await lisa.record.setData(name, 'layout.columns[0]', 'wide');
    expect(await tom.record.snapshot(name)).toEqual({ theme: 'dark', layout: { columns: ['wide'] } });
    expect(await tom.record.has(name)).toBe(true);
    expect(await tom.record.head(name)).toBe(2);
    await new Promise<void>((resolve) =>
      tom.record.head(name, (error, version) => {
        expect(error).toBeNull();
        expect(version).toBe(2);
        resolve();
      }),
    );
    await new Promise<void>((resolve) =>
      tom.record.snapshot(recordName('missing'), (error) => {
        expect(error).toMatch(/not found/);
        resolve();
      }),
    );
  });

  it("deletes a record for everyone: the other node's record emits delete", async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const name = recordName('doomed');
    const mine = await lisa.record.getRecord(name).whenReady();
    mine.set({ alive: true });
    const theirs = tom.record.getRecord(name);
    await valueReached(theirs, 'alive', true);
    const deleted = new Promise<void>((resolve) => theirs.on('delete', () => resolve()));
    await mine.delete();
    await deleted;
    expect(theirs.get()).toEqual({});
    expect(await tom.record.has(name)).toBe(false);
  });

  it('keeps lists of record names with entry-added, entry-removed and entry-moved on the other node', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const tom = await loggedIn(nodes.b.url, 'tom');
    const name = recordName('todos');
    const mine = await lisa.record.getList(name).whenReady();
    const theirs = await tom.record.getList(name).whenReady();
    const seen: string[] = [];
    for (const event of ['entry-added', 'entry-removed', 'entry-moved']) {
      theirs.on(event, (entry: never, index: never) => seen.push(`${event} ${entry}@${index}`));
    }
    const entries = (expected: string[]) =>
      new Promise<void>((resolve) => {
        const check = (value: string[]) => JSON.stringify(value) === JSON.stringify(expected) && resolve();
        theirs.subscribe(check, true);
      });
    mine.addEntry('todo/a');
    mine.addEntry('todo/b');
    await entries(['todo/a', 'todo/b']);
    mine.addEntry('todo/c', 0);
    await entries(['todo/c', 'todo/a', 'todo/b']);
    mine.removeEntry('todo/a');
    await entries(['todo/c', 'todo/b']);
    expect(seen).toContain('entry-added todo/a@0');
    expect(seen).toContain('entry-added todo/b@1');
    expect(seen).toContain('entry-added todo/c@0');
    expect(seen).toContain('entry-moved todo/a@1');
    expect(seen).toContain('entry-removed todo/a@1');
    expect(theirs.getEntries()).toEqual(['todo/c', 'todo/b']);
    expect(theirs.isEmpty()).toBe(false);
  });

  it('switches an anonymous record between records, its subscriptions following it', async () => {
    const lisa = await loggedIn(nodes.a.url, 'lisa');
    const first = recordName('car');
    const second = recordName('car');
    await lisa.record.setData(first, { model: 'Golf' });
    await lisa.record.setData(second, { model: 'Polo' });
    const selected = lisa.record.getAnonymousRecord();
    expect(selected.name).toBeNull();
    const models: unknown[] = [];
    selected.subscribe('model', (model) => models.push(model));
    const renamed: unknown[] = [];
    selected.on('nameChanged', (name: never) => renamed.push(name));
    await selected.setName(first);
    expect(selected.get('model')).toBe('Golf');
    await selected.setName(second);
    expect(selected.get('model')).toBe('Polo');
    expect(models).toEqual(['Golf', 'Polo']);
    expect(renamed).toEqual([first, second]);
  });

  it('refuses a record without the right, reported on the record and on the client', async () => {
    const reader = deepstream(nodes.a.url, fast);
    clients.push(reader);
    await reader.login({ token: await nodes.token('reader', { per: { demo: { 'doc/records/*': 'R' } } }) });
    const record = await reader.record.getRecord(recordName('locked')).whenReady();
    const onRecord = new Promise<unknown[]>((resolve) => record.on('error', (...args: never[]) => resolve(args)));
    const onClient = new Promise<unknown[]>((resolve) => reader.on('error', (...args: never[]) => resolve(args)));
    record.set({ x: 1 });
    expect(record.get()).toEqual({ x: 1 }); // applied locally at once
    expect((await onRecord)[0]).toBe('MESSAGE_DENIED');
    const [, event, topic] = await onClient;
    expect([event, topic]).toEqual(['MESSAGE_DENIED', 'R']);
    await valueReached(record, undefined, {}); // the server's state replaces the refused change
  });
});

describe('offline writes reconciled by merge strategy', () => {
  async function offlineEdit(options: Parameters<typeof deepstream>[1], setUp?: (record: DeepstreamRecord) => void) {
    const online = await loggedIn(nodes.a.url, 'lisa');
    const roaming = await loggedIn(nodes.viaBalancer, 'tom', options);
    const name = recordName('note');
    const here = await online.record.getRecord(name).whenReady();
    here.set({ title: 'Plan', body: 'v1' });
    const there = roaming.record.getRecord(name);
    setUp?.(there);
    await valueReached(there, 'body', 'v1');

    nodes.offline();
    await stateReached(roaming, 'RECONNECTING');
    const written = new Promise<string | null>((resolve) => there.set('body', 'offline edit', resolve));
    expect(there.get('body')).toBe('offline edit');
    here.set('title', 'Plan B');
    await valueReached(here, 'title', 'Plan B');
    await new Promise<void>((resolve) => here.whenReady(() => resolve()));
    nodes.online();
    await stateReached(roaming, 'OPEN');
    expect(await written).toBeNull();
    return { here, there, roaming };
  }

  it('REMOTE_WINS (the default): the offline edit gives way to the newer remote version', async () => {
    const { here, there } = await offlineEdit({});
    expect(there.get()).toEqual({ title: 'Plan B', body: 'v1' });
    expect(there.version).toBe(2); // nothing written: the remote version stays
    expect(here.get()).toEqual({ title: 'Plan B', body: 'v1' });
    expect(here.version).toBe(2);
  });

  it('LOCAL_WINS: the offline edit is written over the remote version, for everyone', async () => {
    const { here, there } = await offlineEdit({ mergeStrategy: deepstream.MERGE_STRATEGIES.LOCAL_WINS });
    expect(there.get()).toEqual({ title: 'Plan', body: 'offline edit' });
    expect(there.version).toBe(3);
    await valueReached(here, undefined, { title: 'Plan', body: 'offline edit' });
    expect(here.version).toBe(3);
  });

  it("a function set on the record (the seed's setMergeStategy) merges both, given both versions", async () => {
    const calls: unknown[][] = [];
    const { here, there } = await offlineEdit({}, (record) =>
      record.setMergeStategy((local, localVersion, remote, remoteVersion, callback) => {
        calls.push([localVersion, remoteVersion]);
        callback(null, { ...remote, body: local.body });
      }),
    );
    expect(there.get()).toEqual({ title: 'Plan B', body: 'offline edit' });
    await valueReached(here, undefined, { title: 'Plan B', body: 'offline edit' });
    expect(calls).toEqual([[1, 2]]); // the local version it was based on, the remote one it met
  });

  it('a pattern strategy applies to the names it matches', async () => {
    const online = await loggedIn(nodes.a.url, 'lisa');
    const roaming = await loggedIn(nodes.viaBalancer, 'tom');
    roaming.record.setMergeStrategyRegExp(/^note\//, deepstream.MERGE_STRATEGIES.LOCAL_WINS);
    const name = recordName('note');
    const here = await online.record.getRecord(name).whenReady();
    here.set({ n: 1 });
    const there = roaming.record.getRecord(name);
    await valueReached(there, 'n', 1);
    nodes.offline();
    await stateReached(roaming, 'RECONNECTING');
    there.set('n', 'local');
    here.set('n', 'remote');
    await valueReached(here, 'n', 'remote');
    nodes.online();
    await stateReached(roaming, 'OPEN');
    await valueReached(here, 'n', 'local');
  });

  it('an offline write nobody else raced is sent as it is on reconnect', async () => {
    const online = await loggedIn(nodes.a.url, 'lisa');
    const roaming = await loggedIn(nodes.viaBalancer, 'tom');
    const name = recordName('solo');
    const there = await roaming.record.getRecord(name).whenReady();
    nodes.offline();
    await stateReached(roaming, 'RECONNECTING');
    there.set({ written: 'offline' });
    const written = new Promise<string | null>((resolve) => there.set('again', true, resolve));
    nodes.online();
    expect(await written).toBeNull();
    const here = online.record.getRecord(name);
    await valueReached(here, undefined, { written: 'offline', again: true });
    expect(there.get()).toEqual({ written: 'offline', again: true });
    expect(here.version).toBe(there.version);
  });

  it('bounds what it keeps offline: one write more than maxEntries is CLIENT_OFFLINE, the others are sent', async () => {
    const roaming = await loggedIn(nodes.viaBalancer, 'tom', { offlineWrites: { maxEntries: 1 } });
    const first = await roaming.record.getRecord(recordName('bounded')).whenReady();
    const second = await roaming.record.getRecord(recordName('bounded')).whenReady();
    nodes.offline();
    await stateReached(roaming, 'RECONNECTING');
    const errors: unknown[][] = [];
    roaming.on('error', (...args: never[]) => errors.push(args));
    const kept = new Promise<string | null>((resolve) => first.set({ n: 1 }, resolve));
    const refused = await new Promise<string | null>((resolve) => second.set({ n: 2 }, resolve));
    expect(refused).toMatch(/already keeps 1 writes/);
    expect(errors).toContainEqual([expect.stringMatching(/offline/), 'CLIENT_OFFLINE', 'R']);
    const emitted = new Promise<unknown[]>((resolve) => roaming.on('error', (...args: never[]) => resolve(args)));
    roaming.event.emit('news/offline', { n: 3 });
    expect((await emitted)[1]).toBe('CLIENT_OFFLINE');
    nodes.online();
    expect(await kept).toBeNull();
    const check = await loggedIn(nodes.a.url, 'lisa');
    await valueReached(check.record.getRecord(first.name), undefined, { n: 1 });
    expect(await check.record.has(second.name)).toBe(false);
    await valueReached(second, undefined, {}); // the refused change gives way to the server's state
  });

  it('drops a write kept longer than maxAgeMs with CLIENT_OFFLINE', async () => {
    const roaming = await loggedIn(nodes.viaBalancer, 'tom', { offlineWrites: { maxAgeMs: 50 } });
    const record = await roaming.record.getRecord(recordName('expiring')).whenReady();
    nodes.offline();
    await stateReached(roaming, 'RECONNECTING');
    const outcome = await new Promise<string | null>((resolve) => record.set({ n: 1 }, resolve));
    expect(outcome).toMatch(/stayed offline for 50 ms/);
    nodes.online();
    await stateReached(roaming, 'OPEN');
    expect(await roaming.record.has(record.name)).toBe(false);
  });
});
