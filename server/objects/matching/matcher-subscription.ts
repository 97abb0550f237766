import { InvalidArgumentError, MAX_RADIUS_METRES, type Shape } from '../../../shared/index.js';
import { CircleRegion } from './circle-region.js';
import { compileShape } from './compile-shape.js';
import type { MatchableObject } from './matchable-object.js';
import type { Region } from './region.js';
import { compileWhere, type ObjectPredicate } from './where-conditions.js';

/**
 * A subscription's criteria as the matcher takes them: `where` conditions and at most one bound.
 * `area` carries the area's current shape (the service reads the area; `null` while it has none),
 * and moves with `ObjectMatcher.setAreaShape`. `target` is a roaming geofence: every object within
 * `r` metres of object `id`, the target itself excluded. No bound: every object (located or not)
 * that satisfies `where`.
 *
 * @example
 * const criteria: MatcherCriteria = { where: ['type="scooter"'], target: { id: 'riders/7', r: 500 } };
 */
export interface MatcherCriteria {
  where?: readonly string[];
  shape?: Shape;
  area?: { id: string; shape: Shape | null };
  target?: { id: string; r: number };
}

/**
 * What bounds a subscription: nothing, a fixed shape, an area's shape, or a target's circle.
 *
 * @example
 * const bound: SubscriptionBound = { kind: 'target', targetId: 'riders/7', radius: 500 };
 */
export type SubscriptionBound = { kind: 'all' } | { kind: 'shape' } | { kind: 'area'; areaId: string } | { kind: 'target'; targetId: string; radius: number };

/**
 * One compiled subscription: its predicate, its bound, its current region (`null`: it matches
 * nothing, e.g. a target without a location) and the ids of the objects it holds.
 *
 * @example
 * const subscription = MatcherSubscription.compile('sub-1', { shape: { cx: 0, cy: 0, r: 100 } });
 */
export class MatcherSubscription {
  members = new Set<string>();

  private constructor(
    readonly id: string,
    readonly bound: SubscriptionBound,
    private readonly where: ObjectPredicate,
    public region: Region | null,
  ) {}

  /**
   * Compiles criteria; malformed `where` or shapes, or more than one bound, are an
   * `InvalidArgumentError`. A target's region starts empty: the matcher places it.
   *
   * @example
   * MatcherSubscription.compile('sub-1', { where: ['charge>0.3'] });
   */
  static compile(id: string, criteria: MatcherCriteria): MatcherSubscription {
    const bounds = [criteria.shape, criteria.area, criteria.target].filter((bound) => bound !== undefined).length;
    if (bounds > 1) throw new InvalidArgumentError('give at most one of shape, area and target');
    const where = compileWhere(criteria.where);
    if (criteria.shape !== undefined) return new MatcherSubscription(id, { kind: 'shape' }, where, compileShape(criteria.shape));
    if (criteria.area !== undefined) {
      const region = criteria.area.shape === null ? null : compileShape(criteria.area.shape);
      return new MatcherSubscription(id, { kind: 'area', areaId: criteria.area.id }, where, region);
    }
    if (criteria.target !== undefined) {
      const { id: targetId, r } = criteria.target;
      if (!Number.isFinite(r) || r <= 0 || r > MAX_RADIUS_METRES) {
        throw new InvalidArgumentError(`target.r must be a positive number of metres, at most ${MAX_RADIUS_METRES}`);
      }
      return new MatcherSubscription(id, { kind: 'target', targetId, radius: r }, where, null);
    }
    return new MatcherSubscription(id, { kind: 'all' }, where, null);
  }

  /** The circle of a target subscription around a position (`null`: the target has none). */
  targetRegion(location: MatchableObject['location']): Region | null {
    if (this.bound.kind !== 'target' || location === null) return null;
    return new CircleRegion({ cx: location.longitude, cy: location.latitude, r: this.bound.radius });
  }

  /** Whether the object belongs in this subscription's set now. */
  accepts(object: MatchableObject): boolean {
    if (this.bound.kind === 'target' && object.id === this.bound.targetId) return false;
    if (this.bound.kind !== 'all') {
      if (object.location === null || this.region === null) return false;
      if (!this.region.contains(object.location.longitude, object.location.latitude)) return false;
    }
    return this.where(object);
  }
}
