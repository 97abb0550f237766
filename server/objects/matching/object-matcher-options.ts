import { InvalidArgumentError } from '../../../shared/index.js';

/**
 * Bounds of one {@link ObjectMatcher} (one realm on one node).
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
});

/**
 * The options with their defaults filled in; a bound that is not a positive integer is an
 * `InvalidArgumentError`.
 *
 * @example
 * resolveObjectMatcherOptions({ maxSubscriptions: 100 }).maxMembersPerSubscription; // 10000
 */
export function resolveObjectMatcherOptions(options: ObjectMatcherOptions = {}): Required<ObjectMatcherOptions> {
  const resolved = {
    maxSubscriptions: options.maxSubscriptions ?? DEFAULT_OBJECT_MATCHER_OPTIONS.maxSubscriptions,
    maxMembersPerSubscription: options.maxMembersPerSubscription ?? DEFAULT_OBJECT_MATCHER_OPTIONS.maxMembersPerSubscription,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  }
  return resolved;
}
