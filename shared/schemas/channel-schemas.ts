import * as v from 'valibot';
import { CHANNEL_NAME_PATTERN, MESSAGE_EVENT_PATTERN } from '../channel-name.js';
import { isWellFormedText } from '../well-formed-text.js';
import { realmField, streamPositionSchema } from './common-schemas.js';
import { flag, jsonObject, patternText, request, text } from './schema-kit.js';

/** A channel name (see `CHANNEL_NAME_PATTERN`). */
export const channelNameSchema = patternText('channel', CHANNEL_NAME_PATTERN, 'channel must be 1-128 letters, digits or _ . : @ - (and not "." or "..")');

/** The `event` name of a channel or direct message. */
export const messageEventSchema = patternText('event', MESSAGE_EVENT_PATTERN, 'event must be 1-100 letters, digits or _ . : -');

/** A presence state: a JSON object (its size is checked against the configured limit). */
export const presenceStateSchema = jsonObject('state');

/** A connection id (Socket.IO socket id). */
export const connectionIdSchema = patternText('connectionId', /^[A-Za-z0-9_-]{1,64}$/, 'connectionId must be 1-64 letters, digits, _ or -');

/** A user id (a token's `sub`): like `sub`, well-formed Unicode (no lone surrogate). */
export const userIdSchema = v.pipe(
  text('userId'),
  v.minLength(1, 'userId must not be empty'),
  v.maxLength(256, 'userId must be at most 256 characters'),
  v.check(isWellFormedText, 'userId must be well-formed Unicode (it holds a lone surrogate)'),
);

/**
 * `channel:join`. `state` is this member's initial presence state (needs `P`); `since` re-joins
 * after a reconnect: the messages after that position are sent first, as ordinary
 * `channel:message` frames, before any live one and before the acknowledgement.
 */
export const channelJoinRequestSchema = request('join request', {
  ...realmField,
  channel: channelNameSchema,
  state: v.optional(presenceStateSchema),
  since: v.optional(streamPositionSchema),
});

/** `channel:leave`. */
export const channelLeaveRequestSchema = request('leave request', { ...realmField, channel: channelNameSchema });

const messageFields = { ...realmField, channel: channelNameSchema, event: messageEventSchema, data: v.optional(v.unknown()) };

/** `channel:publish`. With `excludeSelf`, the sending connection does not receive its own message. */
export const channelPublishRequestSchema = request('publish request', { ...messageFields, excludeSelf: v.optional(flag('excludeSelf')) });

/** `POST /api/socket/broadcast` body: a channel message from a backend (never a member). */
export const broadcastRequestSchema = request('broadcast request', messageFields);

/** `direct:send` and `POST /api/socket/direct`: exactly one of `connectionId` and `userId`. */
export const directSendRequestSchema = v.pipe(
  request('direct message', {
    ...realmField,
    connectionId: v.optional(connectionIdSchema),
    userId: v.optional(userIdSchema),
    event: messageEventSchema,
    data: v.optional(v.unknown()),
  }),
  v.forward(
    v.check((request) => (request.connectionId === undefined) !== (request.userId === undefined), 'exactly one of connectionId and userId is required'),
    ['connectionId'],
  ),
);

/** A REST request that names nothing but its realm (`GET /api/socket/channels`, `/connections`). */
export const realmRequestSchema = request('request', realmField);

/** `channel:join` request. */
export type ChannelJoinRequest = v.InferOutput<typeof channelJoinRequestSchema>;
/** `channel:leave` request. */
export type ChannelLeaveRequest = v.InferOutput<typeof channelLeaveRequestSchema>;
/** `channel:publish` request. */
export type ChannelPublishRequest = v.InferOutput<typeof channelPublishRequestSchema>;
/** `POST /api/socket/broadcast` body. */
export type BroadcastRequest = v.InferOutput<typeof broadcastRequestSchema>;
/** `direct:send` request. */
export type DirectSendRequest = v.InferOutput<typeof directSendRequestSchema>;
