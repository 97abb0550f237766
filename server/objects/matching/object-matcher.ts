import { AlreadyExistsError, LimitExceededError, NotFoundError, type Shape } from '../../../shared/index.js';
import { compileShape } from './compile-shape.js';
import { IdSetMap } from './id-set-map.js';
import type { MatchDelta } from './match-delta.js';
import type { MatchableObject } from './matchable-object.js';
import { MatcherSubscription, type MatcherCriteria } from './matcher-subscription.js';
import { ObjectPositionIndex } from './object-position-index.js';
import { resolveObjectMatcherOptions, type ObjectMatcherOptions } from './object-matcher-options.js';
import type { Region } from './region.js';
import { SubscriptionBoxIndex } from './subscription-box-index.js';

/**
 * Which objects each object subscription of one realm holds, kept up to date as objects, areas and
 * subscriptions change: pure and synchronous, no transport, one per realm per node. The service
 * tells it every object write and every subscription; it answers what each feed must send.
 *
 * Why it is shaped like this: a location update must not cost a pass over every subscription. An
 * object's new position is looked up in an R-tree of subscription boxes (the ones it may enter),
 * and a membership map (object id → subscriptions holding it) gives the ones it may leave; only
 * those, plus `where`-only subscriptions, get the exact test. Moving a region (panning, a target
 * moving, an area's shape changing) asks the R-tree of object positions for the new set and diffs
 * it with the old. Every set is bounded by `maxMembersPerSubscription`.
 *
 * The matcher keeps a shallow copy of each object it is told about (its `data` by reference): pass
 * the object's whole current state on every write.
 *
 * @example
 * const matcher = new ObjectMatcher();
 * matcher.addSubscription('sub-1', { where: ['type="scooter"'], shape: { cx: 3.37, cy: 6.51, r: 2000 } }); // []
 * matcher.upsertObject({ id: 'scooter/1', label: '', connectionStatus: 'connected',
 *   location: { longitude: 3.371, latitude: 6.512 }, data: { type: 'scooter' } });
 * // { changes: [{ subscriptionId: 'sub-1', objectId: 'scooter/1', kind: 'added' }], overflowed: [] }
 */
export class ObjectMatcher {
  private readonly options: Required<ObjectMatcherOptions>;
  private readonly subscriptions = new Map<string, MatcherSubscription>();
  private readonly objects = new Map<string, MatchableObject>();
  private readonly positions = new ObjectPositionIndex();
  private readonly boxes = new SubscriptionBoxIndex();
  /** Object id → the subscriptions that hold it. */
  private readonly memberships = new IdSetMap();
  /** Target object id → the target subscriptions following it. */
  private readonly followers = new IdSetMap();
  /** Area id → the subscriptions bound to it. */
  private readonly areaSubscriptions = new IdSetMap();

  constructor(options: ObjectMatcherOptions = {}) {
    this.options = resolveObjectMatcherOptions(options);
  }

  /**
   * Adds a subscription and answers the ids it holds now (the first `'full'`). Errors: an id in
   * use (`AlreadyExistsError`), malformed criteria (`InvalidArgumentError`), `maxSubscriptions`
   * reached or a set larger than `maxMembersPerSubscription` (`LimitExceededError`); nothing changes
   * on error.
   *
   * @example
   * matcher.addSubscription('sub-1', { shape: { x1: 3.3, y1: 6.6, x2: 3.5, y2: 6.4 } }); // ['scooter/1']
   */
  addSubscription(id: string, criteria: MatcherCriteria): string[] {
    if (this.subscriptions.has(id)) throw new AlreadyExistsError(`object subscription ${id} already exists`);
    if (this.subscriptions.size >= this.options.maxSubscriptions) {
      throw new LimitExceededError(`at most ${this.options.maxSubscriptions} object subscriptions per realm on one node`);
    }
    const subscription = this.compile(id, criteria);
    const members = this.membersOf(subscription);
    if (members === 'overflow') throw this.tooManyMembers(id);
    this.register(subscription, members);
    return [...members];
  }

  /**
   * Replaces a subscription's criteria (map panning, a new filter) and answers what entered and
   * left its set. Errors as {@link addSubscription}, and `NotFoundError` for an unknown id; the old
   * criteria stay on error.
   *
   * @example
   * matcher.updateSubscription('sub-1', { shape: { cx: 3.4, cy: 6.5, r: 2000 } }); // { added: [...], removed: [...] }
   */
  updateSubscription(id: string, criteria: MatcherCriteria): { added: string[]; removed: string[] } {
    const previous = this.subscriptions.get(id);
    if (previous === undefined) throw new NotFoundError(`object subscription ${id} not found`);
    const next = this.compile(id, criteria);
    const members = this.membersOf(next);
    if (members === 'overflow') throw this.tooManyMembers(id);
    this.unregister(previous);
    this.register(next, members);
    return {
      added: [...members].filter((objectId) => !previous.members.has(objectId)),
      removed: [...previous.members].filter((objectId) => !members.has(objectId)),
    };
  }

