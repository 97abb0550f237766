/**
 * The topic and schema registry's REST shapes (`/api/topics`, `/api/schemas/:topic`), shared by
 * the server and the REST client.
 */

/** How a new schema version must relate to the one before it (checked when it is registered). */
export type SchemaCompatibilityMode = 'backward' | 'none';

/**
 * A topic in a realm's registry: who owns it and which schema version its publishes must match.
 *
 * @example
 * const topic: RegisteredTopic = { name: 'orders.created', description: 'New orders', owner: 'checkout', latestVersion: 2, activeSchemaVersion: 2, createdAt, updatedAt };
 */
export interface RegisteredTopic {
  name: string;
  description?: string;
  owner?: string;
  /** The schema version every publish to the topic is validated against; absent: not validated. */
  activeSchemaVersion?: number;
  /** The newest registered schema version (0 before the first). */
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * One registered version of a topic's JSON Schema (draft 2020-12 or 07 keywords).
 *
 * @example
 * const version: TopicSchemaVersion = { topic: 'orders.created', version: 1, schema: { type: 'object' }, compatibilityMode: 'backward', createdAt };
 */
export interface TopicSchemaVersion {
  topic: string;
  version: number;
  schema: Record<string, unknown>;
  compatibilityMode: SchemaCompatibilityMode;
  createdAt: number;
}

/**
 * `POST /api/schemas/:topic/validate`: whether a payload matches a version (the active one, else
 * the latest), and why not.
 *
 * @example
 * const result: SchemaValidationResult = { valid: false, version: 2, errors: [{ path: '/amount', message: 'must be number' }] };
 */
export interface SchemaValidationResult {
  valid: boolean;
  version: number;
  errors: { path: string; message: string }[];
}
