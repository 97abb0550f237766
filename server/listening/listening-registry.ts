import type { Logger } from 'pino';
import {
  LimitExceededError,
  ListenerError,
  matchesPattern,
  type ListenEntry,
  type ListenKind,
  type ListenOffer,
  type ListenOfferAnswer,
} from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import { topicRoom } from '../events/subscription-index.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import { LocalSubscribers, streamKey } from './local-subscribers.js';
import type { ProviderLocks, StreamRef } from './provider-locks.js';

/** What the listening registry is built from. */
export interface ListeningRegistryOptions {
  io: RealtimeIo;
  limits: ResolvedLimits;
  logger: Logger;
  /** Who holds each stream: in memory alone, in Redis when clustered. */
  locks: ProviderLocks;
  /**
   * Whether other nodes share the adapter. With an adapter that cannot list every node's rooms
   * (the sharded one has no `allRooms`), the nodes answer each other's `listening:rooms`.
   * @default false
   */
  clustered?: boolean;
}

/**
 * The Socket.IO room of a stream's subscribers, as listening sees them: `listen:provider`
 * notices go there. A topic's is the topic's own room (its subscribers are in it already); a
 * record's is one of listening's. Room names always start with the realm.
 *
 * @example
 * listeningRoom({ realm: 'demo', kind: 'record', name: 'user/lisa' }); // 'demo:listen:record:user/lisa'
 * listeningRoom({ realm: 'demo', kind: 'topic', name: 'prices.eur' }); // 'demo:topic:prices.eur'
 */
export function listeningRoom({ realm, kind, name }: StreamRef): string {
  return kind === 'topic' ? topicRoom(realm, name) : `${realm}:listen:${kind}:${name}`;
}

/** The kinds of stream whose subscribers listening keeps in rooms of its own (a topic's are in the topic's room). */
type RoomlessKind = Exclude<ListenKind, 'topic'>;

/** The room of a realm's listeners of one kind. */
function listenersRoom(realm: string, kind: ListenKind): string {
  return `${realm}:listeners:${kind}`;
}

/**
 * Listening (deepstream's active data providers): a connection listens on a pattern; when a
 * stream (a topic, or a record) that matches it gains its first subscriber anywhere in the
 * cluster, one listener is offered it, and the first to accept becomes its one provider until the
 * last subscriber leaves (`listen:stop`) or the provider goes away (then the stream is offered
 * again).
 *
 * Why it is built on rooms: subscribers of a stream are in its {@link listeningRoom} and
 * listeners in their realm's listeners room, with their patterns on the socket
 * (`socket.data.listens`), so any node finds both with `fetchSockets()` through the adapter
 * (Redis when clustered) and offers a stream to a listener on any node with `emitWithAck`. The
 * one thing that must be decided once for the whole cluster, who holds a stream, is a
 * compare-and-set lock ({@link ProviderLocks}). Each node counts its own subscribers
 * ({@link LocalSubscribers}); a node that sees its first subscriber of a stream checks the holder
 * (replacing one whose connection is gone, e.g. on a dead node) and offers the stream; a node
 * that sees its last one checks the whole room and, when it is empty, frees the stream and tells
 * the provider to stop. A listener that leaves (unlisten or disconnect) has its node tell every
 * node, and the streams it held are freed and offered again.
 *
 * Who tells it of subscribers: the records feature calls {@link subscriberAdded} and
 * {@link subscriberRemoved} for each record subscription (kind `record`), and listening keeps
 * their counts and rooms. Topic subscribers are in their topic's room already and the
 * subscription index counts them, so the topic operations only report a topic's first subscriber
 * on this node and its last ({@link streamOpened}, {@link streamClosed}): an idle connection's
 * topics cost listening nothing.
 *
 * @example
 * listening.subscriberAdded('demo', 'record', 'user/lisa', socket.id);
 * listening.subscriberRemoved('demo', 'record', 'user/lisa', socket.id);
 * listening.streamOpened({ realm: 'demo', kind: 'topic', name: 'prices.eur' });
 */
