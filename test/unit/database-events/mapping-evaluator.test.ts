import { describe, expect, it } from 'vitest';
import { conditionIssues, MAPPING_LIMITS, templateIssues, type DatabaseMapping } from '../../../shared/index.js';
import { evaluateMapping, holds } from '../../../server/database-events/mapping-evaluator.js';
import type { RowChange } from '../../../server/database-events/row-change.js';

/** The reference mapping, verbatim, with the realm the server gives it. */
const reference: Parameters<typeof evaluateMapping>[0] = {
  events: ['insert', 'update'],
  triggerColumns: ['status', 'ended_at'],
  payload: { sessionId: '$row.id', status: '$row.status', endedAt: '$row.ended_at' },
  when: { or: [{ changed: 'status' }, { changed: 'ended_at' }] },
  realm: 'demo',
  active: true,
} satisfies Partial<DatabaseMapping>;

const update = (row: Record<string, unknown>, old?: Record<string, unknown>): RowChange => ({
  table: 'sessions',
  operation: 'update',
  row,
  ...(old === undefined ? {} : { old }),
});

describe('mapping evaluation', () => {
  it('renders the payload template from the row, with constants, $old, $table, $operation, whole rows and $$ escapes', () => {
    const outcome = evaluateMapping(
      {
        ...reference,
        payload: {
          id: '$row.id',
          was: '$old.status',
          city: '$row.address.city',
          table: '$table',
          op: '$operation',
          literal: '$$row.id',
          n: 3,
          list: ['$row.id', null],
          row: '$row',
          missing: '$row.nope',
        },
      },
      update({ id: 7, status: 'ended', address: { city: 'Oslo' } }, { id: 7, status: 'open' }),
    );
    expect(outcome).toEqual({
      kind: 'event',
      realm: 'demo',
      payload: {
        id: 7,
        was: 'open',
        city: 'Oslo',
        table: 'sessions',
        op: 'update',
        literal: '$row.id',
        n: 3,
        list: [7, null],
        row: { id: 7, status: 'ended', address: { city: 'Oslo' } },
        missing: null,
      },
    });
  });

  it('passes an update only when a trigger column changed, and counts every column changed without old values', () => {
    expect(evaluateMapping(reference, update({ id: 1, status: 'open', note: 'b' }, { id: 1, status: 'open', note: 'a' }))).toEqual({
      kind: 'skipped',
      reason: 'trigger-columns',
    });
    expect(evaluateMapping(reference, update({ id: 1, status: 'ended' }, { id: 1, status: 'open' })).kind).toBe('event');
    expect(evaluateMapping(reference, update({ id: 1, status: 'open' })).kind).toBe('event');
    expect(evaluateMapping(reference, { table: 'sessions', operation: 'insert', row: { id: 1, status: 'open' } }).kind).toBe('event');
    expect(evaluateMapping(reference, { table: 'sessions', operation: 'delete', row: { id: 1 }, old: { id: 1 } })).toEqual({
      kind: 'skipped',
      reason: 'operation',
    });
    expect(evaluateMapping({ ...reference, active: false }, update({ id: 1, status: 'x' }))).toEqual({ kind: 'skipped', reason: 'inactive' });
  });

  it('evaluates comparisons, in, and, or and not; order comparisons never hold across types', () => {
    const change = update({ id: 5, status: 'ended', score: 10, tags: ['a'] }, { id: 5, status: 'open', score: 3 });
    expect(holds({ eq: ['$row.status', 'ended'] }, change)).toBe(true);
    expect(holds({ ne: ['$row.status', '$old.status'] }, change)).toBe(true);
    expect(holds({ gt: ['$row.score', '$old.score'] }, change)).toBe(true);
    expect(holds({ lte: ['$row.score', 9] }, change)).toBe(false);
    expect(holds({ gte: ['$row.status', 5] }, change)).toBe(false);
    expect(holds({ lt: ['$row.status', 'open'] }, change)).toBe(true);
    expect(holds({ in: ['$row.status', ['ended', 'failed']] }, change)).toBe(true);
    expect(holds({ in: ['$row.status', 'ended'] }, change)).toBe(false);
    expect(holds({ eq: ['$row.tags', ['a']] }, change)).toBe(true);
    expect(holds({ and: [{ changed: 'status' }, { not: { changed: 'id' } }] }, change)).toBe(true);
    expect(holds({ or: [{ changed: 'id' }, { eq: ['$row.id', 6] }] }, change)).toBe(false);
  });

  it('takes the realm from a column, and fails a row whose realm column is empty', () => {
    const perTenant = { ...reference, realm: '$row.tenant' };
    expect(evaluateMapping(perTenant, { table: 'sessions', operation: 'insert', row: { id: 1, tenant: 'acme' } })).toMatchObject({
      kind: 'event',
      realm: 'acme',
    });
    expect(evaluateMapping(perTenant, { table: 'sessions', operation: 'insert', row: { id: 1, tenant: null } })).toMatchObject({
      kind: 'failed',
      message: expect.stringContaining('"tenant"'),
    });
  });
});

describe('mapping checks', () => {
  it('accepts the reference shape and names what is wrong elsewhere, with its path', () => {
    expect(templateIssues(reference.payload)).toEqual([]);
    expect(conditionIssues(reference.when)).toEqual([]);
    expect(templateIssues({ a: { b: '$rows.id' } })).toEqual([{ path: ['a', 'b'], message: expect.stringContaining('unknown reference') }]);
    expect(conditionIssues({ or: [{ changed: 'a' }, { eq: ['$row.a'] }] })).toEqual([
      { path: ['or', 1, 'eq'], message: expect.stringContaining('two values') },
    ]);
    expect(conditionIssues({ xor: [] })).toEqual([{ path: ['xor'], message: expect.stringContaining('unknown operator') }]);
    expect(conditionIssues({ changed: 'a', eq: [1, 1] })).toEqual([{ path: [], message: expect.stringContaining('exactly one operator') }]);
  });

  it('bounds nesting, size and the number of parts', () => {
    let deep: unknown = '$row.id';
    for (let level = 0; level <= MAPPING_LIMITS.maxTemplateDepth; level += 1) deep = { x: deep };
    expect(templateIssues(deep)[0]?.message).toContain('nest at most');
    expect(templateIssues({ big: 'x'.repeat(MAPPING_LIMITS.maxTemplateBytes) })[0]?.message).toContain('bytes');
    const wide = { or: Array.from({ length: MAPPING_LIMITS.maxConditionNodes }, () => ({ changed: 'a' })) };
    expect(conditionIssues(wide)).toEqual([{ path: [], message: expect.stringContaining(`at most ${MAPPING_LIMITS.maxConditionNodes} parts`) }]);
  });
});
