import type { Logger } from 'pino';
import {
  LimitExceededError,
  NotFoundError,
  UnavailableError,
  type ObjectPresence,
  type PresenceEvent,
  type PresenceMember,
  type PresenceState,
  type Principal,
} from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import { newNodeId } from '../ids.js';
import { providedPatterns } from './data-provider-presence.js';
import { KeyedSerialQueue } from './keyed-serial-queue.js';
import { PresenceAnnouncer, publicMember } from './presence-announcer.js';
import { PresenceHeartbeat } from './presence-heartbeat.js';
import { reauthorizeConnection, type MembershipJudge, type RevokedMembership } from './presence-reauthorization.js';
import { channelRoom, presenceRoom, setFields, setKeyOf, type PresenceSetRef } from './presence-set.js';
import type { ConnectionRecord, PresenceStore, RealmStatusChange } from './presence-store.js';

/** What the presence service is built from. */
export interface PresenceServiceOptions {
  io: RealtimeIo;
  store: PresenceStore;
  publisher: EventPublisher;
  limits: ResolvedLimits;
  logger: Logger;
  /** This node's id in the store; a random one when absent. */
  nodeId?: string;
}

/** What joining a set answers: this member, and the current members when it may read presence. */
export interface JoinOutcome {
  member: PresenceMember;
  visible: boolean;
  members?: PresenceMember[];
}

/** How a connection joins a set. */
export interface JoinOptions {
  /** Whether it appears in presence (and reads it): the principal has `P` on the set. */
  visible: boolean;
  state: PresenceState;
}

/** An active channel and its member count. */
export interface ChannelSummary {
  name: string;
  memberCount: number;
}

/**
 * Channel membership and presence (channels and open documents), connection registry and
 * data-provider presence, kept in a {@link PresenceStore} so that every node sees the same truth.
 *
 * Why this exists: presence has to be right across nodes and across failures. Every operation of
 * a connection runs in order behind the previous one (so a disconnect cleans up whatever a
 * pending join added), each store step is atomic and says what changed, and this class turns
 * those changes into `presence:changed` events on the set's presence room (reaching members on
 * every node through the adapter) and `connectionStatusChanged` events on `presence.status`.
 * A heartbeat removes what dead nodes left (see {@link PresenceHeartbeat}).
 *
 * @example
 * const presence = new PresenceService({ io, store: new MemoryPresenceStore(), publisher, limits, logger });
 * await presence.join(socket, 'demo', { kind: 'channel', name: 'lobby' }, { visible: true, state: {} });
 */
export class PresenceService {
  readonly nodeId: string;
  readonly store: PresenceStore;
  private readonly queue = new KeyedSerialQueue();
  private readonly heartbeat: PresenceHeartbeat;
  private readonly announcer: PresenceAnnouncer;
  private closing?: Promise<void>;

  constructor(private readonly options: PresenceServiceOptions) {
    const { limits } = options;
    if (!(limits.presenceNodeTimeoutMs > limits.presenceHeartbeatMs)) {
      throw new RangeError('presenceNodeTimeoutMs must be greater than presenceHeartbeatMs');
    }
    this.store = options.store;
    this.nodeId = options.nodeId ?? newNodeId();
    this.announcer = new PresenceAnnouncer(options.io, options.publisher, options.logger);
    this.heartbeat = new PresenceHeartbeat({
      store: this.store,
      nodeId: this.nodeId,
      intervalMs: limits.presenceHeartbeatMs,
      timeoutMs: limits.presenceNodeTimeoutMs,
      onExpired: (cleanup) => this.announcer.announce(cleanup, 'expired'),
      logger: options.logger,
    });
  }

  /**
   * Beats once (so this node counts as alive before it serves anyone), then every
   * `presenceHeartbeatMs`, sweeping what dead nodes left. Never rejects: a failed beat is logged.
   */
  async start(): Promise<void> {
    this.heartbeat.start();
    await this.heartbeat.tick();
  }

