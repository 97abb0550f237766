import type { SubscriptionFilter } from './filter.js';

/**
 * What checking one event against a filter costs, in the units that the server's
 * `maxFilterCostPerConnection` limit counts: 1 per key, plus 1 per `in` value, plus 1 per
 * character of a `like` pattern. A subscription without a filter costs 0.
 *
 * Why a cost: every event is checked against every filtered subscription in its room, so the
 * work one connection adds to each event grows with its subscriptions' filters. Per-filter maxima
 * (keys, `in` values, pattern length) bound one filter; summing costs over a connection's
 * subscriptions bounds the connection.
 *
 * @example
 * filterCost({ campusId: 12, kind: { in: ['lab', 'hall'] }, id: { like: 'riders/*' } }); // 3 + 2 + 8 = 13
 * filterCost(undefined); // 0
 */
export function filterCost(filter: SubscriptionFilter | undefined): number {
  if (filter === undefined) return 0;
  let cost = 0;
  for (const key of Object.keys(filter)) {
    cost += 1;
    const condition = filter[key];
    if (typeof condition !== 'object' || condition === null) continue;
    if ('in' in condition && Array.isArray(condition.in)) cost += condition.in.length;
    else if ('like' in condition && typeof condition.like === 'string') cost += condition.like.length;
  }
  return cost;
}