  /**
   * Forgets a subscription; `false` when there was none.
   *
   * @example
   * matcher.removeSubscription('sub-1'); // true
   */
  removeSubscription(id: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (subscription === undefined) return false;
    this.unregister(subscription);
    return true;
  }

  /**
   * Takes an object's new state (created or written) and answers, per subscription it concerns,
   * whether it was `added`, `updated` or `removed`; when it is a target, also what entered and left
   * the sets of the subscriptions following it.
   *
   * @example
   * matcher.upsertObject({ ...scooter, location: { longitude: 10, latitude: 10 } }).changes;
   * // [{ subscriptionId: 'sub-1', objectId: 'scooter/1', kind: 'removed' }]
   */
  upsertObject(object: MatchableObject): MatchDelta {
    const delta: MatchDelta = { changes: [], overflowed: [] };
    const { id, location } = object;
    const previous = this.objects.get(id);
    const current: MatchableObject = {
      id,
      label: object.label,
      connectionStatus: object.connectionStatus,
      location: location === null ? null : { longitude: location.longitude, latitude: location.latitude },
      data: object.data,
    };
    this.objects.set(id, current);
    if (location === null) this.positions.delete(id);
    else this.positions.set(id, location.longitude, location.latitude);

    for (const subscriptionId of this.candidatesFor(current)) {
      const subscription = this.subscriptions.get(subscriptionId)!;
      const accepted = subscription.accepts(current);
      if (subscription.members.has(id)) {
        if (accepted) {
          delta.changes.push({ subscriptionId, objectId: id, kind: 'updated' });
        } else {
          this.leave(subscription, id);
          delta.changes.push({ subscriptionId, objectId: id, kind: 'removed' });
        }
      } else if (accepted) {
        if (subscription.members.size >= this.options.maxMembersPerSubscription) {
          this.overflow(subscription, delta);
        } else {
          this.join(subscription, id);
          delta.changes.push({ subscriptionId, objectId: id, kind: 'added' });
        }
      }
    }

    const followers = this.followers.get(id);
    if (followers !== undefined && !sameLocation(previous?.location ?? null, current.location)) {
      for (const subscriptionId of [...followers]) {
        const subscription = this.subscriptions.get(subscriptionId)!;
        this.moveRegion(subscription, subscription.targetRegion(current.location), delta);
      }
    }
    return delta;
  }

  /**
   * Forgets an object: it is `removed` from every subscription that held it, and the subscriptions
   * targeting it empty (they fill again if it comes back). Unknown ids change nothing.
   *
   * @example
   * matcher.removeObject('scooter/1').changes; // [{ subscriptionId: 'sub-1', objectId: 'scooter/1', kind: 'removed' }]
   */
  removeObject(id: string): MatchDelta {
    const delta: MatchDelta = { changes: [], overflowed: [] };
    if (!this.objects.has(id)) return delta;
    for (const subscriptionId of [...(this.memberships.get(id) ?? [])]) {
      this.leave(this.subscriptions.get(subscriptionId)!, id);
      delta.changes.push({ subscriptionId, objectId: id, kind: 'removed' });
    }
    this.objects.delete(id);
    this.positions.delete(id);
    for (const subscriptionId of [...(this.followers.get(id) ?? [])]) {
      this.moveRegion(this.subscriptions.get(subscriptionId)!, null, delta);
    }
    return delta;
  }

  /**
   * An area's shape changed (`null`: the area is gone): every subscription bound to it moves, and
   * the answer says what entered and left their sets. A malformed shape is an
   * `InvalidArgumentError` and changes nothing.
   *
   * @example
   * matcher.setAreaShape('zone-1', { cx: 3.4, cy: 6.5, r: 800 });
   */
  setAreaShape(areaId: string, shape: Shape | null): MatchDelta {
    const region = shape === null ? null : compileShape(shape);
    const delta: MatchDelta = { changes: [], overflowed: [] };
    for (const subscriptionId of [...(this.areaSubscriptions.get(areaId) ?? [])]) {
      this.moveRegion(this.subscriptions.get(subscriptionId)!, region, delta);
    }
    return delta;
  }

  /**
   * The ids a subscription holds now (for a `'full'` after a reconnect); `NotFoundError` when unknown.
   *
   * @example
   * matcher.members('sub-1'); // ['scooter/1']
   */
  members(subscriptionId: string): string[] {
    const subscription = this.subscriptions.get(subscriptionId);
    if (subscription === undefined) throw new NotFoundError(`object subscription ${subscriptionId} not found`);
    return [...subscription.members];
  }