  /**
   * Registers a connection and the objects it provides (`dpv`), announcing status changes; resolves
   * once it is stored (never rejects: a failure is logged and the connection goes on unregistered).
   *
   * Why this runs in the handshake (an `io.use` middleware, before the client is told it is
   * connected): with a shared store, a client that is `connected` must already be findable from
   * every node, or a direct message or a status check sent right after it connects misses it.
   */
  async connect(socket: RealtimeSocket): Promise<void> {
    const { principal } = socket.data;
    const connectionId = socket.id;
    await this.background(connectionId, 'register connection', async () => {
      await this.store.addConnection({
        connectionId,
        userId: principal.userId,
        realms: [...principal.realms],
        nodeId: this.nodeId,
        connectedAt: Date.now(),
      });
      for (const [realm, patterns] of providedPatterns(principal)) {
        const changes = await this.store.addProvider(realm, connectionId, patterns, this.nodeId);
        this.announcer.publishStatus(changes.map((change) => ({ realm, change })));
      }
    });
    // A client that went away during the handshake never gets a `disconnect` event.
    if (socket.conn.readyState !== 'open') this.disconnect(connectionId);
  }

  /** Removes a closed connection everywhere, announcing `leave` and status changes. */
  disconnect(connectionId: string): void {
    void this.background(connectionId, 'remove connection', async () => {
      this.announcer.announce(await this.store.removeConnection(connectionId), 'disconnected');
    });
  }

  /**
   * Adds the connection to a set (idempotent), joins its rooms and tells the other members.
   *
   * @throws LimitExceededError when the set or the connection is at its cap.
   */
  join(socket: RealtimeSocket, realm: string, set: PresenceSetRef, options: JoinOptions): Promise<JoinOutcome> {
    return this.queue.run(socket.id, async () => {
      if (!socket.connected) throw new UnavailableError('The connection closed');
      const { limits } = this.options;
      const setKey = setKeyOf(set);
      const result = await this.store.addMember(
        realm,
        setKey,
        {
          userId: socket.data.principal.userId,
          connectionId: socket.id,
          joinedAt: Date.now(),
          state: options.state,
          visible: options.visible,
          nodeId: this.nodeId,
        },
        { maxMembers: limits.maxChannelMembers, maxSetsPerConnection: limits.maxChannelsPerConnection },
      );
      if (result.status === 'set-full') {
        throw new LimitExceededError(`${describeSet(set)} is full: it holds at most ${result.limit} connections`, {
          details: { limit: result.limit, ...setFields(set) },
        });
      }
      if (result.status === 'connection-full') {
        throw new LimitExceededError(`A connection may be in at most ${result.limit} channels and open documents`, {
          details: { limit: result.limit, ...setFields(set) },
        });
      }
      const { member } = result;
      // A disconnect queued behind this task removes the member again; just do not re-add rooms.
      if (socket.connected) {
        if (set.kind === 'channel') void socket.join(channelRoom(realm, set.name));
        if (member.visible) void socket.join(presenceRoom(realm, setKey));
      }
      if (result.status === 'added' && member.visible) {
        this.announcer.emit(realm, set, { type: 'join', member: publicMember(member), userJoined: result.userJoined }, socket.id);
      }
      const outcome: JoinOutcome = { member: publicMember(member), visible: member.visible };
      // Listed after joining the presence room: a member joining meanwhile is in the list, or its
      // join event reaches this connection, or both (consumers key members by connectionId).
      if (member.visible) outcome.members = await this.members(realm, set);
      return outcome;
    });
  }

  /**
   * Whether the connection is a member of the channel, once its joins and leaves sent before this
   * question took effect (it waits behind them, so a publish right after a join sees the join).
   */
  isChannelMember(socket: RealtimeSocket, realm: string, channel: string): Promise<boolean> {
    return this.queue.run(socket.id, async () => socket.rooms.has(channelRoom(realm, channel)));
  }

  /** Removes the connection from a set; false when it was not a member. */
  leave(socket: RealtimeSocket, realm: string, set: PresenceSetRef): Promise<boolean> {
    return this.queue.run(socket.id, async () => {
      const setKey = setKeyOf(set);
      const removed = await this.store.removeMember(realm, setKey, socket.id);
      if (set.kind === 'channel') void socket.leave(channelRoom(realm, set.name));
      void socket.leave(presenceRoom(realm, setKey));
      if (removed === undefined) return false;
      if (removed.member.visible) {
        this.announcer.emit(realm, set, {
          type: 'leave',
          member: publicMember(removed.member),
          userLeft: removed.userLeft,
          reason: 'left',
        });
      }
      return true;
    });
  }

  /**
   * Replaces the connection's state in a set and tells the other members.
   *
   * @throws NotFoundError when the connection is not in the set.
   */
  update(socket: RealtimeSocket, realm: string, set: PresenceSetRef, state: PresenceState): Promise<PresenceMember> {
    return this.queue.run(socket.id, async () => {
      const updated = await this.store.updateMemberState(realm, setKeyOf(set), socket.id, state);
      if (updated === undefined) {
        throw new NotFoundError(`This connection is not in ${describeSet(set)}`, { details: setFields(set) });
      }
      const member = publicMember(updated);
      if (updated.visible) this.announcer.emit(realm, set, { type: 'update', member }, socket.id);
      return member;
    });
  }

