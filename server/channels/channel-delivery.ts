import type { Logger } from 'pino';
import type { ChannelMessage, ChannelMessageRelay, StreamPosition } from '../../shared/index.js';
import { DeliveryHolds } from '../events/delivery-holds.js';
import type { EventHistory } from '../history/event-history.js';
import { channelRoom } from '../presence/presence-set.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';

/** What the delivery is built from. */
export interface ChannelDeliveryOptions {
  io: RealtimeIo;
  /** Where channel messages are kept (streams `channel:<name>`), for replays. */
  history: EventHistory;
  logger: Logger;
  /**
   * Whether other nodes share this server through an adapter (Redis); a lone node skips
   * `serverSideEmit`, which the in-memory adapter does not support.
   * @default false
   */
  clustered?: boolean;
}

/** What {@link ChannelDelivery.recover} answers: the join's own result, and whether the gap was covered. */
export interface ChannelRecovery<T> {
  joined: T;
  recovered: boolean;
}

/**
 * Delivers channel messages to the members connected to every node, and sends a re-joining member
 * the messages it missed as ordinary `channel:message` frames, before any live one.
 *
 * Why this exists: a re-join puts the connection in the channel's room before it reads the history
 * (so nothing published in between is lost), which means live messages can arrive while the replay
 * is being read. Each node delivers to its own members (other nodes get the message through
 * `serverSideEmit`, as topic events do), so it can hold a re-joining connection's live messages in
 * {@link DeliveryHolds} and release them after the replay, minus what the replay already sent: the
 * member sees its gap, then live messages, in order and once. This is the model of topic recovery
 * (`EventPublisher.recover`); the client only drops a duplicate by offset.
 *
 * @example
 * delivery.send(message, { exceptConnectionId: socket.id });
 * const { joined, recovered } = await delivery.recover(socket, 'demo', 'lobby', since, () => presence.join(...));
 */
export class ChannelDelivery {
  private readonly holds = new DeliveryHolds<ChannelMessage>((message) => message.offset);
  private readonly io: RealtimeIo;
  private readonly history: EventHistory;
  private readonly logger: Logger;
  private readonly clustered: boolean;

  constructor(options: ChannelDeliveryOptions) {
    this.io = options.io;
    this.history = options.history;
    this.logger = options.logger;
    this.clustered = options.clustered ?? false;
    if (this.clustered) this.io.on('channel:message', ({ message, exceptConnectionId }) => this.deliverLocal(message, exceptConnectionId));
  }

  /** Sends a message to every member of its channel on every node, except `exceptConnectionId`. */
  send(message: ChannelMessage, exceptConnectionId?: string): void {
    this.deliverLocal(message, exceptConnectionId);
    if (this.clustered) {
      const relay: ChannelMessageRelay = { message, ...(exceptConnectionId === undefined ? {} : { exceptConnectionId }) };
      this.io.serverSideEmit('channel:message', relay);
    }
  }

  /**
   * Runs `join` (which puts the connection in the channel's room) with the channel's live messages
   * held for this connection, then sends what it missed after `since` and releases the held ones.
   * `recovered` is false when the history no longer covers the gap (nothing is replayed then).
   */
  async recover<T>(socket: RealtimeSocket, realm: string, channel: string, since: StreamPosition, join: () => Promise<T>): Promise<ChannelRecovery<T>> {
    const room = channelRoom(realm, channel);
    // Held before the join: the room is joined somewhere inside it, after an await.
    this.holds.acquire(socket.id, room);
    let last = since.offset;
    try {
      const joined = await join();
      const replay = await this.replay(realm, channel, since);
      for (const message of replay.messages) {
        last = message.offset ?? last;
        if (this.holds.markSent(socket.id, room, message)) socket.emit('channel:message', message);
      }
      return { joined, recovered: replay.recovered };
    } finally {
      const held = this.holds.release(socket.id, room, last);
      // Taken away meanwhile (a leave, a revocation): what was held is no longer this member's.
      if (socket.rooms.has(room)) for (const message of held) socket.emit('channel:message', message);
    }
  }

  /** The channel stream's latest position, if the history can tell. */
  async head(realm: string, channel: string): Promise<StreamPosition | undefined> {
    try {
      return await this.history.head(realm, channelStream(channel));
    } catch {
      return undefined;
    }
  }

  /** Forgets a connection's holds (on disconnect). */
  dropSocket(socketId: string): void {
    this.holds.dropSocket(socketId);
  }

  /**
   * Delivers a message to this node's members of its channel: one room broadcast, except the
   * excluded connection and those holding the channel for a replay (their copy waits in the hold).
   */
  private deliverLocal(message: ChannelMessage, exceptConnectionId?: string): void {
    const room = channelRoom(message.realm, message.channel);
    const except: string[] = exceptConnectionId === undefined ? [] : [exceptConnectionId];
    if (this.holds.active) {
      const members = this.io.of('/').adapter.rooms.get(room);
      for (const socketId of this.holds.holders(room)) {
        // Not in the room yet (the join is still on its way): the replay covers the message.
        if (socketId === exceptConnectionId || members?.has(socketId) !== true) continue;
        this.holds.offer(socketId, room, message);
        except.push(socketId);
      }
    }
    const target = this.io.local.to(room);
    (except.length === 0 ? target : target.except(except)).emit('channel:message', message);
  }

  /**
   * The messages of a channel after `since`, oldest first, as members receive them; `recovered` is
   * false when the history no longer covers the gap (no messages then).
   */
  async replay(realm: string, channel: string, since: StreamPosition): Promise<{ recovered: boolean; messages: ChannelMessage[] }> {
    try {
      const replay = await this.history.since(realm, channelStream(channel), since);
      const messages = replay.events.map((event) => ({
        ...(event.payload as unknown as ChannelMessage),
        ...(event.metadata.epoch === undefined ? {} : { epoch: event.metadata.epoch }),
        ...(event.metadata.offset === undefined ? {} : { offset: event.metadata.offset }),
      }));
      return { recovered: replay.recovered, messages };
    } catch (err) {
      // Without the history the gap cannot be covered; the membership itself stays live.
      this.logger.warn({ err, realm, channel }, 'channel history unavailable; re-joined without recovery');
      return { recovered: false, messages: [] };
    }
  }
}

/**
 * Channel messages share the topic history, in streams of their own: `channel:<name>`.
 *
 * @example
 * channelStream('lobby'); // 'channel:lobby'
 */
export function channelStream(channel: string): string {
  return `channel:${channel}`;
}