export class ListeningRegistry {
  private readonly local = new LocalSubscribers();
  /**
   * Streams with an offer round running on this node, and whether another was asked for
   * meanwhile (a listener that came during the round may not have been among its candidates).
   */
  private readonly offering = new Map<string, boolean>();
  private closed = false;

  constructor(private readonly options: ListeningRegistryOptions) {
    if (options.clustered === true) {
      options.io.on('listening:rooms', (prefix, answer) => {
        if (typeof prefix === 'string' && typeof answer === 'function') answer(this.localRooms(prefix));
      });
    }
  }

  /**
   * A connection on this node subscribed to a stream (call once per subscription). Its first
   * subscription joins the stream's room; this node's first subscriber makes sure the stream has
   * a provider, offering it to a listener when it has none.
   */
  subscriberAdded(realm: string, kind: RoomlessKind, name: string, connectionId: string): void {
    const stream: StreamRef = { realm, kind, name };
    const change = this.local.add(stream, connectionId);
    if (change.connectionChanged) void this.options.io.sockets.sockets.get(connectionId)?.join(listeningRoom(stream));
    if (change.nodeChanged) this.background('offer', this.offer(stream));
  }

  /** A connection on this node ended one subscription to a stream. */
  subscriberRemoved(realm: string, kind: RoomlessKind, name: string, connectionId: string): void {
    const stream: StreamRef = { realm, kind, name };
    const change = this.local.remove(stream, connectionId);
    if (change === undefined) return;
    if (change.connectionChanged) void this.options.io.sockets.sockets.get(connectionId)?.leave(listeningRoom(stream));
    if (change.nodeChanged) this.streamClosed(stream);
  }

  /**
   * A stream whose subscribers the caller keeps in its {@link listeningRoom} (a topic) has its
   * first subscriber on this node, already in the room: it gets a provider when it has none.
   */
  streamOpened(stream: StreamRef): void {
    this.background('offer', this.offer(stream));
  }

  /**
   * A stream's last subscriber on this node is gone, and out of its {@link listeningRoom}: when
   * nobody anywhere subscribes, its provider is told to stop.
   */
  streamClosed(stream: StreamRef): void {
    this.background('stop', this.stopIfUnsubscribed(stream));
  }

  /**
   * Makes `socket` a listener on `pattern` (`LISTENER_EXISTS` when it already is, `LIMIT_EXCEEDED`
   * beyond `maxListensPerConnection`), and offers it the matching streams that have subscribers
   * and no provider now.
   */
  listen(socket: RealtimeSocket, realm: string, kind: ListenKind, pattern: string): void {
    const listens = (socket.data.listens ??= []);
    if (listens.some((entry) => sameEntry(entry, { realm, kind, pattern }))) {
      throw new ListenerError('LISTENER_EXISTS', `This connection already listens on ${kind} pattern "${pattern}"`, {
        details: { kind, pattern },
      });
    }
    const limit = this.options.limits.maxListensPerConnection;
    if (listens.length >= limit) throw new LimitExceededError(`A connection may listen on at most ${limit} patterns`, { details: { limit } });
    listens.push({ realm, kind, pattern });
    void socket.join(listenersRoom(realm, kind));
    this.background('offer existing', this.offerExisting(socket.id, { realm, kind, pattern }));
  }

  /**
   * Ends a listen (`NOT_LISTENING` when there is none); the streams it provides are freed and
   * offered to the other listeners.
   */
  unlisten(socket: RealtimeSocket, realm: string, kind: ListenKind, pattern: string): void {
    const listens = socket.data.listens ?? [];
    const index = listens.findIndex((entry) => sameEntry(entry, { realm, kind, pattern }));
    if (index < 0) {
      throw new ListenerError('NOT_LISTENING', `This connection does not listen on ${kind} pattern "${pattern}"`, { details: { kind, pattern } });
    }
    listens.splice(index, 1);
    if (!listens.some((entry) => entry.realm === realm && entry.kind === kind)) void socket.leave(listenersRoom(realm, kind));
    this.background('hand over', this.handOver(socket.id, { realm, kind, pattern }));
  }