  /**
   * Re-checks a connection's presence after a token refresh (`socket.data.principal` replaced
   * `previous`): connection record, data providers, and each channel or open document as `judge`
   * decides (see {@link reauthorizeConnection}). Answers what was taken away.
   */
  reauthorize(socket: RealtimeSocket, previous: Principal, judge: MembershipJudge): Promise<RevokedMembership[]> {
    const deps = { store: this.store, announcer: this.announcer, limits: this.options.limits, nodeId: this.nodeId };
    return this.queue.run(socket.id, () => reauthorizeConnection(deps, socket, previous, judge));
  }

  /** The members of a set that appear in presence, in join order. */
  async members(realm: string, set: PresenceSetRef): Promise<PresenceMember[]> {
    const records = await this.store.listMembers(realm, setKeyOf(set));
    return records.filter((record) => record.visible).map(publicMember);
  }

  /** Channels with at least one member in a realm, with how many connections each holds. */
  async channels(realm: string): Promise<ChannelSummary[]> {
    const sets = await this.store.listSets(realm, 'channel/');
    return sets.map(({ setKey, memberCount }) => ({ name: setKey.slice('channel/'.length), memberCount }));
  }

  /** How many connections (on every node) are granted a realm. */
  connectionCount(realm: string): Promise<number> {
    return this.store.countConnections(realm);
  }

  /** A connection by id, wherever it is held. */
  connection(connectionId: string): Promise<ConnectionRecord | undefined> {
    return this.store.getConnection(connectionId);
  }

  /** A user's connections in a realm. */
  userConnections(realm: string, userId: string): Promise<ConnectionRecord[]> {
    return this.store.findUserConnections(realm, userId);
  }

  /** The data-provider presence of an object id. */
  objectPresence(realm: string, id: string): Promise<ObjectPresence> {
    return this.store.objectPresence(realm, id);
  }

  /**
   * Calls `listener` with every channel and document presence event this node announces (join,
   * leave, update, including leaves of expired nodes it swept). It runs on the realtime path: it
   * must return at once. Returns its disposer.
   */
  onPresenceEvent(listener: (event: PresenceEvent) => void): () => void {
    return this.announcer.onEvent(listener);
  }

  /**
   * Calls `listener` with every batch of data-provider status changes this node announces (each
   * `{ realm, change: { id, connectionStatus } }`, `id` an exact id or a `dpv` pattern). It runs
   * on the realtime path: it must return at once. Returns its disposer.
   */
  onStatusChanges(listener: (changes: RealmStatusChange[]) => void): () => void {
    return this.announcer.onStatusChanges(listener);
  }

  /** Runs one heartbeat and sweep now (the timer does this every `presenceHeartbeatMs`). */
  sweep(): Promise<void> {
    return this.heartbeat.tick();
  }

  /**
   * Resolves once every queued presence operation (joins, leaves, the removal of closed
   * connections) has finished. A test seam: what a closed connection leaves can be checked
   * without waiting for a guessed time.
   *
   * @example
   * socket.disconnect(); await presence.idle(); // its entries are gone now
   */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Stops the heartbeat, waits for pending operations, and removes whatever this node still holds
   * (call after the Socket.IO server has closed its connections). Safe to call more than once.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.heartbeat.stop();
      await this.queue.idle();
      try {
        this.announcer.announce(await this.store.removeNode(this.nodeId), 'disconnected');
      } catch (err) {
        // The shutdown goes on (the server still closes its other resources); another node's
        // sweep removes what this one leaves once its heartbeat is older than the timeout.
        this.options.logger.warn({ err, nodeId: this.nodeId }, "presence: could not remove this node's entries on close");
      }
    })();
    return this.closing;
  }

  private background(connectionId: string, what: string, task: () => Promise<void>): Promise<void> {
    return this.queue.run(connectionId, task).catch((err: unknown) => {
      this.options.logger.error({ err, connectionId }, `presence: could not ${what}`);
    });
  }
}

function describeSet(set: PresenceSetRef): string {
  return set.kind === 'channel' ? `Channel "${set.name}"` : `Document ${set.service}/${set.id}`;
}
