import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PAYLOAD_DEPTH, assertJsonShape, findJsonShapeProblem } from '../../shared/index.js';

/** Nesting depth the obvious recursive way (the value itself is level 1; scalars add nothing). */
function referenceDepth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return 1 + Math.max(0, ...children.map(referenceDepth));
}

function hasProtoKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (!Array.isArray(value) && Object.keys(value).includes('__proto__')) return true;
  return (Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)).some(hasProtoKey);
}

function deepArray(levels: number): unknown {
  let value: unknown = [];
  for (let i = 1; i < levels; i += 1) value = [value];
  return value;
}

describe('findJsonShapeProblem (shared/json-shape.ts)', () => {
  it('agrees with a recursive depth count on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 9 }), (text, limit) => {
        // Through JSON text, as the server sees requests: `__proto__` stays an own key.
        const value = JSON.parse(JSON.stringify(text)) as unknown;
        const problem = findJsonShapeProblem(value, limit);
        const tooDeep = referenceDepth(value) > limit;
        if (problem === undefined) return !tooDeep && !hasProtoKey(value);
        if (problem.kind === 'too-deep') return tooDeep && problem.depth === limit + 1 && problem.limit === limit;
        return hasProtoKey(value) && problem.path.at(-1) === '__proto__';
      }),
      { numRuns: 500 },
    );
  });

  it('walks any depth without recursion', () => {
    expect(findJsonShapeProblem(deepArray(1_000_000), DEFAULT_MAX_PAYLOAD_DEPTH)).toMatchObject({ kind: 'too-deep', depth: 65 });
    expect(findJsonShapeProblem(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), 300_000)).toBeUndefined();
  });

  it('reports where the limit was crossed, as reference tokens', () => {
    expect(findJsonShapeProblem({ a: [{ b: {} }] }, 3)).toEqual({ kind: 'too-deep', path: ['a', '0', 'b'], depth: 4, limit: 3 });
    expect(findJsonShapeProblem({ a: [{ b: {} }] }, 4)).toBeUndefined();
    expect(findJsonShapeProblem(JSON.parse('{"x":[1,{"__proto__":null}]}'), 64)).toEqual({
      kind: 'forbidden-key',
      path: ['x', '1', '__proto__'],
    });
  });

  it('refuses binary data anywhere, since every payload is JSON', () => {
    expect(findJsonShapeProblem(new Uint8Array(0), 64)).toEqual({ kind: 'binary', path: [] });
    expect(findJsonShapeProblem({ filter: new Float64Array(0) }, 64)).toEqual({ kind: 'binary', path: ['filter'] });
    expect(findJsonShapeProblem({ state: { k: [1, Buffer.from('x')] } }, 64)).toEqual({ kind: 'binary', path: ['state', 'k', '1'] });
    expect(findJsonShapeProblem({ buffer: new ArrayBuffer(8) }, 64)).toMatchObject({ kind: 'binary' });
    expect(() => assertJsonShape({ filter: new Uint8Array(0) }, 64, 'subscribe request')).toThrow(/binary data is not a JSON value \(at "\/filter"\)/);
  });

  it('treats scalars as leaves, and a cycle as endless nesting', () => {
    expect(findJsonShapeProblem('text', 1)).toBeUndefined();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(findJsonShapeProblem(cyclic, 64)).toMatchObject({ kind: 'too-deep', depth: 65 });
    // An object literal's `__proto__:` sets the prototype; only an own key is a key.
    expect(findJsonShapeProblem({ __proto__: { polluted: true } }, 64)).toBeUndefined();
    expect(findJsonShapeProblem({ ['__proto__']: 1 }, 64)).toMatchObject({ kind: 'forbidden-key' });
  });
});

describe('assertJsonShape', () => {
  it('throws INVALID_ARGUMENT with the path as a JSON Pointer, the depth and the limit', () => {
    expect(() => assertJsonShape({ 'a/b': { c: {} } }, 2, 'topic:publish request')).toThrow(
      expect.objectContaining({
        name: 'InvalidArgumentError',
        code: 'INVALID_ARGUMENT',
        message: 'Invalid topic:publish request: nested deeper than 2 levels at "/a~1b/c"',
        details: { issues: [{ path: '/a~1b/c', message: 'nested deeper than 2 levels' }], depth: 3, limit: 2 },
      }),
    );
    expect(() => assertJsonShape(JSON.parse('{"data":{"__proto__":{}}}'), 64, 'request body')).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        details: { issues: [{ path: '/data/__proto__', message: '"__proto__" is not an allowed key' }] },
      }),
    );
    expect(() => assertJsonShape({ a: [1, { b: 'ok' }] }, 64, 'x')).not.toThrow();
  });
});