  /** Whether a stream has a provider now (one whose connection is still open). */
  async hasProvider(realm: string, kind: ListenKind, name: string): Promise<boolean> {
    const stream: StreamRef = { realm, kind, name };
    const holder = await this.options.locks.holder(stream);
    return holder !== undefined && (await this.connected(holder.connectionId));
  }

  /**
   * A closed connection: its record subscriptions end (streams left without subscribers stop; its
   * topics' are reported by the topic feature) and the streams it provided are offered again.
   */
  connectionClosed(socket: RealtimeSocket): void {
    for (const stream of this.local.removeConnection(socket.id)) this.streamClosed(stream);
    for (const entry of socket.data.listens ?? []) this.background('hand over', this.handOver(socket.id, entry));
  }

  /** Offers a stream, when it has subscribers and no live provider, to the matching listeners in turn (or to `only`). */
  private async offer(stream: StreamRef, only?: string): Promise<void> {
    if (this.closed) return;
    const key = streamKey(stream);
    if (this.offering.has(key)) {
      this.offering.set(key, true);
      return;
    }
    this.offering.set(key, false);
    try {
      const { locks, io, limits } = this.options;
      const holder = await locks.holder(stream);
      if (holder !== undefined) {
        if (await this.connected(holder.connectionId)) return;
        if (await locks.release(stream, holder.connectionId)) this.announce(stream, false);
      }
      if (!(await this.hasSubscribers(stream))) return;
      for (const candidate of await this.candidates(stream, only)) {
        if (this.closed) return;
        const offer: ListenOffer = { ...stream, pattern: candidate.pattern };
        const answers = await io
          .to(candidate.connectionId)
          .timeout(limits.listenAcceptTimeoutMs)
          .emitWithAck('listen:offer', offer)
          .catch((): ListenOfferAnswer[] => []);
        if (answers[0]?.accepted !== true) continue;
        const taken = await locks.acquire(stream, candidate);
        if (taken === 'refused') {
          io.to(candidate.connectionId).emit('listen:stop', { ...offer, reason: 'taken' });
          return;
        }
        // Offered twice at once (by two nodes): the other round announced it.
        if (taken === 'held') return;
        if (!(await this.hasSubscribers(stream))) {
          await locks.release(stream, candidate.connectionId);
          io.to(candidate.connectionId).emit('listen:stop', { ...offer, reason: 'no-subscribers' });
          return;
        }
        this.announce(stream, true);
        return;
      }
    } finally {
      const again = this.offering.get(key) === true;
      this.offering.delete(key);
      if (again) this.background('offer', this.offer(stream));
    }
  }

  /** After this node's last subscriber of a stream left: when nobody anywhere subscribes, the provider stops. */
  private async stopIfUnsubscribed(stream: StreamRef): Promise<void> {
    if (this.closed || (await this.hasSubscribers(stream))) return;
    const { locks, io } = this.options;
    const holder = await locks.holder(stream);
    if (this.closed || holder === undefined || !(await locks.release(stream, holder.connectionId))) return;
    io.to(holder.connectionId).emit('listen:stop', { ...stream, pattern: holder.pattern, reason: 'no-subscribers' });
    // A subscriber that came meanwhile saw the old provider; make sure it gets a new one.
    if (await this.hasSubscribers(stream)) await this.offer(stream);
  }

  /** A listener left a pattern (or closed): free the streams it holds through it, and offer them again. */
  private async handOver(connectionId: string, entry: ListenEntry): Promise<void> {
    for (const stream of await this.subscribedStreams(entry)) {
      const holder = await this.options.locks.holder(stream);
      if (holder?.connectionId !== connectionId || holder.pattern !== entry.pattern) continue;
      if (!(await this.options.locks.release(stream, connectionId))) continue;
      this.announce(stream, false);
      await this.offer(stream);
    }
  }

