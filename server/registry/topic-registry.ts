import type { Logger } from 'pino';
import {
  AlreadyExistsError,
  ConflictError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  type RegisteredTopic,
  type SchemaCompatibilityMode,
  type SchemaValidationResult,
  type SyncDocument,
  type TopicSchemaVersion,
} from '../../shared/index.js';
import type { RealtimeIo } from '../socket-types.js';
import type { DocumentStore } from '../sync/document-store.js';
import { backwardIssues } from './schema-compatibility.js';
import { SchemaValidators, type PayloadCheck } from './schema-validators.js';

/** The registry's documents: services starting with `_` no token reaches (see PLATFORM_DOCUMENTS). */
const TOPICS = '_topics';
const SCHEMAS = '_schemas';

/** Compiled schema checks a node keeps for `validate` and publishes. */
const MAX_COMPILED_CHECKS = 1000;

/** Longest topic name the registry takes (its document id carries the name and a version). */
export const MAX_REGISTERED_TOPIC_LENGTH = 120;

/** Bounds of the registry (`registry` option of the server). */
export interface RegistryLimits {
  /** Topics per realm. @default 1000 */
  maxTopicsPerRealm?: number;
  /** Schema versions per topic. @default 100 */
  maxVersionsPerTopic?: number;
  /** Bytes of one schema's JSON. @default 32768 */
  maxSchemaBytes?: number;
  /** Realms whose active schemas this node keeps (least recently used go first). @default 10000 */
  maxCachedRealms?: number;
  /** How long a node trusts what it cached of a realm without hearing of a change, ms. @default 30000 */
  cacheTtlMs?: number;
}

const DEFAULTS: Required<RegistryLimits> = {
  maxTopicsPerRealm: 1000,
  maxVersionsPerTopic: 100,
  maxSchemaBytes: 32 * 1024,
  maxCachedRealms: 10_000,
  cacheTtlMs: 30_000,
};

/** What the registry is built from. */
export interface TopicRegistryOptions {
  documents: DocumentStore;
  io: RealtimeIo;
  logger: Logger;
  /** Other nodes share the registry: changes are announced to them (`registry:changed`). */
  clustered: boolean;
  limits?: RegistryLimits;
}

/** A topic's registry entry as stored. */
interface TopicData {
  name: string;
  description?: string;
  owner?: string;
  activeSchemaVersion?: number;
  latestVersion: number;
}

/** A topic's active schema as a node keeps it; the check is compiled at its first publish. */
interface ActiveSchema {
  version: number;
  check?: PayloadCheck;
}

/** What a node keeps of a realm for its publishes: its topics with an active schema. */
interface CachedRealm {
  active: Map<string, ActiveSchema>;
  expiresAt: number;
}

/** `POST /api/topics`. */
export interface CreateTopicInput {
  name: string;
  description?: string | undefined;
  owner?: string | undefined;
}

/** `PATCH /api/topics/:name`; `activeSchemaVersion: null` stops validating. */
export interface UpdateTopicInput {
  description?: string | undefined;
  owner?: string | undefined;
  activeSchemaVersion?: number | null | undefined;
}

/**
 * The topic and schema registry of every realm: topics with a description and an owner, numbered
 * JSON Schema versions checked for compatibility when registered, and the validation of every
 * publish to a topic with an active schema.
 *
 * Why this exists: producers and consumers of a topic are often different teams; a schema that is
 * checked at the platform turns "a field went missing in production" into a refused publish with
 * the reasons, at the producer. Entries live in the document store (memory or MongoDB), under
 * services no token reaches through the sync API. Publishes read a node-local cache: per realm,
 * which topics have an active schema (loaded once, so a publish to an unregistered topic costs a
 * map lookup, never a database read) and their compiled checks; bounded to `maxCachedRealms`
 * realms, least recently used out, dropped on every node when the realm's registry changes
 * (`registry:changed` through the adapter) and after `cacheTtlMs` at the latest, should such a
 * notice be lost.
 *
 * @example
 * await registry.createTopic('demo', { name: 'orders.created', owner: 'checkout' });
 * await registry.registerSchema('demo', 'orders.created', { type: 'object', required: ['id'] }, 'backward');
 * await registry.updateTopic('demo', 'orders.created', { activeSchemaVersion: 1 });
 * await registry.checkPublish('demo', 'orders.created', {}); // throws INVALID_ARGUMENT
 */
