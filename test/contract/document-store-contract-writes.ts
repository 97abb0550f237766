import { describe, expect, it } from 'vitest';
import { ConflictError, InvalidArgumentError, NotFoundError, PayloadTooLargeError, UnavailableError } from '../../shared/index.js';
import type { Mutation, SyncDocument } from '../../shared/index.js';
import { applyMergePatch, applyMutations } from '../../server/sync/document-operations.js';
import type { DocumentChange } from '../../server/sync/document-store.js';
import { expectRejection, type ContractContext } from './document-store-contract-support.js';

/** The write primitive: replace, merge, mutate, delete, expectedRevision, errors, close. */
export function describeWrites(ctx: ContractContext): void {
  const create = (id: string, data: Record<string, unknown>): Promise<SyncDocument> => ctx.store.create(ctx.realm, 'notes', { id, data });

  describe('write', () => {
    it('replaces the data at revision + 1, moving updatedAt and keeping createdAt', async () => {
      const created = await create('a', { title: 'old', keep: false });
      ctx.clock.advance(1500);
      const result = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { title: 'new' } }));
      const expected: SyncDocument = {
        ...created,
        revision: 2,
        data: { title: 'new' },
        updatedAt: created.createdAt + 1500,
      };
      expect(result).toStrictEqual({ previous: created, current: expected });
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toStrictEqual(expected);
    });

    it('hands the transform the current document, and a change to it is not stored unless returned', async () => {
      await create('a', { n: 1 });
      const seen: SyncDocument[] = [];
      await ctx.store.write(ctx.realm, 'notes', 'a', (current) => {
        seen.push(structuredClone(current));
        current.data['n'] = 99;
        return { data: { n: 2 } };
      });
      expect(seen).toStrictEqual([expect.objectContaining({ id: 'a', revision: 1, data: { n: 1 } })]);
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).data).toStrictEqual({ n: 2 });
    });

    it('writes when expectedRevision matches', async () => {
      await create('a', { n: 1 });
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 2 } }), { expectedRevision: 1 });
      const { current } = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 3 } }), { expectedRevision: 2 });
      expect(current.revision).toBe(3);
    });

    it('fails with CONFLICT carrying the current document when expectedRevision differs, changing nothing', async () => {
      await create('a', { n: 1 });
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 2 } }));
      let called = false;
      const err = await expectRejection(
        ctx.store.write(
          ctx.realm,
          'notes',
          'a',
          () => {
            called = true;
            return { data: { n: 3 } };
          },
          { expectedRevision: 1 },
        ),
        ConflictError,
        'CONFLICT',
      );
      const stored = await ctx.store.get(ctx.realm, 'notes', 'a');
      expect(err.details).toStrictEqual({ current: stored });
      expect(stored).toMatchObject({ revision: 2, data: { n: 2 } });
      expect(called).toBe(false);
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} }), { expectedRevision: 3 }),
        ConflictError,
        'CONFLICT',
      );
    });

    it('rejects an expectedRevision that is not a positive integer', async () => {
      await create('a', {});
      for (const expectedRevision of [0, -1, 1.5]) {
        await expectRejection(
          ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} }), { expectedRevision }),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
        );
      }
    });

    it('fails with NOT_FOUND for a missing document, with or without expectedRevision', async () => {
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'nope', () => ({ data: {} })),
        NotFoundError,
        'NOT_FOUND',
      );
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'nope', () => ({ data: {} }), { expectedRevision: 1 }),
        NotFoundError,
        'NOT_FOUND',
      );
    });

    it('stores nothing when the transform throws, and passes its error on', async () => {
      await create('a', { n: 1 });
      const thrown = new InvalidArgumentError('no');
      const err = await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => {
          throw thrown;
        }),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
      );
      expect(err).toBe(thrown);
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toMatchObject({ revision: 1, data: { n: 1 } });
    });

    it('checks what the transform returns: size limit and JSON data', async () => {
      await create('a', { n: 1 });
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { s: 'x'.repeat(64 * 1024) } })),
        PayloadTooLargeError,
        'PAYLOAD_TOO_LARGE',
      );
      for (const bad of [{ data: [1] }, { data: { d: new Date() } }, {}, { deleted: false }]) {
        await expectRejection(
          ctx.store.write(ctx.realm, 'notes', 'a', () => bad as unknown as DocumentChange),
          InvalidArgumentError,
          'INVALID_ARGUMENT',
        );
      }
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toMatchObject({ revision: 1, data: { n: 1 } });
    });

    it('sets, keeps and clears expiresAt', async () => {
      await create('a', {});
      const later = ctx.clock.time + 60_000;
      const set = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 1 } }), { expiresAt: later });
      expect(set.current.expiresAt).toBe(later);
      const kept = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 2 } }));
      expect(kept.current.expiresAt).toBe(later);
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).expiresAt).toBe(later);
      const cleared = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 3 } }), { expiresAt: null });
      expect('expiresAt' in cleared.current).toBe(false);
      expect('expiresAt' in (await ctx.store.get(ctx.realm, 'notes', 'a'))).toBe(false);
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} }), { expiresAt: ctx.clock.time }),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
      );
    });
  });

  describe('merge (RFC 7386 through write)', () => {
    it('merges objects deeply, removes keys set to null and replaces everything else', async () => {
      await create('a', { title: 'T', meta: { a: 1, b: { c: 2, d: 3 } }, list: [1, 2], gone: 'x' });
      const patch = { meta: { b: { c: null, e: 5 }, f: 6 }, list: [3], gone: null, added: { x: null, y: 1 } };
      const { current } = await ctx.store.write(ctx.realm, 'notes', 'a', (doc) => ({ data: applyMergePatch(doc.data, patch) }));
      const expected = { title: 'T', meta: { a: 1, b: { d: 3, e: 5 }, f: 6 }, list: [3], added: { y: 1 } };
      expect(current.data).toStrictEqual(expected);
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).data).toStrictEqual(expected);
    });

    it('rejects a patch that is not an object, storing nothing', async () => {
      await create('a', { n: 1 });
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', (doc) => ({ data: applyMergePatch(doc.data, [1]) })),
        InvalidArgumentError,
        'INVALID_ARGUMENT',
      );
      expect((await ctx.store.get(ctx.realm, 'notes', 'a')).revision).toBe(1);
    });
  });

  describe('mutate (through write)', () => {
    const mutate =
      (mutations: unknown) =>
      (doc: SyncDocument): DocumentChange => ({ data: applyMutations(doc.data, mutations) });

    it('applies set, increment, remove and append as one revision', async () => {
      await create('a', { status: 'open', count: 1, draft: true, log: ['a'], deep: { list: [1, 2, 3] } });
      const mutations: Mutation[] = [
        { op: 'set', path: '/status', value: 'ended' },
        { op: 'set', path: '/new/nested~1key', value: { ok: true } },
        { op: 'increment', path: '/count', value: -3 },
        { op: 'increment', path: '/fresh', value: 2.5 },
        { op: 'remove', path: '/draft' },
        { op: 'remove', path: '/deep/list/0' },
        { op: 'append', path: '/log', value: { b: 1 } },
        { op: 'append', path: '/created', value: 'x' },
      ];
      const { current } = await ctx.store.write(ctx.realm, 'notes', 'a', mutate(mutations));
      expect(current.revision).toBe(2);
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toMatchObject({
        revision: 2,
        data: {
          status: 'ended',
          new: { 'nested/key': { ok: true } },
          count: -2,
          fresh: 2.5,
          log: ['a', { b: 1 }],
          deep: { list: [2, 3] },
          created: ['x'],
        },
      });
    });

    it.each([
      ['a bad pointer', [{ op: 'set', path: 'status', value: 1 }]],
      ['a bad escape', [{ op: 'set', path: '/a~2', value: 1 }]],
      ['an unknown op', [{ op: 'move', path: '/status' }]],
      ['increment of a non-number', [{ op: 'increment', path: '/status', value: 1 }]],
      ['increment by a non-number', [{ op: 'increment', path: '/count', value: '1' }]],
      ['append to a non-array', [{ op: 'append', path: '/count', value: 1 }]],
      ['a path through a number', [{ op: 'set', path: '/count/x', value: 1 }]],
      ['no mutations', []],
    ])('rejects %s with INVALID_ARGUMENT and applies nothing', async (_what, bad) => {
      await create('a', { status: 'open', count: 1 });
      const mutations = [{ op: 'set', path: '/status', value: 'changed' }, ...bad];
      const list = bad.length === 0 ? bad : mutations;
      await expectRejection(ctx.store.write(ctx.realm, 'notes', 'a', mutate(list)), InvalidArgumentError, 'INVALID_ARGUMENT');
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toMatchObject({ revision: 1, data: { status: 'open', count: 1 } });
    });
  });

  describe('delete (soft, through write)', () => {
    it('turns the document into a tombstone at revision + 1 that only includeDeleted reads', async () => {
      const created = await create('a', { n: 1 });
      ctx.clock.advance(10);
      const { previous, current } = await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ deleted: true }));
      const tombstone: SyncDocument = { ...created, revision: 2, data: {}, updatedAt: created.createdAt + 10, deleted: true };
      expect(previous).toStrictEqual(created);
      expect(current).toStrictEqual(tombstone);
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'a'), NotFoundError, 'NOT_FOUND');
      expect(await ctx.store.get(ctx.realm, 'notes', 'a', { includeDeleted: true })).toStrictEqual(tombstone);
      expect((await ctx.store.list(ctx.realm, 'notes')).items).toStrictEqual([]);
    });

    it('fails with NOT_FOUND on any later write, delete included', async () => {
      await create('a', {});
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ deleted: true }));
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ deleted: true })),
        NotFoundError,
        'NOT_FOUND',
      );
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} }), { expectedRevision: 2 }),
        NotFoundError,
        'NOT_FOUND',
      );
    });

    it('lets create bring the id back, continuing its revisions', async () => {
      await create('a', { v: 1 });
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { v: 2 } }));
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ deleted: true }));
      ctx.clock.advance(5);
      const again = await create('a', { v: 'again' });
      expect(again).toStrictEqual({
        service: 'notes',
        id: 'a',
        revision: 4,
        data: { v: 'again' },
        createdAt: ctx.clock.time,
        updatedAt: ctx.clock.time,
      });
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toStrictEqual(again);
    });
  });

  describe('close', () => {
    it('makes every later call fail with UNAVAILABLE, and may be called twice', async () => {
      await create('a', {});
      await ctx.store.close();
      await ctx.store.close();
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'a'), UnavailableError, 'UNAVAILABLE');
      await expectRejection(ctx.store.create(ctx.realm, 'notes', { data: {} }), UnavailableError, 'UNAVAILABLE');
      await expectRejection(ctx.store.list(ctx.realm, 'notes'), UnavailableError, 'UNAVAILABLE');
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} })),
        UnavailableError,
        'UNAVAILABLE',
      );
      await expectRejection(ctx.store.sweepExpired(), UnavailableError, 'UNAVAILABLE');
    });
  });
}
