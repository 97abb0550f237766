import {
  ALL_REALMS,
  NotFoundError,
  type ChannelMessage,
  type DirectMessage,
  type MessageSender,
  type RealtimeEvent,
  type StreamPosition,
} from '../../shared/index.js';
import type { Logger } from 'pino';
import type { EventHistory } from '../history/event-history.js';
import type { ResolvedLimits } from '../config.js';
import { channelRoom } from '../presence/presence-set.js';
import type { PresenceService } from '../presence/presence-service.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { RealtimeIo } from '../socket-types.js';

/** A channel message to send. */
export interface BroadcastRequest {
  channel: string;
  event: string;
  data?: unknown;
}

/** How {@link ChannelMessenger.broadcast} sends. */
export interface BroadcastOptions {
  /** A connection that does not get the message (the sender, with `excludeSelf`). */
  exceptConnectionId?: string;
}

/** A direct message to send: to one connection, or to every connection of a user in the realm. */
export type DirectRequest = ({ connectionId: string; userId?: undefined } | { userId: string; connectionId?: undefined }) & {
  event: string;
  data?: unknown;
};

/** A message the messenger sent, as {@link ChannelMessenger.onSent} listeners see it. */
export type SentMessage =
  | { kind: 'channel'; message: ChannelMessage }
  | { kind: 'direct'; message: DirectMessage; to: { userId: string } | { connectionId: string }; recipients: number };

/**
 * Sends channel and direct messages, for sockets and for REST alike, checking sizes the same way
 * for both. It checks no permission: the channel operations declare what they need (see
 * `channel-operations.ts`) and the permission gate checks it first.
 *
 * Channel messages go to the channel's Socket.IO room and direct messages to socket-id rooms, so
 * the adapter carries them to members on every node. Direct-message targets are looked up in the
 * presence store (every node's connections), so a message to a connection or user that is not
 * there answers `NOT_FOUND` instead of vanishing.
 *
 * @example
 * messenger.broadcast('demo', { channel: 'lobby', event: 'chat', data: { text: 'hi' } }, from);
 * await messenger.direct('demo', { userId: 'bob', event: 'ping' }, from);
 */
export class ChannelMessenger {
  constructor(
    private readonly io: RealtimeIo,
    private readonly presence: PresenceService,
    private readonly limits: ResolvedLimits,
    /** Recent messages per channel, so members who were briefly away get what they missed. */
    private readonly history: EventHistory,
    private readonly logger: Logger,
  ) {}

  private readonly sentListeners = new Set<(sent: SentMessage) => void>();

  /**
   * Calls `listener` with every message sent (after it went out). It runs on the realtime path: it
   * must return at once and never throw (webhooks only queue the message). Returns its disposer.
   */
  onSent(listener: (sent: SentMessage) => void): () => void {
    this.sentListeners.add(listener);
    return () => this.sentListeners.delete(listener);
  }

  private notifySent(sent: SentMessage): void {
    for (const listener of this.sentListeners) {
      try {
        listener(sent);
      } catch {
        // Listeners report their own failures; a message already sent stays sent.
      }
    }
  }

  /**
   * Publishes to every member of a channel, except `options.exceptConnectionId` when given.
   * Resolves with the message as members receive it.
   */
  async broadcast(realm: string, request: BroadcastRequest, from: MessageSender, options: BroadcastOptions = {}): Promise<ChannelMessage> {
    const { exceptConnectionId } = options;
    assertPayloadSize(request.data, this.limits.maxPayloadBytes, 'data');
    const message: ChannelMessage = {
      realm,
      channel: request.channel,
      event: request.event,
      data: request.data ?? null,
      from,
      timestamp: Date.now(),
    };
    try {
      const { epoch, offset } = await this.history.append(historyEntry(message));
      message.epoch = epoch;
      message.offset = offset;
    } catch (err) {
      this.logger.warn({ err, realm, channel: request.channel }, 'channel history unavailable; sending without a position');
    }
    const room = this.io.to(channelRoom(realm, request.channel));
    (exceptConnectionId === undefined ? room : room.except(exceptConnectionId)).emit('channel:message', message);
    if (this.sentListeners.size > 0) this.notifySent({ kind: 'channel', message });
    return message;
  }

