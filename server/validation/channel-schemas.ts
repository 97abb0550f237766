import { z } from 'zod';
import {
  CHANNEL_NAME_PATTERN,
  DOCUMENT_ID_PATTERN,
  MESSAGE_EVENT_PATTERN,
  OBJECT_ID_PATTERN,
  SERVICE_NAME_PATTERN,
  isWellFormedText,
} from '../../shared/index.js';
import { realmSchema, streamPositionSchema } from './topic-schemas.js';

const CHANNEL_RULE = 'channel must be 1-128 letters, digits or _ . : @ - (and not "." or "..")';

/** A channel name (see `CHANNEL_NAME_PATTERN`). */
export const channelNameSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'channel is required' : 'channel must be a string') })
  .regex(CHANNEL_NAME_PATTERN, CHANNEL_RULE);

/** The `event` name of a channel or direct message. */
export const messageEventSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'event is required' : 'event must be a string') })
  .regex(MESSAGE_EVENT_PATTERN, 'event must be 1-100 letters, digits or _ . : -');

/** A presence state: a JSON object (its size is checked against the configured limit). */
export const presenceStateSchema = z.record(z.string(), z.unknown(), { error: 'state must be a JSON object' });

/** A sync document reference `{ service, id }`. */
export const documentRefSchema = z.strictObject(
  {
    service: z
      .string({ error: 'document.service must be a string' })
      .regex(SERVICE_NAME_PATTERN, 'document.service must be 1-64 lowercase letters, digits, _ or -'),
    id: z
      .string({ error: 'document.id must be a string' })
      .regex(DOCUMENT_ID_PATTERN, 'document.id must be 1-128 letters, digits, _ . or - (and not "." or "..")'),
  },
  { error: 'document must be an object { service, id }' },
);

/** A connection id (Socket.IO socket id). */
export const connectionIdSchema = z
  .string({ error: 'connectionId must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'connectionId must be 1-64 letters, digits, _ or -');

/** A user id (a token's `sub`): like `sub`, well-formed Unicode (no lone surrogate). */
export const userIdSchema = z
  .string({ error: 'userId must be a string' })
  .min(1, 'userId must not be empty')
  .max(256)
  .refine(isWellFormedText, 'userId must be well-formed Unicode (it holds a lone surrogate)');

/** An object id (or data-provider pattern) to ask about. */
export const objectIdSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'id is required' : 'id must be a string') })
  .regex(OBJECT_ID_PATTERN, 'id must be "/"-separated segments of letters, digits or _ . : @ ~ + = - *, at most 512 characters');

/** `channel:join` payload. */
export const channelJoinSchema = z.strictObject({
  realm: realmSchema.optional(),
  channel: channelNameSchema,
  state: presenceStateSchema.optional(),
  since: streamPositionSchema.optional(),
});

/** `channel:leave` payload. */
export const channelLeaveSchema = z.strictObject({ realm: realmSchema.optional(), channel: channelNameSchema });

/** `channel:publish` payload. */
export const channelPublishSchema = z.strictObject({
  realm: realmSchema.optional(),
  channel: channelNameSchema,
  event: messageEventSchema,
  data: z.unknown().optional(),
  excludeSelf: z.boolean({ error: 'excludeSelf must be a boolean' }).optional(),
});

/** `POST /api/socket/broadcast` body. */
export const broadcastSchema = channelPublishSchema.omit({ excludeSelf: true });

/** `direct:send` payload and `POST /api/socket/direct` body: exactly one of connectionId and userId. */
export const directSendSchema = z
  .strictObject({
    realm: realmSchema.optional(),
    connectionId: connectionIdSchema.optional(),
    userId: userIdSchema.optional(),
    event: messageEventSchema,
    data: z.unknown().optional(),
  })
  .refine((request) => (request.connectionId === undefined) !== (request.userId === undefined), {
    message: 'exactly one of connectionId and userId is required',
    path: ['connectionId'],
  });

const targetFields = {
  realm: realmSchema.optional(),
  channel: channelNameSchema.optional(),
  document: documentRefSchema.optional(),
};

const EXACTLY_ONE_TARGET = { message: 'exactly one of channel and document is required', path: ['channel'] };

function hasOneTarget(request: { channel?: string | undefined; document?: unknown }): boolean {
  return (request.channel === undefined) !== (request.document === undefined);
}

/** `presence:list` payload: `{ channel }` or `{ document: { service, id } }`. */
export const presenceListSchema = z.strictObject(targetFields).refine(hasOneTarget, EXACTLY_ONE_TARGET);

/** `presence:update` payload. */
export const presenceUpdateSchema = z
  .strictObject({ ...targetFields, state: presenceStateSchema })
  .refine(hasOneTarget, EXACTLY_ONE_TARGET);

/** `presence:status` payload. */
export const objectStatusSchema = z.strictObject({ realm: realmSchema.optional(), id: objectIdSchema });

/** `document:open` payload. */
export const documentOpenSchema = z.strictObject({
  realm: realmSchema.optional(),
  document: documentRefSchema,
  state: presenceStateSchema.optional(),
});

/** `document:close` payload. */
export const documentCloseSchema = z.strictObject({ realm: realmSchema.optional(), document: documentRefSchema });
