import { z } from 'zod';
import { isValidTopic } from '../../shared/index.js';

/** A topic name as the registry takes it: a valid topic (`orders.created`). */
export const registeredTopicName = z
  .string({ error: 'name must be a string' })
  .refine(isValidTopic, 'name must be a topic: dot-separated lowercase segments (letters, digits, _ and -), e.g. "orders.created"');

const text = (field: string, max: number) => z.string({ error: `${field} must be a string` }).max(max, `${field} must be at most ${max} characters`);

const realm = z.string({ error: 'realm must be a string' }).optional();

/** `POST /api/topics`. */
export const createTopicSchema = z.strictObject({
  realm,
  name: registeredTopicName,
  description: text('description', 1000).optional(),
  owner: text('owner', 200).optional(),
});

/** `PATCH /api/topics/:name`. */
export const updateTopicSchema = z.strictObject({
  realm,
  description: text('description', 1000).optional(),
  owner: text('owner', 200).optional(),
  activeSchemaVersion: z
    .union([
      z.int({ error: 'activeSchemaVersion must be a positive integer or null' }).min(1, 'activeSchemaVersion must be a positive integer or null'),
      z.null(),
    ])
    .optional(),
});

/** `POST /api/schemas/:topic`. */
export const registerSchemaSchema = z.strictObject({
  realm,
  schema: z.record(z.string(), z.unknown(), { error: 'schema must be a JSON Schema object' }),
  compatibilityMode: z.enum(['backward', 'none'], { error: 'compatibilityMode must be "backward" or "none"' }).optional(),
});

/** `POST /api/schemas/:topic/validate`. */
export const validatePayloadSchema = z.strictObject({
  realm,
  payload: z.unknown().refine((value) => value !== undefined, 'payload is required'),
  version: z.int({ error: 'version must be a positive integer' }).min(1, 'version must be a positive integer').optional(),
});

/** A version in a path: a positive integer, or `latest`. */
export const versionParam = z.union([
  z.literal('latest'),
  z.coerce
    .number({ error: 'version must be a positive integer or "latest"' })
    .int('version must be a positive integer or "latest"')
    .min(1, 'version must be a positive integer or "latest"'),
]);

/** The query of `GET /api/topics`. */
export const listTopicsQuery = z.strictObject({
  realm,
  limit: z.coerce
    .number({ error: 'limit must be a number' })
    .int('limit must be an integer')
    .min(1, 'limit must be 1 to 100')
    .max(100, 'limit must be 1 to 100')
    .optional(),
  after: z.string().optional(),
});

/** The query of the registry's other GET routes. */
export const realmQuery = z.strictObject({ realm });
