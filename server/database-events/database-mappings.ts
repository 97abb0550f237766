import {
  AlreadyExistsError,
  LimitExceededError,
  NotFoundError,
  type DatabaseMapping,
  type DatabaseMappingInput,
  type SyncDocument,
} from '../../shared/index.js';
import { newMappingId } from '../ids.js';
import type { DocumentStore } from '../sync/document-store.js';
import type { MappingStats } from './mapping-stats.js';

/** Where mappings live: the platform realm (they name their own realm), a service no token reaches. */
const REALM = '_platform';
const SERVICE = '_db_mappings';

/** Bounds of the mappings (`databaseEvents.limits`). */
export interface MappingLimits {
  /** Mappings of the whole platform (every change is checked against those of its table). @default 1000 */
  maxMappings?: number;
  /** Mappings whose events go to one realm. @default 100 */
  maxMappingsPerRealm?: number;
  /** How often a node reloads the mappings, to see other nodes' changes, ms. @default 5000 */
  refreshMs?: number;
}

export const DEFAULT_MAPPING_LIMITS: Required<MappingLimits> = { maxMappings: 1000, maxMappingsPerRealm: 100, refreshMs: 5000 };

/** A mapping as stored (its counters live in {@link MappingStats}). */
export type StoredMapping = Omit<DatabaseMapping, 'stats'>;

/** `PATCH`: any field of the input but the realm (a mapping stays in its realm); `null` removes an optional one. */
export type MappingUpdate = { [K in keyof Omit<DatabaseMappingInput, 'realm'>]?: DatabaseMappingInput[K] | null };

/**
 * The stored mappings, and a node-local copy indexed by table that the router reads for every
 * change (never a database read per change).
 *
 * Why one platform-wide list: a change of a table is matched against the mappings of every realm
 * (a source serves the platform, not one realm), so they are kept together under the platform
 * realm and each names the realm its events go to. The copy is replaced on every change this node
 * makes and reloaded every `refreshMs`, so changes made on another node apply within that time.
 *
 * @example
 * const mapping = await mappings.create({ table: 'orders', topic: 'order.updated', events: ['update'], payload: { id: '$row.id' }, realm: 'demo' });
 * mappings.forTable('orders'); // [mapping]
 */
export class DatabaseMappings {
  private readonly limits: Required<MappingLimits>;
  private byTable = new Map<string, StoredMapping[]>();
  private loaded: StoredMapping[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly documents: DocumentStore,
    private readonly stats: MappingStats,
    limits: MappingLimits = {},
  ) {
    this.limits = { ...DEFAULT_MAPPING_LIMITS, ...limits };
  }

  /** Loads the mappings and keeps reloading them every `refreshMs`. */
  async start(): Promise<void> {
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), this.limits.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The mappings of a change's table: by its name, or by `schema.table`. */
  forTable(table: string, schema?: string): readonly StoredMapping[] {
    const plain = this.byTable.get(table) ?? [];
    if (schema === undefined) return plain;
    const qualified = this.byTable.get(`${schema}.${table}`);
    return qualified === undefined ? plain : [...plain, ...qualified];
  }

  /** Every mapping, as this node last loaded them. */
  all(): readonly StoredMapping[] {
    return this.loaded;
  }

  async create(input: DatabaseMappingInput & { realm: string }): Promise<DatabaseMapping> {
    await this.reload();
    if (this.loaded.length >= this.limits.maxMappings) {
      throw new LimitExceededError(`The platform has ${this.limits.maxMappings} database mappings, the most it may`, {
        details: { limit: this.limits.maxMappings },
      });
    }
    if (this.loaded.filter((mapping) => mapping.realm === input.realm).length >= this.limits.maxMappingsPerRealm) {
      throw new LimitExceededError(`Realm "${input.realm}" has ${this.limits.maxMappingsPerRealm} database mappings, the most it may`, {
        details: { limit: this.limits.maxMappingsPerRealm },
      });
    }
    const { active, ...rest } = input;
    const data = { ...rest, active: active ?? true };
    let doc: SyncDocument;
    try {
      doc = await this.documents.create(REALM, SERVICE, { id: newMappingId(), data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> });
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new AlreadyExistsError('A mapping with this id exists; create it again');
      throw err;
    }
    await this.reload();
    return this.view(mappingOf(doc));
  }

  async get(id: string): Promise<StoredMapping> {
    try {
      return mappingOf(await this.documents.get(REALM, SERVICE, id));
    } catch (err) {
      if (err instanceof NotFoundError || isInvalidId(err)) throw new NotFoundError(`Database mapping "${id}" does not exist`, { details: { id } });
      throw err;
    }
  }

  async update(id: string, update: MappingUpdate): Promise<DatabaseMapping> {
    await this.get(id);
    const { current } = await this.documents.write(REALM, SERVICE, id, (stored) => {
      const data: Record<string, unknown> = { ...stored.data };
      for (const [key, value] of Object.entries(update)) {
        if (value === null) delete data[key];
        else if (value !== undefined) data[key] = JSON.parse(JSON.stringify(value)) as unknown;
      }
      return { data };
    });
    await this.reload();
    return this.view(mappingOf(current));
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.documents.write(REALM, SERVICE, id, () => ({ deleted: true }));
    this.stats.forget(id);
    await this.reload();
  }

  /** A stored mapping with this node's counters. */
  view(mapping: StoredMapping): DatabaseMapping {
    return { ...mapping, stats: this.stats.of(mapping.id) };
  }

  private async reload(): Promise<void> {
    const all: StoredMapping[] = [];
    let after: string | undefined;
    do {
      const page = await this.documents.list(REALM, SERVICE, { limit: 100, ...(after === undefined ? {} : { after }) });
      all.push(...page.items.map(mappingOf));
      after = page.nextCursor;
    } while (after !== undefined && all.length < this.limits.maxMappings);
    const byTable = new Map<string, StoredMapping[]>();
    for (const mapping of all) {
      const list = byTable.get(mapping.table) ?? [];
      list.push(mapping);
      byTable.set(mapping.table, list);
    }
    this.loaded = all;
    this.byTable = byTable;
  }
}

function mappingOf(doc: SyncDocument): StoredMapping {
  const data = doc.data as unknown as Omit<StoredMapping, 'id' | 'createdAt' | 'updatedAt'>;
  return { id: doc.id, ...data, createdAt: doc.createdAt, updatedAt: doc.updatedAt };
}

function isInvalidId(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'INVALID_ARGUMENT';
}
