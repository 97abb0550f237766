import { LimitExceededError, filterCost, type SubscriptionFilter } from '../../shared/index.js';
import type { SubscriptionIndex } from './subscription-index.js';

/**
 * Refuses a subscription whose filter would take a connection's summed filter cost
 * (`filterCost`, shared/filter-cost.ts) past `limit`, with `LIMIT_EXCEEDED` and
 * `details: { limit, cost, used }` (`cost`: this filter; `used`: the connection's other
 * subscriptions). Re-subscribing an id replaces that subscription, so its old filter does not
 * count. A subscription without a filter costs nothing and always fits.
 *
 * @example
 * assertFilterBudget(subscriptions, socket.id, subscriptionId, request.filter, limits.maxFilterCostPerConnection);
 */
export function assertFilterBudget(
  subscriptions: SubscriptionIndex,
  socketId: string,
  subscriptionId: string,
  filter: SubscriptionFilter | undefined,
  limit: number,
): void {
  const cost = filterCost(filter);
  if (cost === 0) return;
  const used = subscriptions.filterCost(socketId) - filterCost(subscriptions.get(socketId, subscriptionId)?.filter);
  if (used + cost <= limit) return;
  throw new LimitExceededError(
    `A connection's filters may cost at most ${limit} in all (1 per key, 1 per "in" value, 1 per "like" character): ` +
      `this filter costs ${cost} and the connection's other subscriptions ${used}`,
    { details: { limit, cost, used } },
  );
}
