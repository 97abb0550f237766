import { InvalidArgumentError } from '../../../shared/index.js';

/**
 * How a write finds the subscriptions it may concern: `'index'` asks the grid and R-tree of
 * subscription boxes and the membership map; `'scan'` tests every subscription (brute force, the
 * baseline bench case 10 compares the index with; it is never faster, and gives the same deltas).
 *
 * @example
 * const matching: ObjectMatching = 'index';
 */
export type ObjectMatching = 'index' | 'scan';

/**
 * Bounds of one {@link ObjectMatcher} (one realm on one node), and how it finds candidates.
 *
 * @example
 * new ObjectMatcher({ maxSubscriptions: 5000, maxMembersPerSubscription: 2000 });
 */
export interface ObjectMatcherOptions {
  /** Most subscriptions at once; one more is a `LimitExceededError`. @default 10_000 */
  maxSubscriptions?: number;
  /**
   * Most objects one subscription may hold: adding or updating a subscription whose set would be
   * larger is a `LimitExceededError`; a subscription that grows past it later is dropped and
   * reported in `MatchDelta.overflowed`. @default 10_000
   */
  maxMembersPerSubscription?: number;
  /** See {@link ObjectMatching}. @default 'index' */
  matching?: ObjectMatching;
}

/**
 * The defaults of {@link ObjectMatcherOptions}.
 *
 * @example
 * DEFAULT_OBJECT_MATCHER_OPTIONS.maxSubscriptions; // 10000
 */
export const DEFAULT_OBJECT_MATCHER_OPTIONS: Readonly<Required<ObjectMatcherOptions>> = Object.freeze({
  maxSubscriptions: 10_000,
  maxMembersPerSubscription: 10_000,
  matching: 'index',
});

/**
 * The options with their defaults filled in; a bound that is not a positive integer, or a
 * `matching` other than `'index'` and `'scan'`, is an `InvalidArgumentError`.
 *
 * @example
 * resolveObjectMatcherOptions({ maxSubscriptions: 100 }).maxMembersPerSubscription; // 10000
 */
export function resolveObjectMatcherOptions(options: ObjectMatcherOptions = {}): Required<ObjectMatcherOptions> {
  const bounds = {
    maxSubscriptions: options.maxSubscriptions ?? DEFAULT_OBJECT_MATCHER_OPTIONS.maxSubscriptions,
    maxMembersPerSubscription: options.maxMembersPerSubscription ?? DEFAULT_OBJECT_MATCHER_OPTIONS.maxMembersPerSubscription,
  };
  for (const [name, value] of Object.entries(bounds)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  }
  const matching = options.matching ?? DEFAULT_OBJECT_MATCHER_OPTIONS.matching;
  if (matching !== 'index' && matching !== 'scan') throw new InvalidArgumentError(`matching must be 'index' or 'scan', not ${JSON.stringify(matching)}`);
  return { ...bounds, matching };
}
