import { compilePattern, filterCost, matchesFilter, type SubscriptionFilter, type SyncEventReturnMode } from '../../shared/index.js';

/**
 * One live topic subscription of one connection.
 */
export interface Subscription {
  id: string;
  socketId: string;
  realm: string;
  topic: string;
  /** The Socket.IO room of (realm, topic). */
  room: string;
  filter?: SubscriptionFilter;
  returnMode: SyncEventReturnMode;
}

/**
 * The Socket.IO room for a topic in a realm. Room names always start with the realm.
 *
 * @example
 * topicRoom('demo', 'order.updated'); // 'demo:topic:order.updated'
 */
export function topicRoom(realm: string, topic: string): string {
  return `${realm}:topic:${topic}`;
}

/**
 * A room appearing on this node (its first subscription) or going (its last).
 *
 * @example
 * index.onRoomChange(({ room, present }) => (present ? relay.open(room) : relay.close(room)));
 */
export interface RoomChange {
  room: string;
  present: boolean;
}

/** Whether a payload passes a subscription's filter. */
type PayloadMatcher = (payload: unknown) => boolean;

/** A subscription as the index keeps it: with its filter compiled once. */
interface Entry {
  subscription: Subscription;
  matches: PayloadMatcher;
}

/** One room: its connections, and what {@link SubscriptionIndex.uniformMode} needs to know. */
interface RoomState {
  /** Connection id → its subscriptions in this room. */
  sockets: Map<string, Entry[]>;
  /** How many of the room's subscriptions have a filter. */
  filtered: number;
  /** How many of the room's subscriptions ask for each return mode. */
  modes: Record<SyncEventReturnMode, number>;
}

/**
 * This node's topic subscriptions, indexed by connection and by room, so that delivering an event
 * costs one filter check per subscription in its room and nothing for other rooms.
 *
 * Why filters are compiled: every event is checked against every filtered subscription in its
 * room, so the check must not allocate. A subscription's filter is turned into a matcher once, when
 * it is added, with its dotted paths already split; the matcher answers exactly as `matchesFilter`
 * (shared/filter.ts) does, and any condition shape it does not know is left to `matchesFilter`.
 *
 * @example
 * const index = new SubscriptionIndex();
 * index.add(subscription);
 * index.recipients('demo:topic:order.updated', payload); // Map socketId → returnMode
 */
export class SubscriptionIndex {
  private readonly bySocket = new Map<string, Map<string, Subscription>>();
  private readonly byRoom = new Map<string, RoomState>();
  /** Connection id → the summed `filterCost` of its subscriptions (absent when 0). */
  private readonly costs = new Map<string, number>();
  private readonly roomListeners = new Set<(change: RoomChange) => void>();

  /**
   * Calls `listener` when a room gets its first subscription on this node and when its last one
   * goes (the sharded topic channels follow this). Returns its disposer.
   */
  onRoomChange(listener: (change: RoomChange) => void): () => void {
    this.roomListeners.add(listener);
    return () => this.roomListeners.delete(listener);
  }

  /** Adds (or replaces, by id) a subscription. Returns the one it replaced, if any. */
  add(subscription: Subscription): Subscription | undefined {
    const previous = this.remove(subscription.socketId, subscription.id);
    let own = this.bySocket.get(subscription.socketId);
    if (own === undefined) this.bySocket.set(subscription.socketId, (own = new Map()));
    own.set(subscription.id, subscription);
    this.addCost(subscription.socketId, filterCost(subscription.filter));
    let room = this.byRoom.get(subscription.room);
    if (room === undefined) {
      room = { sockets: new Map(), filtered: 0, modes: { full: 0, diff: 0, both: 0 } };
      this.byRoom.set(subscription.room, room);
      for (const listener of this.roomListeners) listener({ room: subscription.room, present: true });
    }
    const entry: Entry = { subscription, matches: compileFilter(subscription.filter) };
    const list = room.sockets.get(subscription.socketId);
    if (list === undefined) room.sockets.set(subscription.socketId, [entry]);
    else list.push(entry);
    if (subscription.filter !== undefined) room.filtered += 1;
    room.modes[subscription.returnMode] += 1;
    return previous;
  }

