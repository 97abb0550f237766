/**
 * A member's small presence state (cursor, status, ...): a JSON object, size-limited by the server
 * (`MAX_PRESENCE_STATE_BYTES`).
 *
 * @example
 * const state: PresenceState = { status: 'typing', cursor: { line: 3 } };
 */
export type PresenceState = Record<string, unknown>;

/**
 * One connection in a presence set (a channel, or the connections that have a document open). A
 * user with several connections appears once per connection.
 *
 * @example
 * const member: PresenceMember = { userId: 'alice', connectionId: 'Zk3...', joinedAt: 1710000000000, state: {} };
 */
export interface PresenceMember {
  userId: string;
  connectionId: string;
  /** When this connection joined, Unix ms. */
  joinedAt: number;
  state: PresenceState;
}

/**
 * A sync document whose presence is asked about: `doc/<service>/<id>`.
 *
 * @example
 * const ref: DocumentRef = { service: 'notes', id: 'n1' };
 */
export interface DocumentRef {
  service: string;
  id: string;
}

/**
 * Where presence is kept: a channel by name, or a document.
 *
 * @example
 * const target: PresenceTarget = 'lobby';
 * const other: PresenceTarget = { service: 'notes', id: 'n1' };
 */
export type PresenceTarget = string | DocumentRef;

/**
 * Why a member left: `left` (leaveChannel / closeDocument), `disconnected`, `expired` (its server
 * node died), or `revoked` (its refreshed token no longer allows it to be there).
 */
export type PresenceLeaveReason = 'left' | 'disconnected' | 'expired' | 'revoked';

/** What every presence event carries. Exactly one of `channel` and `document` is set. */
export interface PresenceEventBase {
  realm: string;
  channel?: string;
  document?: DocumentRef;
  member: PresenceMember;
}

/** A connection joined. `userJoined` is true when it is the user's first connection in the set. */
export interface PresenceJoinEvent extends PresenceEventBase {
  type: 'join';
  userJoined: boolean;
}

/** A connection left. `userLeft` is true when it was the user's last connection in the set. */
export interface PresenceLeaveEvent extends PresenceEventBase {
  type: 'leave';
  userLeft: boolean;
  reason: PresenceLeaveReason;
}

/** A member changed its state; `member.state` is the new state. */
export interface PresenceUpdateEvent extends PresenceEventBase {
  type: 'update';
}

/**
 * A presence change, delivered to the other members of the set that may read presence (`P`).
 *
 * @example
 * client.socketClient.on('presence', (event) => {
 *   if (event.type === 'join' && event.userJoined) console.log(`${event.member.userId} is here`);
 * });
 */
export type PresenceEvent = PresenceJoinEvent | PresenceLeaveEvent | PresenceUpdateEvent;
