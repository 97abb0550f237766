import { describe, expect, it } from 'vitest';
import { backwardIssues } from '../../../server/registry/schema-compatibility.js';

const order = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' }, amount: { type: 'number', minimum: 0 }, status: { enum: ['new', 'paid'] } },
};

describe('backward compatibility of a new schema version', () => {
  it('accepts the changes producers on the old version survive', () => {
    expect(backwardIssues(order, { ...order, description: 'Orders' })).toEqual([]);
    // A new optional property, a widened type, a looser bound, a new enum value, a dropped requirement.
    expect(
      backwardIssues(order, {
        type: 'object',
        properties: {
          id: { type: ['string', 'number'] },
          amount: { type: 'number' },
          status: { enum: ['new', 'paid', 'refunded'] },
          note: { type: 'string' },
        },
      }),
    ).toEqual([]);
    expect(backwardIssues({ type: 'integer' }, { type: 'number' })).toEqual([]);
    expect(backwardIssues(order, true)).toEqual([]);
  });

  it('names each change that refuses what the old version accepted', () => {
    const issues = backwardIssues(order, {
      type: 'object',
      required: ['id', 'amount'],
      additionalProperties: false,
      properties: { id: { type: 'number' }, amount: { type: 'number', minimum: 10 }, status: { enum: ['new'] } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '/required', message: 'property "amount" is required now; payloads without it were valid' },
        { path: '/properties/id/type', message: 'type "string" is not accepted any more' },
        { path: '/properties/amount/minimum', message: 'minimum rose from 0 to 10' },
        { path: '/properties/status/enum', message: '"paid" is not accepted any more' },
        { path: '/additionalProperties', message: 'properties not listed were allowed and are restricted now' },
      ]),
    );
    expect(issues).toHaveLength(5);
  });

  it('compares array items and nested objects, and refuses a bound or pattern that was added', () => {
    const before = { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } };
    expect(
      backwardIssues(before, { type: 'array', maxItems: 10, items: { type: 'object', properties: { sku: { type: 'string', pattern: '^[A-Z]+$' } } } }),
    ).toEqual([
      { path: '/maxItems', message: 'maxItems 10 was added' },
      { path: '/items/properties/sku/pattern', message: 'pattern was added' },
    ]);
  });

  it('does not assume a keyword it cannot compare is safe', () => {
    expect(backwardIssues({ type: 'object' }, { type: 'object', allOf: [{ required: ['x'] }] })).toEqual([
      { path: '/allOf', message: '"allOf" changed, and these rules cannot tell whether it accepts less' },
    ]);
    expect(backwardIssues({ type: 'string' }, false)).toEqual([{ path: '/', message: 'the schema accepts nothing now' }]);
  });
});
