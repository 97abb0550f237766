import { z } from 'zod';
import { DOCUMENT_ID_PATTERN, SERVICE_NAME_PATTERN } from '../../shared/index.js';
import { realmSchema } from './topic-schemas.js';

/** A sync service name: lowercase letters, digits, `_` and `-` (it becomes part of a topic). */
export const serviceSchema = z
  .string({ error: 'service must be a string' })
  .regex(SERVICE_NAME_PATTERN, 'service must be 1-64 lowercase letters, digits, _ or -');

/** A document id. */
export const documentIdSchema = z
  .string({ error: 'id must be a string' })
  .regex(DOCUMENT_ID_PATTERN, 'id must be 1-128 letters, digits, _ . or - (not "." or "..")');

/** Document data: a JSON object. */
export const dataSchema = z.record(z.string(), z.unknown(), { error: 'data must be a JSON object' });

const revisionSchema = z
  .number({ error: 'expectedRevision must be a number' })
  .int('expectedRevision must be a whole number')
  .positive('expectedRevision must be positive');

const expiresAtSchema = z.number({ error: 'expiresAt must be a Unix time in ms' }).int().positive();
const ttlSchema = z.number({ error: 'ttl must be a number of seconds' }).positive('ttl must be positive').max(366 * 24 * 3600);

const pointer = z.string({ error: 'path must be a JSON Pointer string such as "/a/b"' });

/** One mutation: `set`, `increment`, `remove` or `append` on an RFC 6901 JSON Pointer path. */
export const mutationSchema = z.discriminatedUnion(
  'op',
  [
    z.strictObject({ op: z.literal('set'), path: pointer, value: z.unknown() }),
    z.strictObject({ op: z.literal('increment'), path: pointer, value: z.number({ error: 'increment value must be a number' }) }),
    z.strictObject({ op: z.literal('remove'), path: pointer }),
    z.strictObject({ op: z.literal('append'), path: pointer, value: z.unknown() }),
  ],
  { error: 'op must be one of set, increment, remove, append' },
);

const address = { realm: realmSchema.optional(), service: serviceSchema, id: documentIdSchema };
const writeOptions = {
  expectedRevision: revisionSchema.optional(),
  expiresAt: expiresAtSchema.nullable().optional(),
  ttl: ttlSchema.optional(),
};

/** `sync:create`. */
export const createDocumentSchema = z.strictObject({
  realm: realmSchema.optional(),
  service: serviceSchema,
  id: documentIdSchema.optional(),
  data: dataSchema,
  expiresAt: expiresAtSchema.optional(),
  ttl: ttlSchema.optional(),
});

/** `sync:get`. */
export const getDocumentSchema = z.strictObject({ ...address, includeDeleted: z.boolean().optional() });

/** `sync:list`. */
export const listDocumentsSchema = z.strictObject({
  realm: realmSchema.optional(),
  service: serviceSchema,
  limit: z.number().int().min(1).max(1000, 'limit must be at most 1000').optional(),
  after: z.string().min(1).max(512).optional(),
});

/** `sync:replace` and `sync:merge`. */
export const writeDocumentSchema = z.strictObject({ ...address, data: dataSchema, ...writeOptions });

/** `sync:mutate`. */
export const mutateDocumentSchema = z.strictObject({
  ...address,
  mutations: z.array(mutationSchema, { error: 'mutations must be an array' }).min(1, 'mutations must not be empty').max(1000),
  ...writeOptions,
});

/** `sync:delete`. */
export const deleteDocumentSchema = z.strictObject({ ...address, expectedRevision: revisionSchema.optional() });