export class TopicRegistry {
  private readonly limits: Required<RegistryLimits>;
  private readonly validators = new SchemaValidators();
  /** Realm → its active schemas; a Map in use order, so the first key is the least recent. */
  private readonly realms = new Map<string, CachedRealm>();
  /** Compiled checks by schema version, least recently used first (see checkOf). */
  private readonly checks = new Map<string, PayloadCheck>();
  /** Realms being loaded, so that a burst of publishes to a cold realm reads it once. */
  private readonly loading = new Map<string, Promise<CachedRealm>>();

  constructor(private readonly options: TopicRegistryOptions) {
    this.limits = { ...DEFAULTS, ...options.limits };
    if (options.clustered) options.io.on('registry:changed', ({ realm }) => this.forget(realm));
  }

  async createTopic(realm: string, input: CreateTopicInput): Promise<RegisteredTopic> {
    assertRegistrable(input.name);
    if ((await this.countTopics(realm)) >= this.limits.maxTopicsPerRealm) {
      throw new LimitExceededError(`Realm "${realm}" has ${this.limits.maxTopicsPerRealm} registered topics, the most it may`, {
        details: { limit: this.limits.maxTopicsPerRealm },
      });
    }
    const data: TopicData = { name: input.name, latestVersion: 0, ...defined({ description: input.description, owner: input.owner }) };
    try {
      const created = await this.options.documents.create(realm, TOPICS, { id: input.name, data: { ...data } });
      this.changed(realm, input.name);
      return topicView(created);
    } catch (err) {
      if (err instanceof AlreadyExistsError) throw new AlreadyExistsError(`Topic "${input.name}" is already registered`, { details: { topic: input.name } });
      throw err;
    }
  }

  /** How many topics a realm has registered, counted up to the limit. */
  private async countTopics(realm: string): Promise<number> {
    let count = 0;
    let after: string | undefined;
    do {
      const page = await this.options.documents.list(realm, TOPICS, { limit: 100, ...(after === undefined ? {} : { after }) });
      count += page.items.length;
      after = page.nextCursor;
    } while (after !== undefined && count < this.limits.maxTopicsPerRealm);
    return count;
  }

  async listTopics(realm: string, options: { limit?: number; after?: string }): Promise<{ items: RegisteredTopic[]; nextCursor?: string }> {
    const page = await this.options.documents.list(realm, TOPICS, options);
    return { items: page.items.map(topicView), ...(page.nextCursor === undefined ? {} : { nextCursor: page.nextCursor }) };
  }

  async getTopic(realm: string, name: string): Promise<RegisteredTopic> {
    return topicView(await this.topicDocument(realm, name));
  }

  async updateTopic(realm: string, name: string, input: UpdateTopicInput): Promise<RegisteredTopic> {
    const current = await this.topicDocument(realm, name);
    const version = input.activeSchemaVersion;
    if (typeof version === 'number') await this.getSchema(realm, name, version); // NOT_FOUND when it does not exist
    const { current: doc } = await this.options.documents.write(
      realm,
      TOPICS,
      name,
      (stored) => {
        const data = { ...(stored.data as unknown as TopicData) };
        if (input.description !== undefined) data.description = input.description;
        if (input.owner !== undefined) data.owner = input.owner;
        if (version === null) delete data.activeSchemaVersion;
        else if (version !== undefined) data.activeSchemaVersion = version;
        return { data: { ...data } };
      },
      { expectedRevision: current.revision },
    );
    this.changed(realm, name);
    return topicView(doc);
  }

  /** Deletes a topic's entry and every schema version of it. */
  async deleteTopic(realm: string, name: string): Promise<void> {
    const current = await this.topicDocument(realm, name);
    const { latestVersion } = current.data as unknown as TopicData;
    await this.options.documents.write(realm, TOPICS, name, () => ({ deleted: true }));
    this.changed(realm, name);
    for (let version = 1; version <= latestVersion; version += 1) {
      await this.options.documents
        .write(realm, SCHEMAS, schemaId(name, version), () => ({ deleted: true }))
        .catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
    }
  }

