import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, type RealtimeClient } from '../../client/index.js';
import type { DocumentListPage } from '../../shared/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// Issue 11, item 5: a token that may write a document but not read it (`U`, `C` or `D` without
// `R`) gets the document's metadata back, never its data, from writes and conflicts; listing never
// hands out the id of a document the caller may not read, not even as a cursor.

const realm = 'reads-through-writes';
let t: TestServer;
let ownerToken: string;
let writerToken: string;
let owner: RealtimeClient;
let writer: RealtimeClient;

beforeAll(async () => {
  t = await startTestServer();
  ownerToken = await t.token({ sub: 'owner', realm, permissions: ['service'] });
  // Create, update and delete on `secrets`, read on nothing.
  writerToken = await t.token({ sub: 'writer', realm, per: { [realm]: { 'doc/secrets/*': 'CUD' } } });
  owner = t.client({ token: ownerToken });
  writer = t.client({ token: writerToken });
  await Promise.all([owner.ready(), writer.ready()]);
});
afterAll(() => t.close());

const rest = async (method: string, path: string, token: string, body?: unknown) => {
  const response = await fetch(`${t.url}/api/sync/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, etag: response.headers.get('etag'), body: (await response.json()) as Record<string, unknown> };
};

/** What every write reply must be for a caller without R: metadata, no data. */
function expectMetadataOnly(reply: unknown, id: string, revision: number): void {
  expect(reply).toMatchObject({ service: 'secrets', id, revision });
  expect(reply).not.toHaveProperty('data');
  expect(typeof (reply as { updatedAt?: unknown }).updatedAt).toBe('number');
  expect(JSON.stringify(reply)).not.toContain('hunter2');
}

describe('writes without R', () => {
  it('answers socket writes with metadata only', async () => {
    await owner.sync.create('secrets', { password: 'hunter2', nested: { pin: 1 } }, 's1');
    expectMetadataOnly(await writer.sync.merge('secrets', 's1', { note: 'x' }), 's1', 2);
    expectMetadataOnly(await writer.sync.mutate('secrets', 's1', [{ op: 'increment', path: '/nested/pin', value: 1 }]), 's1', 3);
    expectMetadataOnly(await writer.sync.replace('secrets', 's1', { password: 'hunter2', replaced: true }), 's1', 4);
    expectMetadataOnly(await writer.sync.create('secrets', { password: 'hunter2' }, 's2'), 's2', 1);
    const deleted = await writer.sync.delete('secrets', 's2');
    expectMetadataOnly(deleted, 's2', 2);
    expect(deleted).toMatchObject({ deleted: true });
    // The owner (with R) still gets whole documents.
    expect(await owner.sync.merge('secrets', 's1', { seen: true })).toMatchObject({ revision: 5, data: { password: 'hunter2', seen: true } });
  });

  it('answers a socket CONFLICT with the current revision but not the data', async () => {
    await owner.sync.create('secrets', { password: 'hunter2' }, 'c1');
    await owner.sync.merge('secrets', 'c1', { more: 'hunter2' });
    const error = (await writer.sync.merge('secrets', 'c1', { x: 1 }, 1).catch((err: unknown) => err)) as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toMatchObject({ current: { service: 'secrets', id: 'c1', revision: 2 } });
    expect((error.details as { current: object }).current).not.toHaveProperty('data');
    expect(JSON.stringify(error.details)).not.toContain('hunter2');
    // With R, the conflict still carries the current document.
    const ownerError = (await owner.sync.merge('secrets', 'c1', { x: 1 }, 1).catch((err: unknown) => err)) as ConflictError;
    expect(ownerError.details).toMatchObject({ current: { revision: 2, data: { password: 'hunter2', more: 'hunter2' } } });
  });

  it('answers REST writes and conflicts with metadata only', async () => {
    await owner.sync.create('secrets', { password: 'hunter2' }, 'r1');
    const merged = await rest('PATCH', 'secrets/documents/r1/merge', writerToken, { data: { note: 'x' } });
    expect(merged.status).toBe(200);
    expect(merged.etag).toBe('"2"');
    expectMetadataOnly(merged.body, 'r1', 2);
    expectMetadataOnly((await rest('PUT', 'secrets/documents/r1', writerToken, { data: { password: 'hunter2' } })).body, 'r1', 3);
    const mutated = await rest('POST', 'secrets/documents/r1/mutate', writerToken, { mutations: [{ op: 'set', path: '/a', value: 1 }] });
    expectMetadataOnly(mutated.body, 'r1', 4);
    const created = await rest('POST', 'secrets/documents', writerToken, { id: 'r2', data: { password: 'hunter2' } });
    expect(created.status).toBe(201);
    expectMetadataOnly(created.body, 'r2', 1);
    expectMetadataOnly((await rest('DELETE', 'secrets/documents/r2', writerToken)).body, 'r2', 2);

    const conflict = await rest('PUT', 'secrets/documents/r1', writerToken, { data: { x: 1 }, expectedRevision: 1 });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'CONFLICT', details: { current: { id: 'r1', revision: 4 } } });
    expect((conflict.body.details as { current: object }).current).not.toHaveProperty('data');
    expect(JSON.stringify(conflict.body)).not.toContain('hunter2');
  });
});

describe('listing', () => {
  const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
  const readable = ['a1', 'a3', 'a7'];
  let readerToken: string;

  beforeAll(async () => {
    for (const id of ids) await owner.sync.create('mixed', { id }, id);
    readerToken = await t.token({
      sub: 'reader',
      realm,
      per: { [realm]: Object.fromEntries(readable.map((id) => [`doc/mixed/${id}`, 'R'])) },
    });
  });

  it('pages over readable documents only: nextCursor never names a document the caller may not read', async () => {
    const reader = t.client({ token: readerToken });
    const pages: DocumentListPage[] = [];
    let after: string | undefined;
    do {
      const page = await reader.sync.list('mixed', { limit: 2, ...(after === undefined ? {} : { after }) });
      pages.push(page);
      after = page.nextCursor;
    } while (after !== undefined && pages.length < 10);
    expect(pages.flatMap((page) => page.items.map((doc) => doc.id))).toEqual(readable);
    expect(pages.map((page) => page.items.length)).toEqual([2, 1]);
    for (const page of pages) if (page.nextCursor !== undefined) expect(readable).toContain(page.nextCursor);
    expect(JSON.stringify(pages)).not.toMatch(/a2|a4|a5|a6/);
  });

  it('does the same over REST', async () => {
    const first = await rest('GET', 'mixed/documents?limit=1', readerToken);
    expect(first.body).toEqual({ items: [expect.objectContaining({ id: 'a1' })], nextCursor: 'a1' });
    const second = await rest('GET', 'mixed/documents?limit=1&after=a1', readerToken);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: 'a3' })], nextCursor: 'a3' });
    const third = await rest('GET', 'mixed/documents?limit=1&after=a3', readerToken);
    expect(third.body).toEqual({ items: [expect.objectContaining({ id: 'a7' })] });
    // A caller who may read everything pages exactly as before.
    const all = await rest('GET', 'mixed/documents?limit=3', ownerToken);
    expect(all.body).toMatchObject({ items: [{ id: 'a1' }, { id: 'a2' }, { id: 'a3' }], nextCursor: 'a3' });
  });
});
