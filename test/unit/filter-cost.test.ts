import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, loadConfig } from '../../server/config.js';
import { assertFilterBudget } from '../../server/events/filter-budget.js';
import { SubscriptionIndex, topicRoom, type Subscription } from '../../server/events/subscription-index.js';
import { filterCost, LimitExceededError, type SubscriptionFilter } from '../../shared/index.js';

function sub(socketId: string, id: string, filter?: SubscriptionFilter): Subscription {
  return { id, socketId, realm: 'demo', topic: 'a.b', room: topicRoom('demo', 'a.b'), returnMode: 'full', ...(filter === undefined ? {} : { filter }) };
}

describe('filterCost', () => {
  it('counts 1 per key, 1 per in value and 1 per like character', () => {
    expect(filterCost(undefined)).toBe(0);
    expect(filterCost({})).toBe(0);
    expect(filterCost({ a: 1, b: null })).toBe(2);
    expect(filterCost({ kind: { in: ['lab', 'hall', 'office'] } })).toBe(4);
    expect(filterCost({ id: { like: 'riders/*' } })).toBe(9);
    expect(filterCost({ campusId: 12, kind: { in: ['lab', 'hall'] }, id: { like: 'riders/*' } })).toBe(13);
  });
});

describe('SubscriptionIndex filter costs', () => {
  it('sums a connection’s filter costs, and forgets them as subscriptions go', () => {
    const index = new SubscriptionIndex();
    index.add(sub('s1', 'a', { id: { like: 'x/*' } }));
    index.add(sub('s1', 'b', { n: { in: [1, 2, 3] } }));
    index.add(sub('s1', 'c'));
    index.add(sub('s2', 'a', { n: 1 }));
    expect(index.filterCost('s1')).toBe(4 + 4);
    expect(index.filterCost('s2')).toBe(1);
    index.add(sub('s1', 'a', { n: 1 }));
    expect(index.filterCost('s1')).toBe(1 + 4);
    index.remove('s1', 'b');
    expect(index.filterCost('s1')).toBe(1);
    index.removeSocket('s1');
    expect(index.filterCost('s1')).toBe(0);
  });

  it('matches long in lists exactly as short ones', () => {
    const index = new SubscriptionIndex();
    const values = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? i : `v${i}`));
    index.add(sub('s1', 'long', { n: { in: values } }));
    const room = topicRoom('demo', 'a.b');
    expect(index.recipients(room, { n: 48 }).size).toBe(1);
    expect(index.recipients(room, { n: 'v49' }).size).toBe(1);
    expect(index.recipients(room, { n: '48' }).size).toBe(0);
    expect(index.recipients(room, { n: 49 }).size).toBe(0);
    expect(index.recipients(room, {}).size).toBe(0);
  });
});

describe('assertFilterBudget', () => {
  it('refuses a filter that takes the connection past the limit, with the numbers in details', () => {
    const index = new SubscriptionIndex();
    index.add(sub('s1', 'a', { id: { like: 'x'.repeat(59) } }));
    expect(() => assertFilterBudget(index, 's1', 'b', { n: { in: [1, 2, 3] } }, 64)).not.toThrow();
    let caught: unknown;
    try {
      assertFilterBudget(index, 's1', 'b', { n: { in: [1, 2, 3, 4] } }, 64);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LimitExceededError);
    expect(caught).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 64, cost: 5, used: 60 } });
  });

  it('does not count the filter a re-subscription replaces, and always admits no filter', () => {
    const index = new SubscriptionIndex();
    index.add(sub('s1', 'a', { id: { like: 'x'.repeat(59) } }));
    expect(() => assertFilterBudget(index, 's1', 'a', { id: { like: 'y'.repeat(63) } }, 64)).not.toThrow();
    expect(() => assertFilterBudget(index, 's1', 'b', undefined, 1)).not.toThrow();
  });
});

describe('maxFilterCostPerConnection', () => {
  it('defaults to 20000 and is read from MAX_FILTER_COST_PER_CONNECTION', () => {
    expect(DEFAULT_LIMITS.maxFilterCostPerConnection).toBe(20_000);
    expect(loadConfig({}).limits.maxFilterCostPerConnection).toBe(20_000);
    expect(loadConfig({ MAX_FILTER_COST_PER_CONNECTION: '500' }).limits.maxFilterCostPerConnection).toBe(500);
    expect(() => loadConfig({ MAX_FILTER_COST_PER_CONNECTION: '0' })).toThrow(/MAX_FILTER_COST_PER_CONNECTION/);
  });
});
