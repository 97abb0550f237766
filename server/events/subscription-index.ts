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

/** Some subscriptions of one connection: most connections hold one per room, often one in all. */
type Held = Entry | readonly Entry[];

/**
 * A room's connections and their subscriptions in it: inline while one connection holds them all
 * (most rooms: a user's own topic), a map once several do.
 */
type Members = { socketId: string; held: Held } | Map<string, Held>;

/** One room: its connections, and what {@link SubscriptionIndex.uniformMode} needs to know. */
interface RoomState {
  members: Members;
  /** How many of the room's subscriptions have a filter. */
  filtered: number;
  /** How many of the room's subscriptions ask for each return mode. */
  full: number;
  diff: number;
  both: number;
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
 * Why it is stored this way: every idle connection's subscriptions live here, and a `Map` for each
 * connection's subscriptions and another for each room's single connection were a third of what
 * the platform adds to an idle connection's heap. A connection's subscriptions are one entry or an
 * array of them (built whole, never pushed to: a pushed array reserves room for 16), and so are
 * its subscriptions in a room; a room with one connection holds it inline.
 *
 * @example
 * const index = new SubscriptionIndex();
 * index.add(subscription);
 * index.recipients('demo:topic:order.updated', payload); // Map socketId → returnMode
 */
export class SubscriptionIndex {
  private readonly bySocket = new Map<string, Held>();
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
    const { socketId } = subscription;
    const previous = this.remove(socketId, subscription.id);
    const entry: Entry = { subscription, matches: compileFilter(subscription.filter) };
    this.bySocket.set(socketId, withEntry(this.bySocket.get(socketId), entry));
    this.addCost(socketId, filterCost(subscription.filter));
    let room = this.byRoom.get(subscription.room);
    if (room === undefined) {
      room = { members: { socketId, held: entry }, filtered: 0, full: 0, diff: 0, both: 0 };
      this.byRoom.set(subscription.room, room);
      for (const listener of this.roomListeners) listener({ room: subscription.room, present: true });
    } else {
      const { members } = room;
      if (members instanceof Map) members.set(socketId, withEntry(members.get(socketId), entry));
      else if (members.socketId === socketId) members.held = withEntry(members.held, entry);
      else
        room.members = new Map<string, Held>([
          [members.socketId, members.held],
          [socketId, entry],
        ]);
    }
    if (subscription.filter !== undefined) room.filtered += 1;
    room[subscription.returnMode] += 1;
    return previous;
  }

  /** Removes one subscription; returns it, or undefined when the connection had no such id. */
  remove(socketId: string, subscriptionId: string): Subscription | undefined {
    const own = this.bySocket.get(socketId);
    const entry = own === undefined ? undefined : find(own, subscriptionId);
    if (own === undefined || entry === undefined) return undefined;
    const rest = without(own, entry);
    if (rest === undefined) this.bySocket.delete(socketId);
    else this.bySocket.set(socketId, rest);
    this.removeFromRoom(socketId, entry);
    return entry.subscription;
  }

  /** Removes every subscription of a connection (on disconnect). */
  removeSocket(socketId: string): Subscription[] {
    const own = this.bySocket.get(socketId);
    if (own === undefined) return [];
    this.bySocket.delete(socketId);
    const entries = entriesOf(own);
    for (const entry of entries) this.removeFromRoom(socketId, entry);
    return entries.map((entry) => entry.subscription);
  }

  /** Whether a connection still has any subscription in a room. */
  hasRoom(socketId: string, room: string): boolean {
    const members = this.byRoom.get(room)?.members;
    if (members === undefined) return false;
    return members instanceof Map ? members.has(socketId) : members.socketId === socketId;
  }

  /** How many connections hold a subscription in a room. */
  roomSize(room: string): number {
    const members = this.byRoom.get(room)?.members;
    if (members === undefined) return 0;
    return members instanceof Map ? members.size : 1;
  }