  /**
   * Sends a direct message (needs `C` on `user/<userId>` of the recipient); resolves with the
   * number of connections it was sent to.
   *
   * @throws NotFoundError when the connection is unknown or not granted the realm, or the user has
   *   no connection in the realm.
   */
  /**
   * The messages of a channel after `since`, for a member re-joining after a reconnect, and the
   * channel's latest position. `recovered` is false when the history no longer covers the gap.
   */
  async replay(realm: string, channel: string, since: StreamPosition): Promise<{ recovered: boolean; messages: ChannelMessage[] }> {
    try {
      const replay = await this.history.since(realm, historyStream(channel), since);
      const messages = replay.events.map((event) => ({
        ...(event.payload as unknown as ChannelMessage),
        ...(event.metadata.epoch === undefined ? {} : { epoch: event.metadata.epoch }),
        ...(event.metadata.offset === undefined ? {} : { offset: event.metadata.offset }),
      }));
      return { recovered: replay.recovered, messages };
    } catch (err) {
      this.logger.warn({ err, realm, channel }, 'channel history unavailable; re-joined without recovery');
      return { recovered: false, messages: [] };
    }
  }

  /** The channel stream's latest position, if the history can tell. */
  async head(realm: string, channel: string): Promise<StreamPosition | undefined> {
    try {
      return await this.history.head(realm, historyStream(channel));
    } catch {
      return undefined;
    }
  }

  /**
   * The user behind a connection in the realm, for the check of `C` on `user/<id>` before a
   * direct message to a connection.
   *
   * @throws NotFoundError when no such connection is in the realm.
   */
  async connectionUser(realm: string, connectionId: string): Promise<string> {
    return (await this.connectionIn(realm, connectionId)).userId;
  }

  private async connectionIn(realm: string, connectionId: string) {
    const connection = await this.presence.connection(connectionId);
    if (connection === undefined || !(connection.realms.includes(realm) || connection.realms.includes(ALL_REALMS))) {
      throw new NotFoundError(`No connection "${connectionId}" in realm "${realm}"`, { details: { connectionId, realm } });
    }
    return connection;
  }

  /**
   * Sends a direct message to one connection or to every connection of a user in the realm;
   * resolves with the number of connections it went to.
   *
   * @throws NotFoundError when the user has no connection, or the connection is not, in the realm.
   */
  async direct(realm: string, request: DirectRequest, from: MessageSender): Promise<number> {
    let recipients: string[];
    if (request.userId !== undefined) {
      assertPayloadSize(request.data, this.limits.maxPayloadBytes, 'data');
      const connections = await this.presence.userConnections(realm, request.userId);
      if (connections.length === 0) {
        throw new NotFoundError(`User "${request.userId}" has no connection in realm "${realm}"`, {
          details: { userId: request.userId, realm },
        });
      }
      recipients = connections.map((connection) => connection.connectionId);
    } else {
      const connection = await this.connectionIn(realm, request.connectionId);
      assertPayloadSize(request.data, this.limits.maxPayloadBytes, 'data');
      recipients = [connection.connectionId];
    }
    const message: DirectMessage = { realm, event: request.event, data: request.data ?? null, from, timestamp: Date.now() };
    this.io.to(recipients).emit('direct:message', message);
    if (this.sentListeners.size > 0) {
      const to = request.userId !== undefined ? { userId: request.userId } : { connectionId: request.connectionId };
      this.notifySent({ kind: 'direct', message, to, recipients: recipients.length });
    }
    return recipients.length;
  }
}

/** Channel messages share the topic history, in streams of their own: `channel:<name>`. */
function historyStream(channel: string): string {
  return `channel:${channel}`;
}

function historyEntry(message: ChannelMessage): RealtimeEvent {
  return {
    id: '',
    topic: historyStream(message.channel),
    source: 'socket',
    type: message.event,
    payload: message as unknown as Record<string, unknown>,
    metadata: { timestamp: message.timestamp, realm: message.realm },
  };
}
