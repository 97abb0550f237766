import jsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PayloadTooLargeError } from '../../shared/index.js';
import type { Mutation } from '../../shared/index.js';
import {
  DEFAULT_MAX_DOCUMENT_BYTES,
  MAX_MUTATIONS,
  applyMergePatch,
  applyMutations,
  assertDocumentKey,
  diffData,
  generateDocumentId,
  prepareDocumentData,
} from '../../server/sync/document-operations.js';
import { MAX_JSON_DEPTH, cloneJsonValue } from '../../server/sync/json-data.js';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('applyMergePatch (RFC 7386)', () => {
  // RFC 7386 Appendix A, the cases whose target and patch are objects (document data always is).
  it.each([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j merged with %j is %j', (target, patch, expected) => {
    expect(applyMergePatch(target, patch)).toStrictEqual(expected);
  });

  it('replaces a non-object member with the patch object, dropping its nulls', () => {
    expect(applyMergePatch({ a: 5 }, { a: { x: 1, y: null } })).toStrictEqual({ a: { x: 1 } });
  });

  it('does not modify the target or the patch, nor share objects with them', () => {
    const target = { a: { b: 1 } };
    const patch = { a: { c: 2 }, d: { e: 3 } };
    const result = applyMergePatch(target, patch);
    expect(target).toStrictEqual({ a: { b: 1 } });
    expect(patch).toStrictEqual({ a: { c: 2 }, d: { e: 3 } });
    expect(result['d']).not.toBe(patch.d);
  });

  it.each([[['c']], [null], ['bar'], [42]])('rejects a patch that is not an object (%j) with INVALID_ARGUMENT', (patch) => {
    expect(catchError(() => applyMergePatch({ a: 'b' }, patch))).toBeInstanceOf(InvalidArgumentError);
  });

  it('rejects a patch holding non-JSON values', () => {
    expect(catchError(() => applyMergePatch({}, { when: new Date() }))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('applyMutations', () => {
  const apply = (data: Record<string, unknown>, ...mutations: Mutation[]) => applyMutations(data, mutations);

  describe('set', () => {
    it('sets a member, creating missing parent objects', () => {
      expect(apply({}, { op: 'set', path: '/a/b/c', value: 1 })).toStrictEqual({ a: { b: { c: 1 } } });
    });

    it('replaces an array element, appends at the length or with "-", and refuses a gap', () => {
      const data = { list: ['a', 'b'] };
      expect(apply(data, { op: 'set', path: '/list/1', value: 'B' })).toStrictEqual({ list: ['a', 'B'] });
      expect(apply(data, { op: 'set', path: '/list/2', value: 'c' })).toStrictEqual({ list: ['a', 'b', 'c'] });
      expect(apply(data, { op: 'set', path: '/list/-', value: 'c' })).toStrictEqual({ list: ['a', 'b', 'c'] });
      expect(catchError(() => apply(data, { op: 'set', path: '/list/3', value: 'x' }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply(data, { op: 'set', path: '/list/01', value: 'x' }))).toBeInstanceOf(InvalidArgumentError);
    });

    it('unescapes ~1 and ~0 in paths (RFC 6901)', () => {
      expect(apply({}, { op: 'set', path: '/a~1b/m~0n', value: 1 })).toStrictEqual({ 'a/b': { 'm~n': 1 } });
    });

    it('replaces the whole data with an object at "", and refuses anything else there', () => {
      expect(apply({ a: 1 }, { op: 'set', path: '', value: { b: 2 } })).toStrictEqual({ b: 2 });
      expect(catchError(() => apply({ a: 1 }, { op: 'set', path: '', value: [1] }))).toBeInstanceOf(InvalidArgumentError);
    });

    it('refuses non-JSON values', () => {
      expect(catchError(() => apply({}, { op: 'set', path: '/a', value: Number.NaN }))).toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('increment', () => {
    it('adds to a number, counting a missing value as 0', () => {
      expect(apply({ n: 1 }, { op: 'increment', path: '/n', value: 2 })).toStrictEqual({ n: 3 });
      expect(apply({}, { op: 'increment', path: '/stats/n', value: -1.5 })).toStrictEqual({ stats: { n: -1.5 } });
    });

    it.each([
      ['a string', { n: '1' }, 1],
      ['null', { n: null }, 1],
      ['an object', { n: {} }, 1],
    ])('refuses to increment %s', (_what, data, value) => {
      expect(catchError(() => apply(data, { op: 'increment', path: '/n', value }))).toBeInstanceOf(InvalidArgumentError);
    });

    it('refuses a non-finite amount and an overflow', () => {
      expect(catchError(() => apply({ n: 1 }, { op: 'increment', path: '/n', value: Number.POSITIVE_INFINITY }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply({ n: 1e308 }, { op: 'increment', path: '/n', value: 1e308 }))).toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('remove', () => {
    it('deletes a member or splices an array element', () => {
      expect(apply({ a: 1, b: 2 }, { op: 'remove', path: '/a' })).toStrictEqual({ b: 2 });
      expect(apply({ l: [1, 2, 3] }, { op: 'remove', path: '/l/1' })).toStrictEqual({ l: [1, 3] });
    });

    it('is a no-op for a missing member, index or parent', () => {
      expect(apply({ a: 1 }, { op: 'remove', path: '/b' })).toStrictEqual({ a: 1 });
      expect(apply({ l: [1] }, { op: 'remove', path: '/l/5' })).toStrictEqual({ l: [1] });
      expect(apply({ a: 1 }, { op: 'remove', path: '/x/y/z' })).toStrictEqual({ a: 1 });
    });

    it('refuses "", "-" and paths through a scalar', () => {
      expect(catchError(() => apply({ a: 1 }, { op: 'remove', path: '' }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply({ l: [1] }, { op: 'remove', path: '/l/-' }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply({ a: 1 }, { op: 'remove', path: '/a/b' }))).toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('append', () => {
    it('pushes onto an array, creating a missing one', () => {
      expect(apply({ l: [1] }, { op: 'append', path: '/l', value: [2] })).toStrictEqual({ l: [1, [2]] });
      expect(apply({}, { op: 'append', path: '/a/l', value: 'x' })).toStrictEqual({ a: { l: ['x'] } });
    });

    it('refuses to append to a non-array or to ""', () => {
      expect(catchError(() => apply({ l: 'x' }, { op: 'append', path: '/l', value: 1 }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply({ l: {} }, { op: 'append', path: '/l', value: 1 }))).toBeInstanceOf(InvalidArgumentError);
      expect(catchError(() => apply({}, { op: 'append', path: '', value: 1 }))).toBeInstanceOf(InvalidArgumentError);
    });
  });

  it('applies all or nothing and names the failing mutation', () => {
    const data = { a: 1, s: 'x' };
    const err = catchError(() =>
      applyMutations(data, [
        { op: 'set', path: '/a', value: 2 },
        { op: 'increment', path: '/s', value: 1 },
      ]),
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).message).toMatch(/^mutations\[1\]: cannot increment a string at \/s$/);
    expect((err as InvalidArgumentError).details).toStrictEqual({
      issues: [{ path: 'mutations/1', message: 'cannot increment a string at /s' }],
    });
    expect(data).toStrictEqual({ a: 1, s: 'x' });
  });

  it('does not modify its input', () => {
    const data = { l: [1], o: { n: 1 } };
    const result = apply(data, { op: 'append', path: '/l', value: 2 }, { op: 'increment', path: '/o/n', value: 1 });
    expect(data).toStrictEqual({ l: [1], o: { n: 1 } });
    expect(result).toStrictEqual({ l: [1, 2], o: { n: 2 } });
  });

  it.each([
    ['not an array', { op: 'set', path: '/a', value: 1 }],
    ['empty', []],
    ['too long', Array.from({ length: MAX_MUTATIONS + 1 }, () => ({ op: 'increment', path: '/n', value: 1 }))],
    ['holding a non-object', [42]],
    ['holding an unknown op', [{ op: 'copy', path: '/a', from: '/b' }]],
    ['holding a missing op', [{ path: '/a', value: 1 }]],
    ['holding a non-string path', [{ op: 'set', path: 3, value: 1 }]],
    ['holding a path without a leading slash', [{ op: 'set', path: 'a', value: 1 }]],
    ['holding a bad escape', [{ op: 'set', path: '/a~', value: 1 }]],
    ['holding a __proto__ path', [{ op: 'set', path: '/__proto__/polluted', value: true }]],
  ])('refuses a mutation list %s', (_what, mutations) => {
    expect(catchError(() => applyMutations({}, mutations))).toBeInstanceOf(InvalidArgumentError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('accepts exactly MAX_MUTATIONS mutations', () => {
    const mutations = Array.from({ length: MAX_MUTATIONS }, () => ({ op: 'increment' as const, path: '/n', value: 1 }));
    expect(applyMutations({}, mutations)).toStrictEqual({ n: MAX_MUTATIONS });
  });
});

describe('diffData (RFC 6902)', () => {
  it('produces a patch that turns the previous data into the next', () => {
    const previous = { a: 1, b: { c: [1, 2, 3] }, 'x/y': 'slash', 'm~n': 'tilde', gone: true };
    const next = { a: 2, b: { c: [1, 3] }, 'x/y': 'SLASH', 'm~n': 'tilde', added: { z: null } };
    const patch = diffData(previous, next);
    expect(patch).toContainEqual({ op: 'replace', path: '/x~1y', value: 'SLASH' });
    expect(patch).toContainEqual({ op: 'remove', path: '/gone' });
    expect(patch).toContainEqual({ op: 'add', path: '/added', value: { z: null } });
    const applied = jsonPatch.applyPatch(structuredClone(previous), patch, true, false).newDocument;
    expect(applied).toStrictEqual(next);
  });

  it('is empty for equal data', () => {
    expect(diffData({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toStrictEqual([]);
  });
});

describe('prepareDocumentData', () => {
  it('copies data within the limit and reports size and limit beyond it', () => {
    const data = { s: 'x'.repeat(DEFAULT_MAX_DOCUMENT_BYTES - 8) };
    const copy = prepareDocumentData(data);
    expect(copy).toStrictEqual(data);
    expect(copy).not.toBe(data);
    const err = catchError(() => prepareDocumentData({ s: 'x'.repeat(DEFAULT_MAX_DOCUMENT_BYTES - 7) }));
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).details).toStrictEqual({ size: 65537, limit: 65536 });
    expect(catchError(() => prepareDocumentData({ s: '€' }, 10))).toBeInstanceOf(PayloadTooLargeError); // 11 bytes
  });
});

describe('cloneJsonValue', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more, naming the path`, () => {
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i += 1) ok = [ok];
    expect(cloneJsonValue(ok)).toStrictEqual(ok);
    const err = catchError(() => cloneJsonValue([ok]));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).message).toContain(`deeper than ${MAX_JSON_DEPTH}`);
  });

  it('names the offending path', () => {
    const err = catchError(() => cloneJsonValue({ a: [0, { 'b/c': undefined }] }));
    expect((err as InvalidArgumentError).details).toStrictEqual({
      issues: [{ path: '/a/1/b~1c', message: 'undefined is not a JSON value' }],
    });
  });

  it('accepts objects without a prototype and refuses class instances and holes', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(cloneJsonValue(bare)).toStrictEqual({ a: 1 });
    expect(catchError(() => cloneJsonValue(new Map()))).toBeInstanceOf(InvalidArgumentError);
    // biome-ignore lint/suspicious/noSparseArray: a hole is what this input is about.
    expect(catchError(() => cloneJsonValue([1, , 3]))).toBeInstanceOf(InvalidArgumentError);
  });
});

describe('assertDocumentKey', () => {
  it('accepts valid names and refuses invalid ones with INVALID_ARGUMENT naming the field', () => {
    expect(() => assertDocumentKey('acme-prod', 'session_2', 'Doc.1-a_b')).not.toThrow();
    for (const [realm, service, id, field] of [
      ['a.b', 'notes', 'x', 'realm'],
      ['acme', 'notes!', 'x', 'service'],
      ['acme', 'notes', '.', 'id'],
      ['acme', 'notes', 'a b', 'id'],
    ] as const) {
      const err = catchError(() => assertDocumentKey(realm, service, id));
      expect(err).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).details).toMatchObject({ issues: [{ path: field }] });
    }
  });
});

describe('generateDocumentId', () => {
  it('gives unique doc_<ulid> ids that sort in generation order, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => generateDocumentId());
    for (const id of ids) expect(id).toMatch(/^doc_[0-9a-z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toStrictEqual(ids);
  });
});
