import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../shared/index.js';
import type { SyncDocument } from '../../shared/index.js';
import { expectRejection, type ContractContext } from './document-store-contract-support.js';

/** Expiry, sweeping, and concurrent writers. */
export function describeExpiryAndConcurrency(ctx: ContractContext): void {
  describe('expiry', () => {
    it('serves a document until expiresAt, then reads it as missing everywhere', async () => {
      const expiresAt = ctx.clock.time + 1000;
      const created = await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { n: 1 }, expiresAt });
      expect(created.expiresAt).toBe(expiresAt);
      ctx.clock.advance(999);
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toStrictEqual(created);
      expect((await ctx.store.list(ctx.realm, 'notes')).items).toStrictEqual([created]);

      ctx.clock.advance(1);
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'a'), NotFoundError, 'NOT_FOUND');
      await expectRejection(ctx.store.get(ctx.realm, 'notes', 'a', { includeDeleted: true }), NotFoundError, 'NOT_FOUND');
      expect((await ctx.store.list(ctx.realm, 'notes')).items).toStrictEqual([]);
      await expectRejection(
        ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: {} })),
        NotFoundError,
        'NOT_FOUND',
      );
    });

    it('lets create reuse the id of an expired document, starting again at revision 1', async () => {
      await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { n: 1 }, expiresAt: ctx.clock.time + 10 });
      await ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { n: 2 } }));
      ctx.clock.advance(10);
      const again = await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { n: 'new' } });
      expect(again).toStrictEqual({
        service: 'notes',
        id: 'a',
        revision: 1,
        data: { n: 'new' },
        createdAt: ctx.clock.time,
        updatedAt: ctx.clock.time,
      });
      expect(await ctx.store.get(ctx.realm, 'notes', 'a')).toStrictEqual(again);
    });

    it('sweepExpired removes expired documents (tombstones included) and only those', async () => {
      const t = ctx.clock.time;
      await ctx.store.create(ctx.realm, 'notes', { id: 'soon', data: {}, expiresAt: t + 100 });
      await ctx.store.create(ctx.realm, 'notes', { id: 'gone', data: {}, expiresAt: t + 100 });
      await ctx.store.write(ctx.realm, 'notes', 'gone', () => ({ deleted: true }));
      await ctx.store.create(ctx.realm, 'notes', { id: 'later', data: {}, expiresAt: t + 100_000 });
      await ctx.store.create(ctx.realm, 'notes', { id: 'never', data: {} });
      expect(await ctx.store.sweepExpired()).toBe(0);
      ctx.clock.advance(100);
      expect(await ctx.store.sweepExpired()).toBe(2);
      expect(await ctx.store.sweepExpired()).toBe(0);
      expect((await ctx.store.list(ctx.realm, 'notes')).items.map((d) => d.id)).toStrictEqual(['later', 'never']);
    });
  });

  describe('concurrent writers', () => {
    const atomic = ctx.target.atomicConditionalUpdates;
    const note = atomic ? '' : ' [needs atomic conditional updates: not run on FerretDB, issue #3040]';

    it.runIf(atomic)(`loses no update: 50 concurrent read-modify-write increments end at 50, revision 51${note}`, async () => {
      await ctx.store.create(ctx.realm, 'notes', { id: 'counter', data: { n: 0 } });
      const increment = (current: SyncDocument) => ({ data: { n: (current.data['n'] as number) + 1 } });
      const results = await Promise.all(Array.from({ length: 50 }, () => ctx.store.write(ctx.realm, 'notes', 'counter', increment)));
      expect(await ctx.store.get(ctx.realm, 'notes', 'counter')).toMatchObject({ revision: 51, data: { n: 50 } });
      // Every write claimed its own revision, and each stored exactly one increment over the last.
      const revisions = results.map((r) => r.current.revision).sort((a, b) => a - b);
      expect(revisions).toStrictEqual(Array.from({ length: 50 }, (_, i) => i + 2));
      for (const { previous, current } of results) {
        expect(current.revision).toBe(previous.revision + 1);
        expect(current.data['n']).toBe(current.revision - 1);
      }
    });

    it('lets exactly one of 10 concurrent creates of one id win; the rest get ALREADY_EXISTS', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => ctx.store.create(ctx.realm, 'notes', { id: 'once', data: { i } })));
      const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      for (const reason of lost) expect(reason).toBeInstanceOf(AlreadyExistsError);
      expect(await ctx.store.get(ctx.realm, 'notes', 'once')).toStrictEqual(won[0]);
    });

    it.runIf(atomic)(`lets exactly one of 10 writers with the same expectedRevision win; the rest get CONFLICT${note}`, async () => {
      await ctx.store.create(ctx.realm, 'notes', { id: 'a', data: { winner: null } });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => ctx.store.write(ctx.realm, 'notes', 'a', () => ({ data: { winner: i } }), { expectedRevision: 1 })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(9);
      for (const reason of lost) expect(reason).toBeInstanceOf(ConflictError);
      const stored = await ctx.store.get(ctx.realm, 'notes', 'a');
      expect(stored.revision).toBe(2);
      expect(won[0]?.status === 'fulfilled' ? won[0].value.current : undefined).toStrictEqual(stored);
    });
  });
}
