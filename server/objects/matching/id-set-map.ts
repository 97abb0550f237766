/**
 * Keys to sets of ids, where a key whose set empties is forgotten (so the map never holds more
 * keys than it has pairs). The matcher's reverse indexes: object → subscriptions holding it,
 * target → subscriptions following it, area → subscriptions bound to it.
 *
 * @example
 * const memberships = new IdSetMap();
 * memberships.add('scooter/1', 'sub-1');
 * memberships.get('scooter/1'); // Set { 'sub-1' }
 * memberships.delete('scooter/1', 'sub-1'); // the key is gone
 */
export class IdSetMap {
  private readonly sets = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    const set = this.sets.get(key);
    if (set === undefined) this.sets.set(key, new Set([id]));
    else set.add(id);
  }

  delete(key: string, id: string): void {
    const set = this.sets.get(key);
    if (set === undefined) return;
    set.delete(id);
    if (set.size === 0) this.sets.delete(key);
  }

  /** The ids under a key (live; copy it before changing the map while iterating). */
  get(key: string): ReadonlySet<string> | undefined {
    return this.sets.get(key);
  }
}