  /** How many subscriptions the matcher holds. */
  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** How many objects the matcher knows. */
  get objectCount(): number {
    return this.objects.size;
  }

  /** A subscription with a target's region placed from what is known of the target. */
  private compile(id: string, criteria: MatcherCriteria): MatcherSubscription {
    const subscription = MatcherSubscription.compile(id, criteria);
    if (subscription.bound.kind === 'target') {
      subscription.region = subscription.targetRegion(this.objects.get(subscription.bound.targetId)?.location ?? null);
    }
    return subscription;
  }

  /**
   * The subscriptions an object's write may concern: where it is now, where it was, and the
   * unbounded; with `matching: 'scan'`, every subscription (the live map: an overflow removes only
   * the subscription being visited, which a Map iteration allows).
   */
  private candidatesFor(object: MatchableObject): Iterable<string> {
    if (this.options.matching === 'scan') return this.subscriptions.keys();
    const candidates = new Set(this.memberships.get(object.id));
    if (object.location !== null) this.boxes.addCandidatesAt(object.location.longitude, object.location.latitude, candidates);
    for (const id of this.boxes.unbounded) candidates.add(id);
    return candidates;
  }

  /** The set a subscription should hold now, or `'overflow'` past the cap. */
  private membersOf(subscription: MatcherSubscription): Set<string> | 'overflow' {
    const members = new Set<string>();
    const limit = this.options.maxMembersPerSubscription;
    if (subscription.bound.kind === 'all') {
      for (const object of this.objects.values()) {
        if (!subscription.accepts(object)) continue;
        if (members.size >= limit) return 'overflow';
        members.add(object.id);
      }
      return members;
    }
    if (subscription.region === null) return members;
    for (const objectId of this.positions.within(subscription.region)) {
      if (!subscription.accepts(this.objects.get(objectId)!)) continue;
      if (members.size >= limit) return 'overflow';
      members.add(objectId);
    }
    return members;
  }

  /** Moves a subscription to a new region and reports who entered and left. */
  private moveRegion(subscription: MatcherSubscription, region: Region | null, delta: MatchDelta): void {
    subscription.region = region;
    this.boxes.setBoxes(subscription.id, region?.boxes ?? []);
    const members = this.membersOf(subscription);
    if (members === 'overflow') {
      this.overflow(subscription, delta);
      return;
    }
    for (const objectId of [...subscription.members]) {
      if (members.has(objectId)) continue;
      this.leave(subscription, objectId);
      delta.changes.push({ subscriptionId: subscription.id, objectId, kind: 'removed' });
    }
    for (const objectId of members) {
      if (subscription.members.has(objectId)) continue;
      this.join(subscription, objectId);
      delta.changes.push({ subscriptionId: subscription.id, objectId, kind: 'added' });
    }
  }

  private overflow(subscription: MatcherSubscription, delta: MatchDelta): void {
    this.unregister(subscription);
    delta.overflowed.push(subscription.id);
  }

  private tooManyMembers(id: string): LimitExceededError {
    return new LimitExceededError(
      `object subscription ${id} would hold more than ${this.options.maxMembersPerSubscription} objects; narrow its shape or where`,
    );
  }

  private register(subscription: MatcherSubscription, members: Set<string>): void {
    this.subscriptions.set(subscription.id, subscription);
    for (const objectId of members) this.join(subscription, objectId);
    const { bound } = subscription;
    if (bound.kind === 'all') this.boxes.setUnbounded(subscription.id);
    else this.boxes.setBoxes(subscription.id, subscription.region?.boxes ?? []);
    if (bound.kind === 'target') this.followers.add(bound.targetId, subscription.id);
    if (bound.kind === 'area') this.areaSubscriptions.add(bound.areaId, subscription.id);
  }

  private unregister(subscription: MatcherSubscription): void {
    this.subscriptions.delete(subscription.id);
    for (const objectId of subscription.members) this.memberships.delete(objectId, subscription.id);
    this.boxes.delete(subscription.id);
    const { bound } = subscription;
    if (bound.kind === 'target') this.followers.delete(bound.targetId, subscription.id);
    if (bound.kind === 'area') this.areaSubscriptions.delete(bound.areaId, subscription.id);
  }

  private join(subscription: MatcherSubscription, objectId: string): void {
    subscription.members.add(objectId);
    this.memberships.add(objectId, subscription.id);
  }

  private leave(subscription: MatcherSubscription, objectId: string): void {
    subscription.members.delete(objectId);
    this.memberships.delete(objectId, subscription.id);
  }
}

function sameLocation(a: MatchableObject['location'], b: MatchableObject['location']): boolean {
  if (a === null || b === null) return a === b;
  return a.longitude === b.longitude && a.latitude === b.latitude;
}
