/**
 * How one object's membership of one subscription changed: it entered the set (`added`), is still
 * in it with a new state (`updated`), or left it (`removed`: deleted, moved out of the region, no
 * longer satisfying `where`, or the region moved away from it).
 *
 * @example
 * const change: MembershipChange = { subscriptionId: 'sub-1', objectId: 'scooter/1', kind: 'added' };
 */
export interface MembershipChange {
  subscriptionId: string;
  objectId: string;
  kind: 'added' | 'updated' | 'removed';
}

/**
 * What one write (an object, an area's shape) changed: the membership changes, and the
 * subscriptions that would have grown past `maxMembersPerSubscription`. Those are dropped from the
 * matcher (no `removed` changes are reported for them): their feeds should end with a
 * `LimitExceededError`.
 *
 * @example
 * const { changes, overflowed } = matcher.upsertObject(scooter);
 */
export interface MatchDelta {
  changes: MembershipChange[];
  overflowed: string[];
}
