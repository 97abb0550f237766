import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, PayloadTooLargeError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { expectRejection, uniqueRealm, type ContractContext } from './document-store-contract-support.js';

/** create, get, list, names, data checks, size limit, realm isolation. */
export function describeCreateAndRead(ctx: ContractContext): void {
  describe('create', () => {
    it('stores a document at revision 1 with the clock as createdAt and updatedAt', async () => {
      const created = await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { title: 'Hello', tags: ['x'] } });
      const expected: SyncDocument = {
        service: 'notes',
        id: 'a',
        revision: 1,
        data: { title: 'Hello', tags: ['x'] },
        createdAt: ctx.clock.time,
        updatedAt: ctx.clock.time,
      };
      expect(created).toStrictEqual(expected);
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toStrictEqual(expected);
    });

    it('generates distinct doc_<ulid> ids that sort in creation order when no id is given', async () => {
      const first = await ctx.store.create(ctx.realm, 'notes', { data: { n: 1 } });
      const second = await ctx.store.create(ctx.realm, 'notes', { data: { n: 2 } });
      expect(first.id).toMatch(/^doc_[0-9a-z]{26}$/);
      expect(second.id).toMatch(/^doc_[0-9a-z]{26}$/);
      expect(first.id < second.id).toBe(true);
      expect((await ctx.store.get(ctx.realm, 'notes', second.id)).data).toStrictEqual({ n: 2 });
    });

    it('fails with ALREADY_EXISTS when a live document has the id, leaving it unchanged', async () => {
      await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { v: 1 } });
      await expectRejection(ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { v: 2 } }), AlreadyExistsError, 'ALREADY_EXISTS');
      const stored = await ctx.store.get(ctx.realm, 'notes', 'a');
      expect(stored.data).toStrictEqual({ v: 1 });
      expect(stored.revision).toBe(1);
    });

    it('keeps its own copy: changing the input or a result does not change the stored document', async () => {
      const data = { nested: { n: 1 } };
      const created = await ctx.store.create(ctx.realm, 'notes', { id: 'a', data });
      data.nested.n = 2;
      (created.data['nested'] as { n: number }).n = 3;
      const read = await ctx.store.get(ctx.realm, 'notes', 'a');
      (read.data['nested'] as { n: number }).n = 4;
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).data).toStrictEqual({ nested: { n: 1 } });
    });

    it('round-trips every JSON value and any key, "." "$" "%" NUL and "" included', async () => {
      const data = {
        'example.com': { $ref: 'x', 'a.b.c': [{ $in: 1, '%2E': '%24' }] },
        $set: true,
        '%': '%25',
        'nul\u0000key': null,
        '': 'empty key',
        '100%.$': { '.': { '..': 0 } },
        numbers: [0, -1, 1.5, 2 ** 31, 2 ** 53 - 1, -(2 ** 40), 1e-7],
        text: 'é 漢字 🚀 "quoted" \\ \n',
        empty: { object: {}, array: [] },
        deep: [[[{ a: [null, false, true] }]]],
        deepest: { objects: nest(30), arrays: nestArrays(30) }, // 32 levels with data itself
      };
      await ctx.store.create(ctx.realm, 'notes', { id: 'keys', data });
      expect((await ctx.store.get(ctx.realm, 'notes', 'keys')).data).toStrictEqual(data);
      const [listed] = (await ctx.store.list(ctx.realm, 'notes')).items;
      expect(listed?.data).toStrictEqual(data);
    });

    it.each([
      ['realm', 'bad realm', 'notes', 'a'],
      ['realm', '', 'notes', 'a'],
      ['service', 'r', 'Notes', 'a'],
      ['service', 'r', 'no.tes', 'a'],
      ['service', 'r', 'x'.repeat(65), 'a'],
      ['id', 'r', 'notes', 'a/b'],
      ['id', 'r', 'notes', '..'],
      ['id', 'r', 'notes', 'x'.repeat(129)],
      ['id', 'r', 'notes', ''],
    ])('rejects an invalid %s (%j / %j / %j) with INVALID_ARGUMENT', async (_what, realm, service, id) => {
      await expectRejection(ctx.store.create(realm, service, { id, data: {} }), InvalidArgumentError, 'INVALID_ARGUMENT');
      await expectRejection(ctx.store.get(realm, service, id), InvalidArgumentError, 'INVALID_ARGUMENT');
    });

    it.each([
      ['an array', [1, 2]],
      ['null', null],
      ['a string', 'text'],
      ['a Date inside', { at: new Date(0) }],
      ['NaN inside', { n: Number.NaN }],
      ['Infinity inside', { n: [Number.POSITIVE_INFINITY] }],
      ['undefined inside', { u: undefined }],
      ['a function inside', { f: () => 1 }],
      ['a __proto__ key', JSON.parse('{"a":{"__proto__":{"polluted":true}}}') as unknown],
      ['nested deeper than 32 levels', { a: nest(32) }],
      ['arrays nested deeper than 32 levels', { a: nestArrays(32) }],
    ])('rejects data that is %s with INVALID_ARGUMENT and stores nothing', async (_what, data) => {
      const input = { id: 'bad', data } as unknown as { id: string; data: Record<string, unknown> };
      const err = await expectRejection(ctx.store.create(ctx.realm, 'notes', input), InvalidArgumentError, 'INVALID_ARGUMENT');
      expect(err.details).toMatchObject({ issues: [expect.objectContaining({ message: expect.any(String) })] });
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'bad'), NotFoundError, 'NOT_FOUND');
    });

    it('rejects an expiresAt that is not a future Unix time in ms', async () => {
      for (const expiresAt of [ctx.clock.time, ctx.clock.time - 1, 1.5, Number.NaN]) {
        await expectRejection(ctx.store.create(ctx.realm, 'notes', { id: 'a', data: {}, expiresAt }), InvalidArgumentError, 'INVALID_ARGUMENT');
      }
    });
  });

  describe('size limit', () => {
    it('accepts data up to 64 KiB of JSON by default and refuses one byte more with PAYLOAD_TOO_LARGE', async () => {
      // {"s":"xxx..."} is 8 bytes of framing plus the string.
      const fits = { s: 'x'.repeat(64 * 1024 - 8) };
      const tooBig = { s: 'x'.repeat(64 * 1024 - 7) };
      await ctx.store.create(ctx.realm, 'notes', { id: 'fits', data: fits });
      expect((await ctx.store.get(ctx.realm, 'notes', 'fits')).data).toStrictEqual(fits);
      const err = await expectRejection(ctx.store.create(ctx.realm, 'notes', { id: 'big', data: tooBig }), PayloadTooLargeError, 'PAYLOAD_TOO_LARGE');
      expect(err.details).toStrictEqual({ size: 64 * 1024 + 1, limit: 64 * 1024 });
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'big'), NotFoundError, 'NOT_FOUND');
    });

    it('honours a configured limit, counting UTF-8 bytes', async () => {
      const store = await ctx.open({ maxDocumentBytes: 20 });
      await store.create(ctx.realm, 'notes', { id: 'a', data: { s: 'é'.repeat(6) } }); // 8 + 12 = 20 bytes
      await expectRejection(store.create(ctx.realm, 'notes', { id: 'b', data: { s: 'é'.repeat(7) } }), PayloadTooLargeError, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('get', () => {
    it('fails with NOT_FOUND for a document that never existed', async () => {
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'missing'), NotFoundError, 'NOT_FOUND');
    });
  });

  describe('list', () => {
    it('returns an empty page without a cursor when there is nothing', async () => {
      expect(await ctx.store.list(ctx.realm, 'notes')).toStrictEqual({ items: [] });
    });

    it('pages through live documents in id order with nextCursor only while more follow', async () => {
      for (const id of ['g', 'c', 'a', 'e', 'b', 'f', 'd']) {
        await ctx.store.create(ctx.realm, 'notes', { id, data: { id } });
      }
      const pages: string[][] = [];
      const cursors: (string | undefined)[] = [];
      let after: string | undefined;
      do {
        const page = await ctx.store.list(ctx.realm, 'notes', { limit: 3, ...(after === undefined ? {} : { after }) });
        pages.push(page.items.map((doc) => doc.id));
        cursors.push(page.nextCursor);
        after = page.nextCursor;
      } while (after !== undefined);
      expect(pages).toStrictEqual([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
      expect(cursors).toStrictEqual(['c', 'f', undefined]);
      const first = await ctx.store.list(ctx.realm, 'notes', { limit: 1 });
      expect(first.items[0]).toStrictEqual(await ctx.store.get(ctx.realm, 'notes', 'a'));
    });

    it('gives no cursor when the last page is exactly full', async () => {
      for (const id of ['a', 'b', 'c', 'd']) await ctx.store.create(ctx.realm, 'notes', { id, data: {} });
      const first = await ctx.store.list(ctx.realm, 'notes', { limit: 2 });
      expect(first.nextCursor).toBe('b');
      const second = await ctx.store.list(ctx.realm, 'notes', { limit: 2, after: 'b' });
      expect(second).toStrictEqual({ items: [expect.objectContaining({ id: 'c' }), expect.objectContaining({ id: 'd' })] });
    });

    it('returns up to 100 documents by default', async () => {
      await Promise.all(Array.from({ length: 101 }, (_, i) => ctx.store.create(ctx.realm, 'notes', { id: `n${String(i).padStart(3, '0')}`, data: {} })));
      const page = await ctx.store.list(ctx.realm, 'notes');
      expect(page.items).toHaveLength(100);
      expect(page.nextCursor).toBe('n099');
    });

    it('rejects a bad limit or cursor with INVALID_ARGUMENT', async () => {
      for (const options of [{ limit: 0 }, { limit: 1001 }, { limit: 2.5 }, { after: 'a/b' }]) {
        await expectRejection(ctx.store.list(ctx.realm, 'notes', options), InvalidArgumentError, 'INVALID_ARGUMENT');
      }
    });
  });

  describe('isolation', () => {
    it('keeps realms apart: same service and id are different documents', async () => {
      const other = uniqueRealm();
      await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { realm: 'mine' } });
      await expectRejection(ctx.store.get(other, 'notes', 'a'), NotFoundError, 'NOT_FOUND');
      expect((await ctx.store.list(other, 'notes')).items).toStrictEqual([]);
      await expectRejection(
        ctx.store.write(other, 'notes', 'a', () => ({ data: {} })),
        NotFoundError,
        'NOT_FOUND',
      );
      await ctx.store.create(other, 'notes', { id: 'a', data: { realm: 'other' } });
      await ctx.store.write(other, 'notes', 'a', () => ({ deleted: true }));
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).data).toStrictEqual({ realm: 'mine' });
      expect((await ctx.store.list(ctx.realm, 'notes')).items.map((d) => d.id)).toStrictEqual(['a']);
    });

    it('keeps services apart within a realm', async () => {
      await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { s: 'notes' } });
      await ctx.store.create(ctx.realm, 'orders', { id: 'a', data: { s: 'orders' } });
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).data).toStrictEqual({ s: 'notes' });
      expect((await ctx.store.list(ctx.realm, 'orders')).items.map((d) => d.data)).toStrictEqual([{ s: 'orders' }]);
    });
  });
}

/** `depth` levels of arrays: nestArrays(2) is [[]]. */
function nestArrays(depth: number): unknown[] {
  let value: unknown[] = [];
  for (let i = 0; i < depth - 1; i += 1) value = [value];
  return value;
}

/** `depth` levels of objects: nest(2) is { d: {} }. */
function nest(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < depth - 1; i += 1) value = { d: value };
  return value;
}