  /** Offers a new listener the matching streams that have subscribers and no provider. */
  private async offerExisting(connectionId: string, entry: ListenEntry): Promise<void> {
    for (const stream of await this.subscribedStreams(entry)) await this.offer(stream, connectionId);
  }

  /** The streams of the entry's realm and kind that somebody subscribes to (on any node) and that match its pattern. */
  private async subscribedStreams(entry: ListenEntry): Promise<StreamRef[]> {
    const prefix = listeningRoom({ realm: entry.realm, kind: entry.kind, name: '' });
    const rooms = await this.roomsEverywhere(prefix);
    const streams: StreamRef[] = [];
    for (const room of rooms) {
      if (!room.startsWith(prefix)) continue;
      const name = room.slice(prefix.length);
      if (matchesPattern(entry.pattern, name)) streams.push({ realm: entry.realm, kind: entry.kind, name });
    }
    return streams;
  }

  /**
   * Every node's rooms starting with `prefix`: the classic Redis adapter lists them itself
   * (`allRooms`); otherwise this node's, and, clustered, the other nodes' answers to
   * `listening:rooms` (those that answered within the adapter's timeout).
   */
  private async roomsEverywhere(prefix: string): Promise<Iterable<string>> {
    const adapter = this.options.io.of('/').adapter as unknown as { allRooms?: () => Promise<Set<string>> };
    if (typeof adapter.allRooms === 'function') return adapter.allRooms();
    const rooms = new Set(this.localRooms(prefix));
    if (this.options.clustered !== true) return rooms;
    const answers = await new Promise<string[][]>((resolve) => {
      this.options.io.serverSideEmit('listening:rooms', prefix, (_err: Error | null, responses: string[][]) => resolve(responses));
    });
    for (const answer of answers) if (Array.isArray(answer)) for (const room of answer) if (typeof room === 'string') rooms.add(room);
    return rooms;
  }

  /** This node's rooms starting with `prefix`. */
  private localRooms(prefix: string): string[] {
    const rooms: string[] = [];
    for (const room of this.options.io.of('/').adapter.rooms.keys()) if (room.startsWith(prefix)) rooms.push(room);
    return rooms;
  }

  /** The listeners a stream can be offered to, each once (its first matching pattern), starting at a random one. */
  private async candidates(stream: StreamRef, only?: string): Promise<{ connectionId: string; pattern: string }[]> {
    const target = only ?? listenersRoom(stream.realm, stream.kind);
    const sockets = await this.options.io.in(target).fetchSockets();
    const found: { connectionId: string; pattern: string }[] = [];
    for (const socket of sockets) {
      const entry = (socket.data.listens ?? []).find(
        (listen) => listen.realm === stream.realm && listen.kind === stream.kind && matchesPattern(listen.pattern, stream.name),
      );
      if (entry !== undefined) found.push({ connectionId: socket.id, pattern: entry.pattern });
    }
    found.sort((a, b) => (a.connectionId < b.connectionId ? -1 : 1));
    const start = Math.floor(Math.random() * found.length);
    return [...found.slice(start), ...found.slice(0, start)];
  }

  private async hasSubscribers(stream: StreamRef): Promise<boolean> {
    return (await this.options.io.in(listeningRoom(stream)).fetchSockets()).length > 0;
  }

  private async connected(connectionId: string): Promise<boolean> {
    return (await this.options.io.in(connectionId).fetchSockets()).length > 0;
  }

  private announce(stream: StreamRef, hasProvider: boolean): void {
    if (this.closed) return;
    this.options.io.to(listeningRoom(stream)).emit('listen:provider', { ...stream, hasProvider });
  }

  /** The server is closing: offers and stops still on their way (its own connections closing) are dropped. */
  close(): void {
    this.closed = true;
  }

  private background(what: string, task: Promise<void>): void {
    if (this.closed) return;
    task.catch((err: unknown) => this.options.logger.warn({ err }, `listening: ${what} failed`));
  }
}

function sameEntry(a: ListenEntry, b: ListenEntry): boolean {
  return a.realm === b.realm && a.kind === b.kind && a.pattern === b.pattern;
}
