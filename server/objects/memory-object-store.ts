import { ConflictError, type Area, type HistoryEntry, type RealmInfo } from '../../shared/index.js';
import { inBox } from './location-box.js';
import type { HistoryBounds, HistoryRange, LocationBox, ObjectStore, StoredObject } from './object-store.js';

/** One realm's entities in memory. */
interface RealmEntities {
  objects: Map<string, StoredObject>;
  areas: Map<string, Area>;
  history: Map<string, HistoryEntry[]>;
}

/**
 * The embedded {@link ObjectStore}: this process only, lost on restart. Values are copied in and
 * out (`structuredClone`), so a caller never holds the stored state.
 *
 * @example
 * const store = new MemoryObjectStore();
 */
export class MemoryObjectStore implements ObjectStore {
  private readonly realms = new Map<string, RealmInfo>();
  private readonly entities = new Map<string, RealmEntities>();

  async close(): Promise<void> {}

  async getRealm(realm: string): Promise<RealmInfo | undefined> {
    return copy(this.realms.get(realm));
  }

  async insertRealm(info: RealmInfo): Promise<void> {
    if (this.realms.has(info.id)) throw new ConflictError(`realm ${info.id} already exists`, { details: { realm: info.id } });
    this.realms.set(info.id, structuredClone(info));
  }

  async saveRealm(info: RealmInfo): Promise<void> {
    this.realms.set(info.id, structuredClone(info));
  }

  async listRealms(ids: readonly string[] | 'all', limit: number): Promise<RealmInfo[]> {
    const names = ids === 'all' ? [...this.realms.keys()] : ids.filter((id) => this.realms.has(id));
    return [...new Set(names)]
      .sort()
      .slice(0, limit)
      .map((id) => structuredClone(this.realms.get(id) as RealmInfo));
  }

  async countRealms(): Promise<number> {
    return this.realms.size;
  }

  async deleteRealm(realm: string): Promise<boolean> {
    this.entities.delete(realm);
    return this.realms.delete(realm);
  }

  async getObject(realm: string, id: string): Promise<StoredObject | undefined> {
    return copy(this.entities.get(realm)?.objects.get(id));
  }

  async insertObject(realm: string, object: StoredObject): Promise<void> {
    const { objects } = this.realm(realm);
    if (objects.has(object.id)) throw new ConflictError(`object ${object.id} already exists`, { details: { realm, id: object.id } });
    objects.set(object.id, structuredClone(object));
  }

  async saveObject(realm: string, object: StoredObject, previous: StoredObject): Promise<boolean> {
    const { objects } = this.realm(realm);
    if (objects.get(object.id)?.updatedAt !== previous.updatedAt) return false;
    objects.set(object.id, structuredClone(object));
    return true;
  }

  async deleteObject(realm: string, id: string): Promise<StoredObject | undefined> {
    const entities = this.entities.get(realm);
    const object = entities?.objects.get(id);
    if (entities === undefined || object === undefined) return undefined;
    entities.objects.delete(id);
    entities.history.delete(id);
    return object;
  }

  async listObjects(realm: string, { limit, box }: { limit: number; box?: LocationBox }): Promise<StoredObject[]> {
    const objects = [...(this.entities.get(realm)?.objects.values() ?? [])].filter((object) => box === undefined || inBox(object.location, box));
    return objects
      .sort(byId)
      .slice(0, limit)
      .map((object) => structuredClone(object));
  }

  async countObjects(realm: string): Promise<number> {
    return this.entities.get(realm)?.objects.size ?? 0;
  }

  async getArea(realm: string, id: string): Promise<Area | undefined> {
    return copy(this.entities.get(realm)?.areas.get(id));
  }

  async insertArea(realm: string, area: Area): Promise<void> {
    const { areas } = this.realm(realm);
    if (areas.has(area.id)) throw new ConflictError(`area ${area.id} already exists`, { details: { realm, id: area.id } });
    areas.set(area.id, structuredClone(area));
  }

  async saveArea(realm: string, area: Area): Promise<void> {
    this.realm(realm).areas.set(area.id, structuredClone(area));
  }

  async deleteArea(realm: string, id: string): Promise<Area | undefined> {
    const areas = this.entities.get(realm)?.areas;
    const area = areas?.get(id);
    if (area !== undefined) areas?.delete(id);
    return area;
  }

  async listAreas(realm: string, limit: number): Promise<Area[]> {
    return [...(this.entities.get(realm)?.areas.values() ?? [])]
      .sort(byId)
      .slice(0, limit)
      .map((area) => structuredClone(area));
  }

  async countAreas(realm: string): Promise<number> {
    return this.entities.get(realm)?.areas.size ?? 0;
  }

  async appendHistory(realm: string, id: string, entry: HistoryEntry, bounds: HistoryBounds): Promise<void> {
    const { history } = this.realm(realm);
    const entries = history.get(id) ?? [];
    entries.push(structuredClone(entry));
    // Write times of several nodes may be a little out of order: keep the list sorted.
    if (entries.length > 1 && (entries.at(-2) as HistoryEntry).time > entry.time) entries.sort((a, b) => a.time - b.time);
    const oldest = entry.time - bounds.retentionMs;
    let drop = 0;
    while (drop < entries.length && ((entries[drop] as HistoryEntry).time < oldest || entries.length - drop > bounds.maxEntries)) drop += 1;
    history.set(id, drop === 0 ? entries : entries.slice(drop));
  }

  async readHistory(realm: string, id: string, { start, end, limit }: HistoryRange): Promise<HistoryEntry[]> {
    const entries = this.entities.get(realm)?.history.get(id) ?? [];
    return entries
      .filter((entry) => entry.time >= start && entry.time <= end)
      .slice(0, limit)
      .map((entry) => structuredClone(entry));
  }

  private realm(realm: string): RealmEntities {
    let entities = this.entities.get(realm);
    if (entities === undefined) this.entities.set(realm, (entities = { objects: new Map(), areas: new Map(), history: new Map() }));
    return entities;
  }
}

function copy<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
