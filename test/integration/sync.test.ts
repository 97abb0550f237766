import jsonpatch from 'fast-json-patch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type RealtimeClient } from '../../client/index.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';
import { MongoDocumentStore } from '../../server/sync/mongo-document-store.js';
import type { DocumentStore } from '../../server/sync/document-store.js';
import type { JsonPatchOperation, SyncDocument } from '../../shared/index.js';
import { isFerretDB, startMongo } from '../support/mongodb.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { collect, nextEvent } from '../support/wait.js';

// One MongoDB-compatible server for the file; FerretDB lacks atomic conditional updates, so the
// lost-update case runs on the embedded store and on real MongoDB only (FerretDB issue #3040).
const mongo = await startMongo();
const ferret = await isFerretDB(mongo.url);
afterAll(() => mongo.stop());

const stores: { name: string; atomic: boolean; create: () => DocumentStore }[] = [
  { name: 'embedded store', atomic: true, create: () => new MemoryDocumentStore() },
  {
    name: `MongoDB store (${ferret ? 'FerretDB' : mongo.kind})`,
    atomic: !ferret,
    create: () => new MongoDocumentStore({ url: mongo.url, dbName: mongo.dbName }),
  },
];

describe.each(stores)('sync documents on the $name', ({ atomic, create }) => {
  const realm = 'sync-tests';
  let t: TestServer;
  let writer: string;
  let reader: string;

  beforeAll(async () => {
    t = await startTestServer({ documents: create() });
    writer = await t.token({ sub: 'writer', realm, permissions: ['service'] });
    reader = await t.token({ sub: 'reader', realm });
  });
  afterAll(() => t.close());

  const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token = writer) =>
    fetch(`${t.url}/api/sync/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('creates, reads, replaces, merges, mutates and deletes with server-assigned revisions', async () => {
    const client = t.client({ token: writer });
    const created = await client.sync.create('notes', { title: 'Plan', tags: ['a'], meta: { pinned: false, color: 'red' } }, 'n1');
    expect(created).toMatchObject({ service: 'notes', id: 'n1', revision: 1, data: { title: 'Plan' } });
    expect(created.createdAt).toBe(created.updatedAt);

    expect(await client.sync.get('notes', 'n1')).toEqual(created);
    const replaced = await client.sync.replace('notes', 'n1', { title: 'Plan B', meta: { pinned: false, color: 'red' } });
    expect(replaced).toMatchObject({ revision: 2, data: { title: 'Plan B', meta: { pinned: false, color: 'red' } } });
    expect(replaced.data).not.toHaveProperty('tags');

    const merged = await client.sync.merge('notes', 'n1', { meta: { pinned: true, color: null }, body: 'x' }, 2);
    expect(merged).toMatchObject({ revision: 3, data: { title: 'Plan B', meta: { pinned: true }, body: 'x' } });
    expect(merged.data?.meta).not.toHaveProperty('color');

    const mutated = await client.sync.mutate('notes', 'n1', [
      { op: 'set', path: '/count', value: 1 },
      { op: 'increment', path: '/count', value: 4 },
      { op: 'append', path: '/log', value: 'first' },
      { op: 'remove', path: '/body' },
    ]);
    expect(mutated).toMatchObject({ revision: 4, data: { count: 5, log: ['first'], title: 'Plan B' } });
    expect(mutated.data).not.toHaveProperty('body');

    const deleted = await client.sync.delete('notes', 'n1', 4);
    expect(deleted).toMatchObject({ revision: 5, deleted: true });
    await expect(client.sync.get('notes', 'n1')).rejects.toMatchObject({ name: 'NotFoundError', code: 'NOT_FOUND' });
    expect(await client.sync.get('notes', 'n1', { includeDeleted: true })).toMatchObject({ revision: 5, deleted: true });
  });

  it('refuses a stale write with CONFLICT carrying the current document', async () => {
    const client = t.client({ token: writer });
    await client.sync.create('notes', { v: 1 }, 'c1');
    await client.sync.merge('notes', 'c1', { v: 2 });
    const error = (await client.sync.replace('notes', 'c1', { v: 99 }, 1).catch((err: unknown) => err)) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toMatchObject({ current: { id: 'c1', revision: 2, data: { v: 2 } } });
    expect((await client.sync.get('notes', 'c1')).data).toEqual({ v: 2 });
  });

  it.runIf(atomic)('loses no update: 50 concurrent update(fn) increments end at 50, revision 51', async () => {
    const clients = Array.from({ length: 5 }, () => t.client({ token: writer }));
    await clients[0]!.sync.create('counters', { n: 0 }, 'hot');
    await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 10 }, () => client.sync.update('counters', 'hot', (data) => ({ n: (data.n as number) + 1 }), { maxAttempts: 100 })),
      ),
    );
    expect(await clients[0]!.sync.get('counters', 'hot')).toMatchObject({ revision: 51, data: { n: 50 } });
  });

  it("shows two editors each other's merges live, as full documents and as diffs that replay exactly", async () => {
    const alice = t.client({ token: writer });
    const bob = t.client({ token: writer });
    const created = await alice.sync.create('docs', { title: '', body: { lines: [] as string[] } }, 'shared');
    bob.subscribe({ topic: 'sync.docs.updated', filter: { id: 'shared' } });
    alice.subscribe({ topic: 'sync.docs.updated', filter: { id: 'shared' }, returnMode: 'diff' });
    await Promise.all([alice.ready(), bob.ready()]);
    const bobSees = collect(bob, 'event:sync.docs.updated');
    const aliceSees = collect(alice, 'event:sync.docs.updated');

    await alice.sync.merge('docs', 'shared', { title: 'Minutes' }, 1);
    await bob.sync.merge('docs', 'shared', { body: { lines: ['one'] } }, 2);
    await alice.sync.mutate('docs', 'shared', [{ op: 'append', path: '/body/lines', value: 'two' }], 3);
    await bob.sync.merge('docs', 'shared', { title: null, author: 'bob' }, 4);
    await Promise.all([bobSees.until(4), aliceSees.until(4)]);

    const full = bobSees.values.map((event) => event.payload as unknown as SyncDocument);
    expect(full.map((doc) => doc.revision)).toEqual([2, 3, 4, 5]);
    expect(full.at(-1)?.data).toEqual({ body: { lines: ['one', 'two'] }, author: 'bob' });
    expect(bobSees.values.every((event) => event.source === 'sync' && event.type === 'sync.updated')).toBe(true);
    expect(bobSees.values.map((event) => event.metadata.revision)).toEqual([2, 3, 4, 5]);

    let replayed = structuredClone(created.data);
    for (const event of aliceSees.values) {
      const diff = event.payload as { revision: number; previousRevision: number; patch: JsonPatchOperation[] };
      expect(event.payload).not.toHaveProperty('data');
      expect(diff.previousRevision).toBe(diff.revision - 1);
      replayed = jsonpatch.applyPatch(replayed, diff.patch as jsonpatch.Operation[], true, false).newDocument;
    }
    expect(replayed).toEqual((await alice.sync.get('docs', 'shared')).data);
  });

  it('publishes created, updated and deleted events with both shapes on request', async () => {
    const client = t.client({ token: writer });
    for (const action of ['created', 'updated', 'deleted']) client.subscribe({ topic: `sync.tasks.${action}`, returnMode: 'both' });
    await client.ready();
    const events = collect(client, 'event');
    await client.sync.create('tasks', { done: false }, 't1');
    await client.sync.merge('tasks', 't1', { done: true });
    await client.sync.delete('tasks', 't1');
    await events.until(3);
    expect(events.values.map((event) => [event.topic, event.metadata.revision])).toEqual([
      ['sync.tasks.created', 1],
      ['sync.tasks.updated', 2],
      ['sync.tasks.deleted', 3],
    ]);
    expect(events.values[1]?.payload).toMatchObject({
      id: 't1',
      data: { done: true },
      previousRevision: 1,
      patch: [{ op: 'replace', path: '/done', value: true }],
    });
    expect(events.values[2]?.payload).toMatchObject({ deleted: true, revision: 3 });
  });

  it('watches one document: current state first, then every change in order, catching up after a reconnect', async () => {
    const editor = t.client({ token: writer });
    const watcherClient = t.client({ token: reader });
    await editor.sync.create('boards', { cards: 0 }, 'b1');
    await editor.sync.merge('boards', 'b1', { cards: 1 });
    const seen: number[] = [];
    const firstTwo = new Promise<void>((resolve) => {
      watcherClient.sync.subscribe('boards', 'b1', (doc) => {
        seen.push(doc.revision);
        if (doc.revision === 3) resolve();
      });
    });
    const userEvents = collect(watcherClient, 'event');
    await watcherClient.ready();
    await editor.sync.merge('boards', 'b1', { cards: 2 });
    await firstTwo;
    expect(seen).toEqual([2, 3]);

    // Cut the watcher off, write twice while it is away, and let it reconnect on its own.
    const reconnected = nextEvent(watcherClient, 'connection', (change) => change.state === 'connected');
    for (const socket of t.server.io.of('/').sockets.values()) {
      if (socket.data.principal.userId === 'reader') socket.disconnect(true);
    }
    await editor.sync.merge('boards', 'b1', { cards: 3 });
    await editor.sync.merge('boards', 'b1', { cards: 4 });
    const caughtUp = new Promise<void>((resolve) => watcherClient.sync.subscribe('boards', 'b1', (doc) => doc.revision === 5 && resolve()));
    await reconnected;
    await caughtUp;
    await expect.poll(() => seen.at(-1)).toBe(5);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
    // The watcher's own subscriptions never reach the user's 'event' listeners.
    expect(userEvents.values).toEqual([]);
  });

  it('lists live documents with cursor pagination', async () => {
    const client = t.client({ token: writer });
    for (const id of ['p1', 'p2', 'p3', 'p4', 'p5']) await client.sync.create('pages', { id }, id);
    await client.sync.delete('pages', 'p3');
    const first = await client.sync.list('pages', { limit: 2 });
    expect(first.items.map((doc) => doc.id)).toEqual(['p1', 'p2']);
    const second = await client.sync.list('pages', { limit: 2, after: first.nextCursor! });
    expect(second.items.map((doc) => doc.id)).toEqual(['p4', 'p5']);
    expect(second.nextCursor).toBeUndefined();
    expect(await client.sync.list('pages', { limit: 2, after: 'p5' })).toEqual({ items: [] });
  });

  it('serves the same documents over REST, with ETag, If-Match and the error registry', async () => {
    const client = t.client({ token: writer });
    const created = await rest('POST', 'items/documents', { id: 'i1', data: { qty: 1 } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe('/api/sync/items/documents/i1');
    expect(await client.sync.get('items', 'i1')).toMatchObject({ revision: 1, data: { qty: 1 } });

    await client.sync.merge('items', 'i1', { qty: 2 });
    const fetched = await rest('GET', 'items/documents/i1');
    expect(fetched.headers.get('etag')).toBe('"2"');
    expect(await fetched.json()).toMatchObject({ revision: 2, data: { qty: 2 } });

    const stale = await rest('PUT', 'items/documents/i1', { data: { qty: 9 } }, { 'if-match': '"1"' });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: 'ConflictError', code: 'CONFLICT', details: { current: { revision: 2 } } });

    const merged = await rest('PATCH', 'items/documents/i1/merge', { data: { note: 'ok' } }, { 'if-match': '"2"' });
    expect(merged.status).toBe(200);
    const mutated = await rest('POST', 'items/documents/i1/mutate', { mutations: [{ op: 'increment', path: '/qty', value: 3 }], expectedRevision: 3 });
    expect(await mutated.json()).toMatchObject({ revision: 4, data: { qty: 5, note: 'ok' } });
    expect((await rest('GET', 'items/documents?limit=10')).status).toBe(200);
    expect((await rest('DELETE', 'items/documents/i1', undefined, { 'if-match': '"4"' })).status).toBe(200);
    expect((await rest('GET', 'items/documents/i1')).status).toBe(404);
    expect((await rest('GET', 'items/documents/i1?includeDeleted=true')).status).toBe(200);
    expect((await rest('POST', 'items/documents', { id: 'i2', data: {} })).status).toBe(201);
    expect((await rest('POST', 'items/documents', { id: 'i2', data: {} })).status).toBe(409);
  });

  it('answers bad input with typed errors, over the socket and over REST', async () => {
    const client = t.client({ token: writer });
    await client.sync.create('bad', { n: 'text', list: 1 }, 'b1');
    await expect(client.sync.mutate('bad', 'b1', [{ op: 'increment', path: '/n', value: 1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.sync.mutate('bad', 'b1', [{ op: 'set', path: 'no-slash', value: 1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.sync.mutate('bad', 'b1', [{ op: 'append', path: '/list', value: 1 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.sync.mutate('bad', 'b1', [{ op: 'explode', path: '/n' } as never])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.sync.replace('bad', 'b1', ['not', 'an', 'object'] as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.sync.create('bad', { blob: 'x'.repeat(70_000) })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(() => client.sync.get('Bad Service', 'x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    // A failed write changes nothing.
    expect(await client.sync.get('bad', 'b1')).toMatchObject({ revision: 1, data: { n: 'text', list: 1 } });

    const notObject = await rest('PUT', 'bad/documents/b1', { data: 'text' });
    expect(notObject.status).toBe(400);
    const tooBig = await rest('POST', 'bad/documents', { data: { blob: 'x'.repeat(70_000) } });
    expect(tooBig.status).toBe(413);
    const badMatch = await rest('PUT', 'bad/documents/b1', { data: {} }, { 'if-match': 'abc' });
    expect(badMatch.status).toBe(400);
    const badService = await rest('GET', 'Bad%20Service/documents/x');
    expect(badService.status).toBe(400);
    expect(client.connected).toBe(true);
  });

  it('checks C R U D on doc/<service>/<id>, and delivers change events only for readable documents', async () => {
    const limited = t.client({
      token: await t.token({ sub: 'limited', per: { [realm]: { 'doc/shared/open': 'RU', 'doc/shared/mine-*': 'CRUD' } } }),
    });
    const owner = t.client({ token: writer });
    await owner.sync.create('shared', { v: 1 }, 'open');
    await owner.sync.create('shared', { v: 1 }, 'secret');

    await expect(limited.sync.get('shared', 'secret')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(limited.sync.merge('shared', 'secret', { v: 2 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(limited.sync.create('shared', {}, 'other')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(limited.sync.delete('shared', 'open')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(limited.sync.create('shared', {}, 'mine-1')).resolves.toMatchObject({ revision: 1 });
    expect((await limited.sync.merge('shared', 'open', { v: 2 })).revision).toBe(2);
    expect((await limited.sync.list('shared')).items.map((doc) => doc.id).sort()).toEqual(['mine-1', 'open']);

    const readOnly = t.client({ token: reader });
    await expect(readOnly.sync.create('shared', {}, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });

    limited.subscribe({ topic: 'sync.shared.updated' });
    await limited.ready();
    const events = collect(limited, 'event');
    await owner.sync.merge('shared', 'secret', { v: 3 });
    await owner.sync.merge('shared', 'open', { v: 3 });
    await events.until(1);
    await owner.sync.merge('shared', 'open', { v: 4 });
    await events.until(2);
    expect(events.values.map((event) => event.payload.id)).toEqual(['open', 'open']);
    await expect(limited.publish('sync.shared.updated', { id: 'open' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('sync documents and realms', () => {
  it('keeps documents with the same service and id apart in different realms', async () => {
    const t = await startTestServer();
    try {
      const a = t.client({ token: await t.token({ realm: 'ra', permissions: ['service'] }) });
      const b = t.client({ token: await t.token({ realm: 'rb', permissions: ['service'] }) });
      await a.sync.create('notes', { owner: 'a' }, 'same');
      await expect(b.sync.get('notes', 'same')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await b.sync.create('notes', { owner: 'b' }, 'same');
      expect((await a.sync.get('notes', 'same')).data).toEqual({ owner: 'a' });
      b.subscribe({ topic: 'sync.notes.updated' });
      await b.ready();
      const events = collect(b as RealtimeClient, 'event');
      await a.sync.merge('notes', 'same', { n: 1 });
      await b.sync.merge('notes', 'same', { n: 2 });
      await events.until(1);
      expect(events.values.map((event) => [event.metadata.realm, event.payload.revision])).toEqual([['rb', 2]]);
    } finally {
      await t.close();
    }
  });
});
