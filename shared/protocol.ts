import { CHANNEL_CLIENT_EVENTS, type ChannelClientEvents, type ChannelMessage, type ChannelServerEvents } from './channel-protocol.js';
import type { AckResult } from './ack.js';
import { OBJECT_CLIENT_EVENTS, type ObjectChangeRelay, type ObjectClientEvents, type ObjectServerEvents } from './object-protocol.js';
import type { Principal } from './principal.js';
import type { RealtimeEvent } from './realtime-event.js';
import { SESSION_CLIENT_EVENTS, type SessionClientEvents, type SessionServerEvents } from './session-protocol.js';
import { SYNC_CLIENT_EVENTS, type SyncClientEvents } from './sync-protocol.js';
import { TOPIC_CLIENT_EVENTS, type TopicClientEvents, type TopicServerEvents } from './topic-protocol.js';
import { RPC_CLIENT_EVENTS, type RpcClientEvents, type RpcResponseRelay, type RpcServerEvents } from './rpc-protocol.js';
import { LISTENING_CLIENT_EVENTS, type ListeningClientEvents, type ListeningServerEvents } from './listening-protocol.js';
import { USER_PRESENCE_CLIENT_EVENTS, type UserPresenceClientEvents, type UserPresenceServerEvents } from './user-presence-protocol.js';
import { RECORD_CLIENT_EVENTS, type RecordClientEvents } from './record-protocol.js';

/**
 * Every event a client sends: the union of each feature's map. A feature adds its map here and its
 * names to {@link CLIENT_EVENT_NAMES}.
 */
export interface ClientToServerEvents
  extends TopicClientEvents,
    SyncClientEvents,
    ChannelClientEvents,
    ObjectClientEvents,
    SessionClientEvents,
    RpcClientEvents,
    ListeningClientEvents,
    UserPresenceClientEvents,
    RecordClientEvents {}

/** The request a client-to-server event carries (its first argument). */
export type RequestOf<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];

/** The data a client-to-server event is acknowledged with (on success). */
export type ResultOf<E extends keyof ClientToServerEvents> =
  NonNullable<Parameters<ClientToServerEvents[E]>[1]> extends (result: AckResult<infer T>) => void ? T : never;

/** Every event the server sends. */
export interface ServerToClientEvents
  extends TopicServerEvents,
    ChannelServerEvents,
    SessionServerEvents,
    ObjectServerEvents,
    RpcServerEvents,
    ListeningServerEvents,
    UserPresenceServerEvents {}

/** Events between server nodes (through the adapter). */
export interface InterServerEvents {
  /** A published event to be delivered by every node to its local subscribers. */
  'topic:event': (event: RealtimeEvent) => void;
  /** A channel message to be delivered by every node to its local members. */
  'channel:message': (relay: ChannelMessageRelay) => void;
  /** An object, area, realm or pub/sub change to be delivered by every node to its own feeds and subscribers. */
  'objects:change': (change: ObjectChangeRelay) => void;
  /** A provider's answer to an RPC call, on its way to the node that made the call. */
  'rpc:response': (relay: RpcResponseRelay) => void;
  /** A connection that provided RPCs closed: the nodes fail the calls they gave it. */
  'rpc:provider-lost': (connectionId: string) => void;
  /** A topic's registry entry (its active schema) changed: the nodes drop what they cached of it. */
  'registry:changed': (change: { realm: string; topic: string }) => void;
  /** A signing key was created, rotated or (de)activated: the nodes re-read the keys. */
  'keys:changed': () => void;
  /**
   * Which of its rooms start with this prefix (listening's subscribed streams), asked of every node
   * when the adapter cannot list all rooms itself (the sharded one).
   */
  'listening:rooms': (prefix: string, answer: (rooms: string[]) => void) => void;
}

/**
 * A channel message on its way to the other nodes, with the connection that must not get it
 * (the sender, with `excludeSelf`).
 *
 * @example
 * io.serverSideEmit('channel:message', { message, exceptConnectionId: socket.id });
 */
export interface ChannelMessageRelay {
  message: ChannelMessage;
  exceptConnectionId?: string;
}

/** What the server keeps on each socket. */
export interface SocketData {
  /**
   * Who the connection acts as. Unset only while a connection that opened without a token waits
   * for its `auth:login`; no handler that reads it is registered on such a connection until then.
   */
  principal: Principal;
  /** The patterns this connection listens on (`listen:add`), read by every node that offers a stream. */
  listens?: ListenEntry[];
}

/**
 * One listen registration of a connection, kept on the socket so that any node finds it with
 * `fetchSockets()`.
 *
 * @example
 * const entry: ListenEntry = { realm: 'demo', kind: 'topic', pattern: 'prices.*' };
 */
export interface ListenEntry {
  realm: string;
  kind: 'topic' | 'record';
  pattern: string;
}

/** The names of every client-to-server event, for answering unknown ones at runtime. */
export const CLIENT_EVENT_NAMES = [
  ...TOPIC_CLIENT_EVENTS,
  ...SYNC_CLIENT_EVENTS,
  ...CHANNEL_CLIENT_EVENTS,
  ...OBJECT_CLIENT_EVENTS,
  ...SESSION_CLIENT_EVENTS,
  ...RPC_CLIENT_EVENTS,
  ...LISTENING_CLIENT_EVENTS,
  ...USER_PRESENCE_CLIENT_EVENTS,
  ...RECORD_CLIENT_EVENTS,
] as const;
