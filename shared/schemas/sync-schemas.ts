import * as v from 'valibot';
import { DOCUMENT_ID_PATTERN, MAX_LIST_LIMIT, MAX_MUTATIONS, MAX_TTL_SECONDS, SERVICE_NAME_PATTERN } from '../sync-document.js';
import { realmField } from './common-schemas.js';
import { flag, jsonObject, patternText, request, text, wholeNumber } from './schema-kit.js';

/** A sync service name: lowercase letters, digits, `_` and `-` (it becomes part of a topic). */
export const serviceSchema = patternText('service', SERVICE_NAME_PATTERN, 'service must be 1-64 lowercase letters, digits, _ or -');

/** A document id. */
export const documentIdSchema = patternText('id', DOCUMENT_ID_PATTERN, 'id must be 1-128 letters, digits, _ . or - (not "." or "..")');

/** Document data: a JSON object. */
export const dataSchema = jsonObject('data');

const revisionSchema = wholeNumber('expectedRevision', 1);
const expiresAtSchema = wholeNumber('expiresAt', 1);
const ttlSchema = v.pipe(
  v.number((issue) => (issue.input === undefined ? 'ttl is required' : 'ttl must be a number of seconds')),
  v.gtValue(0, 'ttl must be positive'),
  v.maxValue(MAX_TTL_SECONDS, `ttl must be at most ${MAX_TTL_SECONDS} seconds`),
);
const pointer = v.string('path must be a JSON Pointer string such as "/a/b"');

/** One mutation: `set`, `increment`, `remove` or `append` on an RFC 6901 JSON Pointer path. */
export const mutationSchema = v.variant(
  'op',
  [
    v.strictObject({ op: v.literal('set'), path: pointer, value: v.unknown() }),
    v.strictObject({ op: v.literal('increment'), path: pointer, value: v.number('increment value must be a number') }),
    v.strictObject({ op: v.literal('remove'), path: pointer }),
    v.strictObject({ op: v.literal('append'), path: pointer, value: v.unknown() }),
  ],
  'op must be one of set, increment, remove, append',
);

const address = { ...realmField, service: serviceSchema, id: documentIdSchema };
/** Options every write accepts: `expiresAt` (Unix ms; `null` removes it) or `ttl` (seconds). */
const writeOptions = {
  expectedRevision: v.optional(revisionSchema),
  expiresAt: v.optional(v.nullable(expiresAtSchema)),
  ttl: v.optional(ttlSchema),
};

/** `sync:create`: `id` is generated when absent; `ttl` (seconds) is an alternative to `expiresAt`. */
export const createDocumentRequestSchema = request('create request', {
  ...realmField,
  service: serviceSchema,
  id: v.optional(documentIdSchema),
  data: dataSchema,
  expiresAt: v.optional(expiresAtSchema),
  ttl: v.optional(ttlSchema),
});

/** `sync:get`. */
export const getDocumentRequestSchema = request('get request', { ...address, includeDeleted: v.optional(flag('includeDeleted')) });

/** `sync:list`: live documents ordered by id, `limit` per page, continuing `after` a cursor. */
export const listDocumentsRequestSchema = request('list request', {
  ...realmField,
  service: serviceSchema,
  limit: v.optional(wholeNumber('limit', 1, MAX_LIST_LIMIT)),
  after: v.optional(v.pipe(text('after'), v.minLength(1, 'after must not be empty'), v.maxLength(512, 'after must be at most 512 characters'))),
});

/** `sync:replace` and `sync:merge`. */
export const writeDocumentRequestSchema = request('write request', { ...address, data: dataSchema, ...writeOptions });

/** `sync:mutate`: applied together, as one revision. */
export const mutateDocumentRequestSchema = request('mutate request', {
  ...address,
  mutations: v.pipe(
    v.array(mutationSchema, 'mutations must be an array'),
    v.minLength(1, 'mutations must not be empty'),
    v.maxLength(MAX_MUTATIONS, `at most ${MAX_MUTATIONS} mutations are accepted at once`),
  ),
  ...writeOptions,
});

/** `sync:delete`. */
export const deleteDocumentRequestSchema = request('delete request', { ...address, expectedRevision: v.optional(revisionSchema) });

/** `sync:create` request. */
export type CreateDocumentRequest = v.InferOutput<typeof createDocumentRequestSchema>;
/** `sync:get` request. */
export type GetDocumentRequest = v.InferOutput<typeof getDocumentRequestSchema>;
/** `sync:list` request. */
export type ListDocumentsRequest = v.InferOutput<typeof listDocumentsRequestSchema>;
/** `sync:replace` and `sync:merge` request. */
export type WriteDocumentRequest = v.InferOutput<typeof writeDocumentRequestSchema>;
/** `sync:mutate` request. */
export type MutateDocumentRequest = v.InferOutput<typeof mutateDocumentRequestSchema>;
/** `sync:delete` request. */
export type DeleteDocumentRequest = v.InferOutput<typeof deleteDocumentRequestSchema>;
