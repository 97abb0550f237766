import { toRealtimeError, type UserPresenceChange } from '../shared/index.js';
import type { Disposer } from './emitter.js';
import type { FeatureClientDeps } from './feature-client-deps.js';
import type { ResubscribableStream } from './resubscriber.js';

/** A login or logout, as `client.users.subscribe` reports it. */
export interface UserLoginChange {
  realm: string;
  userId: string;
  loggedIn: boolean;
}

/** Options of the user-presence calls. */
export interface UserPresenceOptions {
  /** @default the client's realm */
  realm?: string;
}

interface Watch {
  realm: string;
  /** The users watched, or `undefined` for every user. */
  users: string[] | undefined;
  handler: (change: UserLoginChange) => void;
  /** False until the server has registered the watch: changes it announces from then on are reported. */
  ready: boolean;
}

/**
 * `client.users`: deepstream's user presence. A user is logged in to a realm while at least one
 * connection of theirs is open there, on any node.
 *
 * `subscribe` reports changes only: the client keeps each watched user's last known state (read
 * when the watch starts, and again after a reconnect) and calls the handler when it flips, so an
 * announcement repeated by two nodes is heard once. Watches are re-sent after every reconnect.
 *
 * @example
 * const stop = await client.users.subscribe(['bob'], ({ userId, loggedIn }) => render(userId, loggedIn));
 * await client.users.getAll(); // ['alice', 'bob']
 * await client.users.getAll(['bob', 'carol']); // { bob: true, carol: false }
 */
export class UserPresenceClient implements ResubscribableStream {
  private readonly watches = new Set<Watch>();
  /** Realm → user → last known state. */
  private readonly known = new Map<string, Map<string, boolean>>();
  /** Realm → user → when the server last announced a change of theirs (a count of announcements heard). */
  private readonly heardAt = new Map<string, Map<string, number>>();
  private heard = 0;
  /** Realm → reads of starting states on their way. */
  private readonly reading = new Map<string, number>();
  /**
   * Realm → user → the last state announced for a user with no known state while a read was on
   * its way: whether it is a change depends on what the read answers (see {@link start}).
   */
  private readonly held = new Map<string, Map<string, boolean>>();
  private readonly disposers: Disposer[];

  constructor(private readonly deps: FeatureClientDeps) {
    const socket = deps.connection.socket;
    const onChange = (change: UserPresenceChange): void => {
      this.heard += 1;
      realmMap(this.heardAt, change.realm).set(change.userId, this.heard);
      if (!this.realmKnown(change.realm).has(change.userId) && (this.reading.get(change.realm) ?? 0) > 0) {
        realmMap(this.held, change.realm).set(change.userId, change.loggedIn);
        return;
      }
      this.changed(change);
    };
    socket.on('users:changed', onChange);
    this.disposers = [() => socket.off('users:changed', onChange)];
  }

  /** Every user logged in to the realm. */
  getAll(options?: UserPresenceOptions): Promise<string[]>;
  /** Whether each of these users (at most 100) is logged in. */
  getAll(users: string[], options?: UserPresenceOptions): Promise<Record<string, boolean>>;
  async getAll(usersOrOptions?: string[] | UserPresenceOptions, maybeOptions: UserPresenceOptions = {}): Promise<string[] | Record<string, boolean>> {
    const users = Array.isArray(usersOrOptions) ? usersOrOptions : undefined;
    const options = Array.isArray(usersOrOptions) ? maybeOptions : (usersOrOptions ?? {});
    const realm = options.realm ?? this.deps.defaultRealm();
    const result = await this.deps.requests.request('users:get', { realm, ...(users === undefined ? {} : { users }) });
    return users === undefined ? (result.loggedIn ?? []) : (result.users ?? {});
  }

  /**
   * Calls `handler` when one of `users` (or, with `undefined`, any user) logs in or out; resolves
   * with its disposer once the server registered the watch.
   */
  async subscribe(users: string[] | undefined, handler: (change: UserLoginChange) => void, options: UserPresenceOptions = {}): Promise<Disposer> {
    const watch: Watch = { realm: options.realm ?? this.deps.defaultRealm(), users: users === undefined ? undefined : [...users], handler, ready: false };
    this.watches.add(watch);
    try {
      await this.start(watch);
    } catch (err) {
      this.watches.delete(watch);
      throw err;
    }
    return () => {
      if (!this.watches.delete(watch) || this.deps.connection.state !== 'connected') return;
      // The server keeps one watch per user (and one for every user): drop only what no other watch needs.
      const others = [...this.watches].filter((other) => other.realm === watch.realm);
      const request =
        watch.users === undefined
          ? others.some((other) => other.users === undefined)
            ? undefined
            : { realm: watch.realm }
          : { realm: watch.realm, users: watch.users.filter((user) => !others.some((other) => other.users?.includes(user) === true)) };
      if (request === undefined || request.users?.length === 0) return;
      this.deps.requests.request('users:unsubscribe', request).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
    };
  }