  /**
   * Registers the next version of a topic's schema. With `backward` (the default) it must accept
   * every payload the latest version accepts; the refusal lists each way it does not.
   *
   * @throws CONFLICT when it is not backward compatible, or another version was registered at the same moment.
   */
  async registerSchema(
    realm: string,
    topic: string,
    schema: Record<string, unknown>,
    compatibilityMode: SchemaCompatibilityMode = 'backward',
  ): Promise<TopicSchemaVersion> {
    const bytes = Buffer.byteLength(JSON.stringify(schema));
    if (bytes > this.limits.maxSchemaBytes) {
      throw new InvalidArgumentError(`The schema is ${bytes} bytes; the limit is ${this.limits.maxSchemaBytes}`, {
        details: { size: bytes, limit: this.limits.maxSchemaBytes },
      });
    }
    this.validators.compile(schema); // refuses an invalid schema before anything is stored
    const current = await this.topicDocument(realm, topic);
    const { latestVersion } = current.data as unknown as TopicData;
    if (latestVersion >= this.limits.maxVersionsPerTopic) {
      throw new LimitExceededError(`Topic "${topic}" has ${latestVersion} schema versions, the most it may`, {
        details: { limit: this.limits.maxVersionsPerTopic },
      });
    }
    if (compatibilityMode === 'backward' && latestVersion > 0) {
      const previous = await this.getSchema(realm, topic, latestVersion);
      const issues = backwardIssues(previous.schema, schema);
      if (issues.length > 0) {
        throw new ConflictError(`Version ${latestVersion + 1} of "${topic}" is not backward compatible with version ${latestVersion}`, {
          details: { topic, against: latestVersion, compatibilityMode, issues },
        });
      }
    }
    const version = latestVersion + 1;
    const stored = { topic, version, schema, compatibilityMode };
    try {
      await this.options.documents.create(realm, SCHEMAS, { id: schemaId(topic, version), data: stored });
    } catch (err) {
      if (err instanceof AlreadyExistsError)
        throw new ConflictError(`Version ${version} of "${topic}" was registered at the same moment; register again`, { details: { topic, version } });
      throw err;
    }
    const { current: doc } = await this.options.documents.write(realm, TOPICS, topic, (doc) => ({
      data: { ...doc.data, latestVersion: Math.max(version, (doc.data as unknown as TopicData).latestVersion) },
    }));
    return { ...stored, createdAt: doc.updatedAt };
  }

  async listSchemas(realm: string, topic: string): Promise<TopicSchemaVersion[]> {
    const { latestVersion } = (await this.topicDocument(realm, topic)).data as unknown as TopicData;
    const versions: TopicSchemaVersion[] = [];
    for (let version = 1; version <= latestVersion; version += 1) versions.push(await this.getSchema(realm, topic, version));
    return versions;
  }