  /** Removes one subscription; returns it, or undefined when the connection had no such id. */
  remove(socketId: string, subscriptionId: string): Subscription | undefined {
    const own = this.bySocket.get(socketId);
    const subscription = own?.get(subscriptionId);
    if (own === undefined || subscription === undefined) return undefined;
    own.delete(subscriptionId);
    if (own.size === 0) this.bySocket.delete(socketId);
    this.addCost(socketId, -filterCost(subscription.filter));
    const room = this.byRoom.get(subscription.room);
    const list = room?.sockets.get(socketId);
    if (room !== undefined && list !== undefined) {
      const remaining = list.filter((entry) => entry.subscription !== subscription);
      if (remaining.length > 0) room.sockets.set(socketId, remaining);
      else room.sockets.delete(socketId);
      if (subscription.filter !== undefined) room.filtered -= 1;
      room.modes[subscription.returnMode] -= 1;
      if (room.sockets.size === 0) {
        this.byRoom.delete(subscription.room);
        for (const listener of this.roomListeners) listener({ room: subscription.room, present: false });
      }
    }
    return subscription;
  }

  /** Removes every subscription of a connection (on disconnect). */
  removeSocket(socketId: string): Subscription[] {
    const own = [...(this.bySocket.get(socketId)?.values() ?? [])];
    for (const subscription of own) this.remove(socketId, subscription.id);
    return own;
  }

  /** Whether a connection still has any subscription in a room. */
  hasRoom(socketId: string, room: string): boolean {
    return this.byRoom.get(room)?.sockets.has(socketId) ?? false;
  }

  /** How many connections hold a subscription in a room. */
  roomSize(room: string): number {
    return this.byRoom.get(room)?.sockets.size ?? 0;
  }

  /** How many subscriptions this node holds (read when metrics are scraped, not on a hot path). */
  total(): number {
    let total = 0;
    for (const own of this.bySocket.values()) total += own.size;
    return total;
  }

  /** A connection's subscriptions. */
  ofSocket(socketId: string): Subscription[] {
    return [...(this.bySocket.get(socketId)?.values() ?? [])];
  }

  /** How many subscriptions a connection holds. */
  count(socketId: string): number {
    return this.bySocket.get(socketId)?.size ?? 0;
  }

  /**
   * The summed `filterCost` (shared/filter-cost.ts) of a connection's subscriptions: what its
   * filters cost every event, which `maxFilterCostPerConnection` bounds.
   */
  filterCost(socketId: string): number {
    return this.costs.get(socketId) ?? 0;
  }

  /** The subscription a connection holds under an id, if any. */
  get(socketId: string, subscriptionId: string): Subscription | undefined {
    return this.bySocket.get(socketId)?.get(subscriptionId);
  }

  /**
   * The return mode every connection in `room` receives every event with, when that does not
   * depend on the event: no subscription in the room has a filter and all ask for the same mode.
   * Then the recipients are exactly the room's connections. `undefined` otherwise (or when the
   * room has no subscriptions).
   */
  uniformMode(room: string): SyncEventReturnMode | undefined {
    const state = this.byRoom.get(room);
    if (state === undefined || state.filtered > 0) return undefined;
    const { full, diff, both } = state.modes;
    if (diff === 0 && both === 0) return 'full';
    if (full === 0 && both === 0) return 'diff';
    if (full === 0 && diff === 0) return 'both';
    return undefined;
  }

  /**
   * Calls `visit` once for each connection that must receive an event in `room`, with the richest
   * return mode among its matching subscriptions. Allocates nothing per connection.
   */
  forEachRecipient(room: string, payload: unknown, visit: (socketId: string, mode: SyncEventReturnMode) => void): void {
    this.byRoom.get(room)?.sockets.forEach((entries, socketId) => {
      let mode: SyncEventReturnMode | undefined;
      for (const entry of entries) {
        if (!entry.matches(payload)) continue;
        mode = mode === undefined ? entry.subscription.returnMode : richerMode(mode, entry.subscription.returnMode);
      }
      if (mode !== undefined) visit(socketId, mode);
    });
  }

