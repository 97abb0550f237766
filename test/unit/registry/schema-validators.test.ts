import { describe, expect, it } from 'vitest';
import { SchemaValidators } from '../../../server/registry/schema-validators.js';

describe('SchemaValidators', () => {
  const validators = new SchemaValidators();

  it('lists every schema error of a payload with its path', () => {
    const check = validators.compile({
      type: 'object',
      required: ['id', 'amount'],
      additionalProperties: false,
      properties: { id: { type: 'string', format: 'uuid' }, amount: { type: 'number' } },
    });
    expect(check({ id: '9b2f0c8e-4b7e-4a8e-9d3c-2f9a1b6c7d8e', amount: 3 })).toEqual([]);
    expect(check({ id: 'nope', extra: 1 })).toEqual(
      expect.arrayContaining([
        { path: '', message: "must have required property 'amount'" },
        { path: '', message: "must not have property 'extra'" },
        { path: '/id', message: 'must match format "uuid"' },
      ]),
    );
  });

  it('refuses an invalid schema, an unknown keyword (strict) and an unknown format when compiled', () => {
    expect(() => validators.compile({ type: 'nonsense' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => validators.compile({ type: 'object', requried: ['id'] })).toThrow(/requried/);
    expect(() => validators.compile({ type: 'string', format: 'no-such-format' })).toThrow(/no-such-format/);
  });

  it('runs patterns in linear time: a catastrophic backtracking pattern answers at once', () => {
    const check = validators.compile({ type: 'string', pattern: '^(a+)+$' });
    // With JavaScript's backtracking engine this input takes longer than the test's timeout.
    expect(check(`${'a'.repeat(50_000)}!`)).toEqual([{ path: '', message: 'must match pattern "^(a+)+$"' }]);
    expect(check('aaaa')).toEqual([]);
  });

  it('refuses a pattern RE2 cannot run (backreferences, lookaround)', () => {
    expect(() => validators.compile({ type: 'string', pattern: '(a)\\1' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => validators.compile({ type: 'string', pattern: '(?=a)a' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
