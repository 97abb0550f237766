import { describe, expect, it } from 'vitest';
import { LIST_SCAN_LIMIT, listReadable } from '../../server/sync/readable-listing.js';
import { MemoryDocumentStore } from '../../server/sync/memory-document-store.js';

const realm = 'r';
const pad = (n: number) => `d${String(n).padStart(6, '0')}`;

async function storeWith(count: number): Promise<MemoryDocumentStore> {
  const store = new MemoryDocumentStore();
  for (let i = 0; i < count; i += 1) await store.create(realm, 'notes', { id: pad(i), data: {} });
  return store;
}

describe('listReadable', () => {
  it('fills pages with readable documents across store pages and ends without a cursor', async () => {
    const store = await storeWith(2500);
    const readable = (id: string) => Number(id.slice(1)) % 1000 === 7;
    const first = await listReadable(store, realm, 'notes', { limit: 2 }, { readsAll: false, readable });
    expect(first).toEqual({ items: [expect.objectContaining({ id: pad(7) }), expect.objectContaining({ id: pad(1007) })], nextCursor: pad(1007) });
    const second = await listReadable(store, realm, 'notes', { limit: 2, after: pad(1007) }, { readsAll: false, readable });
    expect(second).toEqual({ items: [expect.objectContaining({ id: pad(2007) })] });
    await store.close();
  });

  it('bounds the documents one call examines: what it found and a readable cursor, then LIMIT_EXCEEDED', async () => {
    const store = await storeWith(LIST_SCAN_LIMIT + 20);
    const readable = (id: string) => id === pad(0) || id === pad(LIST_SCAN_LIMIT + 10);
    const first = await listReadable(store, realm, 'notes', { limit: 5 }, { readsAll: false, readable });
    expect(first.items.map((doc) => doc.id)).toEqual([pad(0)]);
    expect(first.nextCursor).toBe(pad(0));
    await expect(listReadable(store, realm, 'notes', { limit: 5, after: pad(0) }, { readsAll: false, readable })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: LIST_SCAN_LIMIT },
    });
    // Past the unreadable stretch, listing goes on.
    const later = await listReadable(store, realm, 'notes', { limit: 5, after: pad(LIST_SCAN_LIMIT) }, { readsAll: false, readable });
    expect(later).toEqual({ items: [expect.objectContaining({ id: pad(LIST_SCAN_LIMIT + 10) })] });
    await store.close();
  });

  it('pages exactly as the store does for a caller who may read everything, and checks the limit', async () => {
    const store = await storeWith(5);
    const page = await listReadable(store, realm, 'notes', { limit: 2 }, { readsAll: true, readable: () => true });
    expect(page).toEqual(await store.list(realm, 'notes', { limit: 2 }));
    await expect(listReadable(store, realm, 'notes', { limit: 0 }, { readsAll: false, readable: () => true })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await store.close();
  });
});