  async getSchema(realm: string, topic: string, version: number | 'latest'): Promise<TopicSchemaVersion> {
    let number = version;
    if (number === 'latest') {
      number = ((await this.topicDocument(realm, topic)).data as unknown as TopicData).latestVersion;
      if (number === 0) throw new NotFoundError(`Topic "${topic}" has no schema yet`, { details: { topic } });
    }
    try {
      return schemaView(await this.options.documents.get(realm, SCHEMAS, schemaId(topic, number)));
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`Topic "${topic}" has no schema version ${number}`, { details: { topic, version: number } });
      throw err;
    }
  }

  /** Checks a payload against a version (default: the active one, else the latest). */
  async validate(realm: string, topic: string, payload: unknown, version?: number): Promise<SchemaValidationResult> {
    const data = (await this.topicDocument(realm, topic)).data as unknown as TopicData;
    const chosen = version ?? data.activeSchemaVersion ?? data.latestVersion;
    if (chosen === 0) throw new NotFoundError(`Topic "${topic}" has no schema yet`, { details: { topic } });
    const errors = this.checkOf(realm, topic, await this.getSchema(realm, topic, chosen))(payload);
    return { valid: errors.length === 0, version: chosen, errors };
  }

  /**
   * Refuses a publish whose payload does not match the topic's active schema. Topics without an
   * entry or an active version pass; the answer comes from this node's cache after the first.
   *
   * @throws InvalidArgumentError with `details.issues` (`{ path, message }` per schema error).
   */
  async checkPublish(realm: string, topic: string, payload: Record<string, unknown>): Promise<void> {
    const active = (await this.cachedRealm(realm)).active.get(topic);
    if (active === undefined) return;
    active.check ??= this.checkOf(realm, topic, await this.getSchema(realm, topic, active.version));
    const errors = active.check(payload);
    if (errors.length === 0) return;
    throw new InvalidArgumentError(`The payload does not match version ${active.version} of the schema of "${topic}"`, {
      details: { topic, version: active.version, issues: errors.map(({ path, message }) => ({ path: ['payload', ...pointerSegments(path)], message })) },
    });
  }

  /**
   * The compiled check of a schema version, from a bounded cache (a version never changes; one
   * deleted and registered again has a new `createdAt`, part of the key), so repeated validations
   * do not compile again.
   */
  private checkOf(realm: string, topic: string, version: TopicSchemaVersion): PayloadCheck {
    const key = `${realm}\u0000${topic}\u0000${version.version}\u0000${version.createdAt}`;
    let check = this.checks.get(key);
    if (check === undefined) {
      check = this.validators.compile(version.schema);
      if (this.checks.size >= MAX_COMPILED_CHECKS) {
        const oldest = this.checks.keys().next().value;
        if (oldest !== undefined) this.checks.delete(oldest);
      }
    } else {
      this.checks.delete(key); // re-inserted: most recently used
    }
    this.checks.set(key, check);
    return check;
  }

  private async cachedRealm(realm: string): Promise<CachedRealm> {
    const hit = this.realms.get(realm);
    if (hit !== undefined && hit.expiresAt > Date.now()) {
      this.realms.delete(realm); // re-inserted: most recently used
      this.realms.set(realm, hit);
      return hit;
    }
    let pending = this.loading.get(realm);
    if (pending === undefined) {
      pending = this.loadRealm(realm).finally(() => this.loading.delete(realm));
      this.loading.set(realm, pending);
    }
    return pending;
  }

  private async loadRealm(realm: string): Promise<CachedRealm> {
    const active = new Map<string, ActiveSchema>();
    let after: string | undefined;
    do {
      const page = await this.options.documents.list(realm, TOPICS, { limit: 100, ...(after === undefined ? {} : { after }) });
      for (const doc of page.items) {
        const { name, activeSchemaVersion } = doc.data as unknown as TopicData;
        if (activeSchemaVersion !== undefined) active.set(name, { version: activeSchemaVersion });
      }
      after = page.nextCursor;
    } while (after !== undefined);
    const entry: CachedRealm = { active, expiresAt: Date.now() + this.limits.cacheTtlMs };
    this.realms.set(realm, entry);
    while (this.realms.size > this.limits.maxCachedRealms) {
      const oldest = this.realms.keys().next().value;
      if (oldest === undefined) break;
      this.realms.delete(oldest);
    }
    return entry;
  }

  private async topicDocument(realm: string, name: string): Promise<SyncDocument> {
    assertRegistrable(name);
    try {
      return await this.options.documents.get(realm, TOPICS, name);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`Topic "${name}" is not registered`, { details: { topic: name } });
      throw err;
    }
  }

  /** Drops this node's cache of the realm and tells the other nodes to drop theirs. */
  private changed(realm: string, topic: string): void {
    this.forget(realm);
    if (this.options.clustered) this.options.io.serverSideEmit('registry:changed', { realm, topic });
  }

  private forget(realm: string): void {
    this.realms.delete(realm);
    // A load under way read the registry before the change: it must not be cached.
    const pending = this.loading.get(realm);
    if (pending !== undefined) {
      this.loading.delete(realm);
      void pending.then(
        (entry) => {
          if (this.realms.get(realm) === entry) this.realms.delete(realm);
        },
        () => undefined,
      );
    }
  }
}

function assertRegistrable(name: string): void {
  if (name.length > MAX_REGISTERED_TOPIC_LENGTH) {
    throw new InvalidArgumentError(`Registered topic names are at most ${MAX_REGISTERED_TOPIC_LENGTH} characters`, {
      details: { issues: [{ path: ['name'], message: `must be at most ${MAX_REGISTERED_TOPIC_LENGTH} characters` }] },
    });
  }
}

function schemaId(topic: string, version: number): string {
  return `${topic}.v${version}`;
}

function topicView(doc: SyncDocument): RegisteredTopic {
  const data = doc.data as unknown as TopicData;
  return {
    name: data.name,
    ...defined({ description: data.description, owner: data.owner, activeSchemaVersion: data.activeSchemaVersion }),
    latestVersion: data.latestVersion,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

function schemaView(doc: SyncDocument): TopicSchemaVersion {
  const data = doc.data as unknown as Omit<TopicSchemaVersion, 'createdAt'>;
  return { topic: data.topic, version: data.version, schema: data.schema, compatibilityMode: data.compatibilityMode, createdAt: doc.createdAt };
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