  /** How many subscriptions this node holds (read when metrics are scraped, not on a hot path). */
  total(): number {
    let total = 0;
    for (const own of this.bySocket.values()) total += isEntry(own) ? 1 : own.length;
    return total;
  }

  /** A connection's subscriptions. */
  ofSocket(socketId: string): Subscription[] {
    const own = this.bySocket.get(socketId);
    return own === undefined ? [] : entriesOf(own).map((entry) => entry.subscription);
  }

  /** How many subscriptions a connection holds. */
  count(socketId: string): number {
    const own = this.bySocket.get(socketId);
    return own === undefined ? 0 : isEntry(own) ? 1 : own.length;
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
    const own = this.bySocket.get(socketId);
    return own === undefined ? undefined : find(own, subscriptionId)?.subscription;
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
    const { full, diff, both } = state;
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
    const members = this.byRoom.get(room)?.members;
    if (members === undefined) return;
    if (!(members instanceof Map)) {
      const mode = matchingMode(members.held, payload);
      if (mode !== undefined) visit(members.socketId, mode);
      return;
    }
    members.forEach((held, socketId) => {
      const mode = matchingMode(held, payload);
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

  private removeFromRoom(socketId: string, entry: Entry): void {
    const { subscription } = entry;
    this.addCost(socketId, -filterCost(subscription.filter));
    const room = this.byRoom.get(subscription.room);
    if (room === undefined) return;
    const { members } = room;
    const held = members instanceof Map ? members.get(socketId) : members.socketId === socketId ? members.held : undefined;
    if (held === undefined) return;
    const rest = without(held, entry);
    if (members instanceof Map) {
      if (rest !== undefined) members.set(socketId, rest);
      else members.delete(socketId);
      if (members.size === 1) {
        const [socketIdLeft, heldLeft] = members.entries().next().value as [string, Held];
        room.members = { socketId: socketIdLeft, held: heldLeft };
      }
    } else if (rest !== undefined) {
      members.held = rest;
    }
    if (subscription.filter !== undefined) room.filtered -= 1;
    room[subscription.returnMode] -= 1;
    if (rest === undefined && !(members instanceof Map)) {
      this.byRoom.delete(subscription.room);
      for (const listener of this.roomListeners) listener({ room: subscription.room, present: false });
    }
  }

  private addCost(socketId: string, delta: number): void {
    if (delta === 0) return;
    const total = (this.costs.get(socketId) ?? 0) + delta;
    if (total > 0) this.costs.set(socketId, total);
    else this.costs.delete(socketId);
  }
}

function isEntry(held: Held): held is Entry {
  return !Array.isArray(held);
}

function entriesOf(held: Held): readonly Entry[] {
  return isEntry(held) ? [held] : held;
}

function find(held: Held, subscriptionId: string): Entry | undefined {
  if (isEntry(held)) return held.subscription.id === subscriptionId ? held : undefined;
  return held.find((entry) => entry.subscription.id === subscriptionId);
}

/** `held` and `entry`: a new array, built whole. */
function withEntry(held: Held | undefined, entry: Entry): Held {
  if (held === undefined) return entry;
  return isEntry(held) ? [held, entry] : [...held, entry];
}

/** `held` without `entry`; `undefined` when nothing is left. */
function without(held: Held, entry: Entry): Held | undefined {
  if (isEntry(held)) return held === entry ? undefined : held;
  const rest = held.filter((other) => other !== entry);
  return rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : rest;
}

/** The richest return mode among the subscriptions in `held` that match `payload`; `undefined` when none does. */
function matchingMode(held: Held, payload: unknown): SyncEventReturnMode | undefined {
  if (isEntry(held)) return held.matches(payload) ? held.subscription.returnMode : undefined;
  let mode: SyncEventReturnMode | undefined;
  for (let i = 0; i < held.length; i += 1) {
    const entry = held[i] as Entry;
    if (!entry.matches(payload)) continue;
    mode = mode === undefined ? entry.subscription.returnMode : richerMode(mode, entry.subscription.returnMode);
  }
  return mode;
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
