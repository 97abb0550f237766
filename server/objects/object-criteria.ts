import { NotFoundError, type Shape } from '../../shared/index.js';
import type { MatchableObject } from './matching/matchable-object.js';
import { MatcherSubscription, type MatcherCriteria } from './matching/matcher-subscription.js';
import type { LocationBox, ObjectStore } from './object-store.js';

/** What selects objects: `where` conditions and at most one of a shape, an area id and a target. */
export interface ObjectQuery {
  where?: string[];
  shape?: Shape;
  area?: string;
  target?: { id: string; r: number };
}

/** A compiled query: the exact test, and a box a store may read within (absent: read everything). */
export interface CompiledQuery {
  accepts: (object: MatchableObject) => boolean;
  box?: LocationBox;
}

/**
 * The matcher's criteria for a query: an `area` id becomes that area's current shape.
 *
 * @throws NotFoundError for an unknown area.
 * @example
 * await matcherCriteria(store, 'london', { area: 'zone-1' }); // { area: { id: 'zone-1', shape: { cx, cy, r } } }
 */
export async function matcherCriteria(store: ObjectStore, realm: string, query: ObjectQuery): Promise<MatcherCriteria> {
  const { where, shape, area, target } = query;
  const criteria: MatcherCriteria = {};
  if (where !== undefined) criteria.where = where;
  if (shape !== undefined) criteria.shape = shape;
  if (target !== undefined) criteria.target = target;
  if (area !== undefined) {
    const found = await store.getArea(realm, area);
    if (found === undefined) throw new NotFoundError(`unknown area ${area}`, { details: { realm, id: area } });
    criteria.area = { id: area, shape: found.shapeData };
  }
  return criteria;
}

/**
 * Compiles a one-off query (`object:list`) with the geometry core: the same rules as feeds. A
 * target's circle is placed at the target's stored location (no location: nothing matches).
 *
 * @throws NotFoundError for an unknown area or target object; InvalidArgumentError for a malformed `where`.
 * @example
 * const { accepts, box } = await objectCriteria(store, 'london', { where: ['type="scooter"'], shape });
 */
export async function objectCriteria(store: ObjectStore, realm: string, query: ObjectQuery): Promise<CompiledQuery> {
  const subscription = MatcherSubscription.compile('query', await matcherCriteria(store, realm, query));
  if (query.target !== undefined) {
    const target = await store.getObject(realm, query.target.id);
    if (target === undefined) throw new NotFoundError(`unknown object ${query.target.id}`, { details: { realm, id: query.target.id } });
    subscription.region = subscription.targetRegion(target.location);
  }
  const accepts = (object: MatchableObject): boolean => subscription.accepts(object);
  const boxes = subscription.region?.boxes ?? [];
  // One box is a plain range; a region across the antimeridian (two boxes) is read whole.
  if (boxes.length !== 1) return { accepts };
  const [box] = boxes as [{ minX: number; minY: number; maxX: number; maxY: number }];
  return { accepts, box: { west: box.minX, south: box.minY, east: box.maxX, north: box.maxY } };
}
