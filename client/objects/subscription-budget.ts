import { LimitExceededError } from '../../shared/index.js';

/**
 * How many object, area and realm feeds plus pub/sub subscriptions one client holds at once, by
 * default (the `maxObjectSubscriptions` option).
 *
 * @example
 * new RealtimeClient({ url, token, maxObjectSubscriptions: DEFAULT_MAX_OBJECT_SUBSCRIPTIONS });
 */
export const DEFAULT_MAX_OBJECT_SUBSCRIPTIONS = 1000;

/**
 * Counts a client's local feeds and pub/sub subscriptions against one limit: every one of them
 * is a server subscription that is re-sent after each reconnect, so their number is bounded on the
 * client as the server bounds it per connection.
 *
 * @example
 * const budget = new SubscriptionBudget(1000);
 * budget.take('feed'); // throws LimitExceededError at the 1001st
 * budget.release();
 */
export class SubscriptionBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Holds one more; throws `LimitExceededError` (`details: { limit }`) when all are in use. */
  take(what: string): void {
    if (this.used >= this.limit) {
      throw new LimitExceededError(`At most ${this.limit} feeds and pub/sub subscriptions per client (maxObjectSubscriptions); cannot add ${what}`, {
        details: { limit: this.limit },
      });
    }
    this.used += 1;
  }

  /** Gives one back. */
  release(): void {
    if (this.used > 0) this.used -= 1;
  }
}