  /**
   * The connections that must receive an event in `room`, each once, with the richest return mode
   * among its matching subscriptions.
   */
  recipients(room: string, payload: unknown): Map<string, SyncEventReturnMode> {
    const result = new Map<string, SyncEventReturnMode>();
    this.forEachRecipient(room, payload, (socketId, mode) => result.set(socketId, mode));
    return result;
  }

  private addCost(socketId: string, delta: number): void {
    if (delta === 0) return;
    const total = (this.costs.get(socketId) ?? 0) + delta;
    if (total > 0) this.costs.set(socketId, total);
    else this.costs.delete(socketId);
  }
}

function richerMode(a: SyncEventReturnMode, b: SyncEventReturnMode): SyncEventReturnMode {
  return a === b ? a : 'both';
}

const MATCH_ALL: PayloadMatcher = () => true;

/** How a compiled condition compares the value found at its path. */
const enum Test {
  Equals,
  In,
  InSet,
  Like,
}

/** `in` lists longer than this are looked up in a Set. */
const IN_SET_THRESHOLD = 8;

/** One filter key, compiled: its path split once, and its condition. */
interface CompiledCondition {
  path: string[];
  test: Test;
  /** The value (`Equals`), the list (`In`), its Set (`InSet`) or the pattern matcher (`Like`). */
  operand: unknown;
}

/**
 * Compiles a filter into a matcher that gives the same answer as `matchesFilter(filter, payload)`
 * for every payload: keys in the same order, a missing value never matches, equality is `===`,
 * `in` is `includes` (for long lists an equivalent Set lookup), `like` is the same id pattern. A
 * condition of any other shape makes the whole matcher defer to `matchesFilter`.
 */
function compileFilter(filter: SubscriptionFilter | undefined): PayloadMatcher {
  if (filter === undefined) return MATCH_ALL;
  const conditions: CompiledCondition[] = [];
  for (const path in filter) {
    const condition = compileCondition(path, filter[path]);
    if (condition === undefined) return (payload) => matchesFilter(filter, payload);
    conditions.push(condition);
  }
  return (payload) => {
    for (let i = 0; i < conditions.length; i += 1) {
      const { path, test, operand } = conditions[i] as CompiledCondition;
      const actual = readSegments(payload, path);
      if (actual === undefined) return false;
      if (test === Test.Equals) {
        if (actual !== operand) return false;
      } else if (test === Test.In) {
        if (!(operand as unknown[]).includes(actual)) return false;
      } else if (test === Test.InSet) {
        if (!(operand as Set<unknown>).has(actual)) return false;
      } else if (typeof actual !== 'string' || !(operand as (id: string) => boolean)(actual)) {
        return false;
      }
    }
    return true;
  };
}

function compileCondition(path: string, condition: unknown): CompiledCondition | undefined {
  const segments = path.split('.');
  if (typeof condition !== 'object' || condition === null) return { path: segments, test: Test.Equals, operand: condition };
  const keys = Object.keys(condition);
  if (keys.length !== 1) return undefined;
  const operand: unknown = (condition as Record<string, unknown>)[keys[0] as string];
  if (keys[0] === 'in' && Array.isArray(operand)) {
    // A Set answers as `includes` does (SameValueZero) in constant time; short lists scan faster.
    if (operand.length > IN_SET_THRESHOLD) return { path: segments, test: Test.InSet, operand: new Set(operand) };
    return { path: segments, test: Test.In, operand };
  }
  if (keys[0] === 'like' && typeof operand === 'string') return { path: segments, test: Test.Like, operand: compilePattern(operand) };
  return undefined;
}

/** `readPath` (shared/filter.ts) over a path split in advance. */
function readSegments(value: unknown, path: string[]): unknown {
  let current = value;
  for (let i = 0; i < path.length; i += 1) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    const key = path[i] as string;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
