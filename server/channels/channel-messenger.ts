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
import { channelStream, type ChannelDelivery, type ChannelRecovery } from './channel-delivery.js';
import type { PresenceService } from '../presence/presence-service.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';

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
 * Channel messages go to the channel's members on every node through {@link ChannelDelivery},
 * which also replays what a re-joining member missed; direct messages go to socket-id rooms, which
 * the adapter carries to every node. Direct-message targets are looked up in the
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
    /** Sends channel messages to members on every node, and replays a re-joining member's gap. */
    private readonly delivery: ChannelDelivery,
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
    this.delivery.send(message, exceptConnectionId);
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
   * Re-joins a channel after a reconnect: runs `join` with the channel's live messages held for
   * this connection, sends it the messages after `since` as ordinary `channel:message` frames,
   * then the held ones (see {@link ChannelDelivery.recover}).
   */
  recover<T>(socket: RealtimeSocket, realm: string, channel: string, since: StreamPosition, join: () => Promise<T>): Promise<ChannelRecovery<T>> {
    return this.delivery.recover(socket, realm, channel, since, join);
  }

  /** The messages of a channel kept after `since` (see {@link ChannelDelivery.replay}). */
  replay(realm: string, channel: string, since: StreamPosition): Promise<{ recovered: boolean; messages: ChannelMessage[] }> {
    return this.delivery.replay(realm, channel, since);
  }

  /** The channel stream's latest position, if the history can tell. */
  head(realm: string, channel: string): Promise<StreamPosition | undefined> {
    return this.delivery.head(realm, channel);
  }

  /** Forgets a connection's holds (on disconnect). */
  dropSocket(socketId: string): void {
    this.delivery.dropSocket(socketId);
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

function historyEntry(message: ChannelMessage): RealtimeEvent {
  return {
    id: '',
    topic: channelStream(message.channel),
    source: 'socket',
    type: message.event,
    payload: message as unknown as Record<string, unknown>,
    metadata: { timestamp: message.timestamp, realm: message.realm },
  };
}