  /** Watches again on a new connection, re-reading each state (changes missed meanwhile are reported). */
  resubscribe(): void {
    for (const watch of this.watches) this.start(watch).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
  }

  /** Stops listening and forgets every watch. */
  destroy(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.watches.clear();
    this.known.clear();
    this.heardAt.clear();
    this.held.clear();
  }

  /**
   * Registers a watch on the server, then reads its users' states. Changes announced once the
   * watch is registered are reported as they come. The read's answer is collected from every node,
   * so it can be older than an announcement that overtook it:
   * - a user with a known state who is announced meanwhile keeps the announced state (any later
   *   change brings an announcement of its own);
   * - a user with no known state announced meanwhile starts at the read's state, and the
   *   announcement counts as a change only if it differs (the watcher's own login, announced
   *   while its read is on its way, is where it starts, not a change).
   */
  private async start(watch: Watch): Promise<void> {
    const { realm, users } = watch;
    watch.ready = false;
    await this.deps.requests.request('users:subscribe', { realm, ...(users === undefined ? {} : { users }) });
    watch.ready = true;
    const readFrom = this.heard;
    this.reading.set(realm, (this.reading.get(realm) ?? 0) + 1);
    let states: Record<string, boolean>;
    try {
      states = users === undefined ? Object.fromEntries((await this.getAll({ realm })).map((user) => [user, true])) : await this.getAll(users, { realm });
    } catch (err) {
      this.reading.set(realm, (this.reading.get(realm) ?? 1) - 1);
      this.releaseHeld(realm);
      throw err;
    }
    this.reading.set(realm, (this.reading.get(realm) ?? 1) - 1);
    const known = this.realmKnown(realm);
    const heardAt = realmMap(this.heardAt, realm);
    const held = realmMap(this.held, realm);
    const announcedSinceRead = (user: string): boolean => known.has(user) && (heardAt.get(user) ?? 0) > readFrom;
    if (users === undefined) {
      for (const [user, state] of [...known]) {
        if (state && states[user] !== true && !announcedSinceRead(user)) this.changed({ realm, userId: user, loggedIn: false });
      }
    }
    const read = users === undefined ? new Set([...Object.keys(states), ...held.keys()]) : new Set(Object.keys(states));
    for (const user of read) {
      if (announcedSinceRead(user)) continue;
      const state = states[user] ?? false;
      // A state never seen before is where the watch starts; one that differs from the last seen is a change.
      if (known.has(user)) this.changed({ realm, userId: user, loggedIn: state });
      else this.record(realm, user, state);
      const announced = held.get(user);
      held.delete(user);
      if (announced !== undefined && announced !== state) this.changed({ realm, userId: user, loggedIn: announced });
    }
    this.releaseHeld(realm);
  }

  /** Once no read is on its way in a realm, what is still held (users no read covered) counts as changes from unknown. */
  private releaseHeld(realm: string): void {
    if ((this.reading.get(realm) ?? 0) > 0) return;
    const held = realmMap(this.held, realm);
    for (const [user, announced] of [...held]) {
      held.delete(user);
      this.changed({ realm, userId: user, loggedIn: announced });
    }
  }

  private changed(change: UserPresenceChange): void {
    const previous = this.realmKnown(change.realm).get(change.userId);
    this.record(change.realm, change.userId, change.loggedIn);
    if (previous === change.loggedIn) return;
    for (const watch of [...this.watches]) {
      if (!watch.ready || watch.realm !== change.realm || (watch.users !== undefined && !watch.users.includes(change.userId))) continue;
      try {
        watch.handler({ realm: change.realm, userId: change.userId, loggedIn: change.loggedIn });
      } catch (err) {
        this.deps.reportError(toRealtimeError(err));
      }
    }
  }

  private record(realm: string, userId: string, loggedIn: boolean): void {
    this.realmKnown(realm).set(userId, loggedIn);
  }

  private realmKnown(realm: string): Map<string, boolean> {
    return realmMap(this.known, realm);
  }
}

/** The map of one realm in a map by realm, created on first use. */
function realmMap<V>(byRealm: Map<string, Map<string, V>>, realm: string): Map<string, V> {
  let map = byRealm.get(realm);
  if (map === undefined) byRealm.set(realm, (map = new Map()));
  return map;
}
