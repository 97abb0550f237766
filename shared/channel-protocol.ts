import type { StreamPosition } from './stream-position.js';
import type { Ack } from './ack.js';
import type { ObjectPresence } from './data-provider.js';
import type { ErrorShape } from './error-codes.js';
import type { DocumentRef, PresenceEvent, PresenceMember } from './presence.js';
import type { ChannelJoinRequest, ChannelLeaveRequest, ChannelPublishRequest, DirectSendRequest } from './schemas/channel-schemas.js';
import type {
  DocumentCloseRequest,
  DocumentOpenRequest,
  ObjectStatusRequest,
  PresenceTargetRequest,
  PresenceUpdateRequest,
} from './schemas/presence-schemas.js';

/**
 * Who sent a channel or direct message: the sending user and connection. `connectionId` is `null`
 * for messages sent by a backend over REST.
 *
 * @example
 * const from: MessageSender = { userId: 'alice', connectionId: 'Zk3...' };
 */
export interface MessageSender {
  userId: string;
  connectionId: string | null;
}

/**
 * A message published to a channel, as every member receives it.
 *
 * @example
 * client.socketClient.on('message', ({ channel, event, data, from }) => render(channel, event, data, from.userId));
 */
export interface ChannelMessage {
  realm: string;
  channel: string;
  event: string;
  data: unknown;
  from: MessageSender;
  /** When the server accepted the message, Unix ms. */
  timestamp: number;
  /** The channel stream's epoch; with `offset`, this message's position (for recovery). */
  epoch?: string;
  /** The message's position in its channel's stream. */
  offset?: string;
}

/**
 * A direct message, to one connection or to every connection of a user.
 *
 * @example
 * client.socketClient.on('direct', ({ event, data, from }) => reply(from.connectionId, event, data));
 */
export interface DirectMessage {
  realm: string;
  event: string;
  data: unknown;
  from: MessageSender;
  timestamp: number;
}

/**
 * What `channel:join` confirms. `presence` tells whether this connection appears in the channel's
 * presence (it needs `P`); `members` (the current members, this one included) is present only then.
 */
export interface ChannelJoinResult {
  realm: string;
  channel: string;
  member: PresenceMember;
  presence: boolean;
  members?: PresenceMember[];
  /** The channel stream's latest position when the join took effect (absent without history). */
  position?: StreamPosition;
  /**
   * With `since`: whether every missed message was sent. `false` when the history no longer
   * covers the gap (nothing of it is sent then).
   */
  recovered?: boolean;
}

/** What `channel:leave` confirms; `left` is false when the connection was not a member. */
export interface ChannelLeaveResult {
  realm: string;
  channel: string;
  left: boolean;
}

/** What `channel:publish` confirms. */
export interface ChannelPublishResult {
  realm: string;
  channel: string;
  event: string;
  timestamp: number;
}

/** What `direct:send` confirms: how many connections the message was sent to. */
export interface DirectSendResult {
  realm: string;
  recipients: number;
}

/** What `presence:list` answers. */
export interface PresenceListResult {
  realm: string;
  members: PresenceMember[];
}

/** What `presence:update` confirms. */
export interface PresenceUpdateResult {
  realm: string;
  member: PresenceMember;
}

/** What `document:open` confirms: this member and everyone who has the document open. */
export interface DocumentOpenResult {
  realm: string;
  document: DocumentRef;
  member: PresenceMember;
  members: PresenceMember[];
}

/** What `document:close` confirms; `closed` is false when the document was not open. */
export interface DocumentCloseResult {
  realm: string;
  document: DocumentRef;
  closed: boolean;
}

/**
 * Channel, direct-message and presence requests a client sends.
 */
export interface ChannelClientEvents {
  'channel:join': (request: ChannelJoinRequest, ack: Ack<ChannelJoinResult>) => void;
  'channel:leave': (request: ChannelLeaveRequest, ack: Ack<ChannelLeaveResult>) => void;
  'channel:publish': (request: ChannelPublishRequest, ack: Ack<ChannelPublishResult>) => void;
  'direct:send': (request: DirectSendRequest, ack: Ack<DirectSendResult>) => void;
  'presence:list': (request: PresenceTargetRequest, ack: Ack<PresenceListResult>) => void;
  'presence:update': (request: PresenceUpdateRequest, ack: Ack<PresenceUpdateResult>) => void;
  'presence:status': (request: ObjectStatusRequest, ack: Ack<ObjectPresence>) => void;
  'document:open': (request: DocumentOpenRequest, ack: Ack<DocumentOpenResult>) => void;
  'document:close': (request: DocumentCloseRequest, ack: Ack<DocumentCloseResult>) => void;
}

/** The names of {@link ChannelClientEvents}, for recognising known events at runtime. */
export const CHANNEL_CLIENT_EVENTS = [
  'channel:join',
  'channel:leave',
  'channel:publish',
  'direct:send',
  'presence:list',
  'presence:update',
  'presence:status',
  'document:open',
  'document:close',
] as const satisfies ReadonlyArray<keyof ChannelClientEvents>;

/** Channel, direct-message and presence events the server sends. */
export interface ChannelServerEvents {
  /** A message published to a channel this connection joined. */
  'channel:message': (message: ChannelMessage) => void;
  /** A direct message to this connection (or to its user). */
  'direct:message': (message: DirectMessage) => void;
  /** Another member joined, left or updated its state in a set this connection is in. */
  'presence:changed': (event: PresenceEvent) => void;
  /** The server took a channel membership (or its presence) away, e.g. after a token refresh narrowed it. */
  'channel:revoked': (notice: ChannelRevokedNotice) => void;
  /** The server closed an open document (its presence), e.g. after a token refresh narrowed it. */
  'document:revoked': (notice: DocumentRevokedNotice) => void;
}

/**
 * Sent when the server ends a channel membership on its own. `left: true`: the connection is no
 * longer a member (`R` is gone). `left: false`: it is still a member and receives messages, but no
 * longer appears in (or sees) presence (`P` is gone). `error` is `FORBIDDEN` with details
 * `{ realm, resource, permission }`.
 *
 * @example
 * socket.on('channel:revoked', ({ channel, left }) => { if (left) forget(channel); });
 */
export interface ChannelRevokedNotice {
  realm: string;
  channel: string;
  left: boolean;
  error: ErrorShape;
}

/**
 * Sent when the server removes a connection from a document's presence on its own (`P` is gone).
 * `error` is `FORBIDDEN` with details `{ realm, resource, permission }`.
 *
 * @example
 * socket.on('document:revoked', ({ document }) => forget(document));
 */
export interface DocumentRevokedNotice {
  realm: string;
  document: DocumentRef;
  error: ErrorShape;
}
