import * as v from 'valibot';
import { OBJECT_ID_PATTERN } from '../data-provider.js';
import { DOCUMENT_ID_PATTERN, SERVICE_NAME_PATTERN } from '../sync-document.js';
import { channelNameSchema, presenceStateSchema } from './channel-schemas.js';
import { realmField } from './common-schemas.js';
import { patternText, request } from './schema-kit.js';

/** A sync document reference `{ service, id }`. */
export const documentRefSchema = request('document', {
  service: patternText('document.service', SERVICE_NAME_PATTERN, 'document.service must be 1-64 lowercase letters, digits, _ or -'),
  id: patternText('document.id', DOCUMENT_ID_PATTERN, 'document.id must be 1-128 letters, digits, _ . or - (and not "." or "..")'),
});

/** An object id (or data-provider pattern) to ask about. */
export const objectIdSchema = patternText(
  'id',
  OBJECT_ID_PATTERN,
  'id must be "/"-separated segments of letters, digits or _ . : @ ~ + = - *, at most 512 characters',
);

const targetFields = { ...realmField, channel: v.optional(channelNameSchema), document: v.optional(documentRefSchema) };

/** Exactly one of `channel` and `document` names the presence set. */
function exactlyOneTarget<T extends { channel?: string | undefined; document?: unknown }>() {
  return v.forward<T, v.CheckIssue<T>, never>(
    v.check<T, string>((request) => (request.channel === undefined) !== (request.document === undefined), 'exactly one of channel and document is required'),
    ['channel'] as never,
  );
}

/** `presence:list`: `{ channel }` or `{ document: { service, id } }`. */
export const presenceListRequestSchema = v.pipe(request('presence request', targetFields), exactlyOneTarget());

/** `presence:update`: replaces this connection's state in a set it is in. */
export const presenceUpdateRequestSchema = v.pipe(request('presence update', { ...targetFields, state: presenceStateSchema }), exactlyOneTarget());

/** `presence:status`: the data-provider presence of an object id. */
export const objectStatusRequestSchema = request('status request', { ...realmField, id: objectIdSchema });

/** `document:open`: appear in a document's presence ("who has it open"). */
export const documentOpenRequestSchema = request('open request', {
  ...realmField,
  document: documentRefSchema,
  state: v.optional(presenceStateSchema),
});

/** `document:close`. */
export const documentCloseRequestSchema = request('close request', { ...realmField, document: documentRefSchema });

/** `presence:list` request: names a presence set, a channel or a document. */
export type PresenceTargetRequest = v.InferOutput<typeof presenceListRequestSchema>;
/** `presence:update` request. */
export type PresenceUpdateRequest = v.InferOutput<typeof presenceUpdateRequestSchema>;
/** `presence:status` request. */
export type ObjectStatusRequest = v.InferOutput<typeof objectStatusRequestSchema>;
/** `document:open` request. */
export type DocumentOpenRequest = v.InferOutput<typeof documentOpenRequestSchema>;
/** `document:close` request. */
export type DocumentCloseRequest = v.InferOutput<typeof documentCloseRequestSchema>;
