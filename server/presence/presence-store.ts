import type { ConnectionStatusChange, ObjectPresence, PresenceState } from '../../shared/index.js';

/**
 * One live connection as presence knows it: who it is, which realms its token grants, and which
 * node holds it.
 *
 * @example
 * const record: ConnectionRecord = { connectionId: 'Zk3', userId: 'alice', realms: ['demo'], nodeId: 'n1', connectedAt: Date.now() };
 */
export interface ConnectionRecord {
  connectionId: string;
  userId: string;
  /** Realms the token grants; `*` stands for all. */
  realms: string[];
  /** The node (server process) that holds the connection. */
  nodeId: string;
  connectedAt: number;
}

/**
 * One connection in a presence set, as stored. `visible` is false for a channel member without
 * `P`: it is in the channel (counted, capped, receives messages) but does not appear in presence.
 *
 * @example
 * const member: MemberRecord = { userId: 'alice', connectionId: 'Zk3', joinedAt: 1, state: {}, visible: true, nodeId: 'n1' };
 */
export interface MemberRecord {
  userId: string;
  connectionId: string;
  joinedAt: number;
  state: PresenceState;
  visible: boolean;
  nodeId: string;
}

/** The caps checked atomically when a member is added. */
export interface AddMemberLimits {
  /** Most members of one set. */
  maxMembers: number;
  /** Most sets one connection may be in (in all realms). */
  maxSetsPerConnection: number;
}

/**
 * What adding a member did: `added` (with `userJoined` when it is the user's first visible
 * connection in the set), `exists` (the connection was already a member; nothing changed), or a
 * cap that refused it.
 */
export type AddMemberResult =
  | { status: 'added'; member: MemberRecord; userJoined: boolean }
  | { status: 'exists'; member: MemberRecord }
  | { status: 'set-full'; limit: number }
  | { status: 'connection-full'; limit: number };

/** A member that was removed; `userLeft` when it was the user's last visible connection in the set. */
export interface RemovedMember {
  realm: string;
  /** The set's resource id: `channel/<name>` or `doc/<service>/<id>`. */
  setKey: string;
  member: MemberRecord;
  userLeft: boolean;
}

/**
 * One set a connection is in, with its member record (see {@link PresenceStore.listMemberships}).
 *
 * @example
 * const membership: ConnectionMembership = { realm: 'demo', setKey: 'channel/lobby', member };
 */
export interface ConnectionMembership {
  realm: string;
  /** The set's resource id: `channel/<name>` or `doc/<service>/<id>`. */
  setKey: string;
  member: MemberRecord;
}

/** A data-provider status change in one realm. */
export interface RealmStatusChange {
  realm: string;
  change: ConnectionStatusChange;
}

/** Everything removed with a connection or a node, for announcing `leave` and status events. */
export interface PresenceCleanup {
  members: RemovedMember[];
  statusChanges: RealmStatusChange[];
  /** Ids of the connection records removed. */
  connections: string[];
}

/** A presence set and how many connections it holds. */
export interface PresenceSetSummary {
  setKey: string;
  memberCount: number;
}

/**
 * Where presence lives: connections, presence sets (channels and open documents) and data
 * providers, keyed by realm, each entry owned by a node.
 *
 * Why this is an async interface: with `REDIS_URL` every node must see the same presence, so
 * this state cannot live in one process's memory. Each method is one atomic step (a Redis
 * implementation runs each as a Lua script or a MULTI), and returns what changed so that exactly
 * one caller announces each change. Every entry carries the `nodeId` of the node that holds its
 * connection; nodes renew a heartbeat, and any live node's {@link expireNodes} removes (and hands
 * back, once) everything of a node whose heartbeat is older than the timeout, so a node that
 * died without cleaning up leaves nothing behind for longer than a bounded time.
 *
 * @example
 * const store: PresenceStore = new MemoryPresenceStore();
 * await store.heartbeat('node-1', Date.now());
 */
export interface PresenceStore {
  /** Records a connection (replacing a record with the same id). */
  addConnection(connection: ConnectionRecord): Promise<void>;
  /** A connection by id, wherever it is held. */
  getConnection(connectionId: string): Promise<ConnectionRecord | undefined>;
  /** The connections of a user whose tokens grant `realm`. */
  findUserConnections(realm: string, userId: string): Promise<ConnectionRecord[]>;
  /** How many connections are granted `realm`. */
  countConnections(realm: string): Promise<number>;
  /** Removes a connection with its memberships and data-provider registrations. */
  removeConnection(connectionId: string): Promise<PresenceCleanup>;

  /** Adds a member to a set, checking both caps in the same step. */
  addMember(realm: string, setKey: string, member: MemberRecord, limits: AddMemberLimits): Promise<AddMemberResult>;
  /** Replaces a member's state; undefined when the connection is not a member. */
  updateMemberState(realm: string, setKey: string, connectionId: string, state: PresenceState): Promise<MemberRecord | undefined>;
  /** Removes a member; undefined when it was not one. */
  removeMember(realm: string, setKey: string, connectionId: string): Promise<RemovedMember | undefined>;
  /** A set's members (visible or not), in join order. */
  listMembers(realm: string, setKey: string): Promise<MemberRecord[]>;
  /** Non-empty sets whose key starts with `prefix` (`channel/`), with their member counts. */
  listSets(realm: string, prefix: string): Promise<PresenceSetSummary[]>;
  /** Every set a connection is in, in all realms (a refreshed token re-checks each). */
  listMemberships(connectionId: string): Promise<ConnectionMembership[]>;

  /**
   * Registers a connection as data provider for id patterns in a realm; answers the objects (or
   * patterns) whose status became `connected`.
   */
  addProvider(realm: string, connectionId: string, patterns: string[], nodeId: string): Promise<ConnectionStatusChange[]>;
  /**
   * Withdraws some of a connection's provider keys in a realm (a refreshed token provides less);
   * answers the objects (or patterns) whose status became `disconnected`.
   */
  removeProvider(realm: string, connectionId: string, patterns: string[]): Promise<ConnectionStatusChange[]>;
  /** The data-provider presence of an object id (or pattern) in a realm. */
  objectPresence(realm: string, id: string): Promise<ObjectPresence>;

  /** Renews a node's heartbeat. */
  heartbeat(nodeId: string, now: number): Promise<void>;
  /** Removes everything of nodes whose last heartbeat is more than `timeoutMs` before `now`. */
  expireNodes(now: number, timeoutMs: number): Promise<PresenceCleanup>;
  /** Removes everything of one node (a node shutting down cleans up after itself). */
  removeNode(nodeId: string): Promise<PresenceCleanup>;
}

/**
 * An empty cleanup.
 *
 * @example
 * const total = emptyCleanup();
 */
export function emptyCleanup(): PresenceCleanup {
  return { members: [], statusChanges: [], connections: [] };
}
