import type { Logger } from 'pino';
import { ALL_REALMS, LimitExceededError, type UserPresenceChange } from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';

/** What user presence is built from. */
export interface UserPresenceOptions {
  io: RealtimeIo;
  limits: ResolvedLimits;
  logger: Logger;
}

/** Stands for "every user" among a connection's watches. */
export const EVERY_USER = '*';

/** The room of a user's connections in a realm. */
function userRoom(realm: string, userId: string): string {
  return `${realm}:user:${userId}`;
}

/** The room of every connection that counts for user presence in a realm. */
function onlineRoom(realm: string): string {
  return `${realm}:users:online`;
}

/** The room of the connections watching a user (or {@link EVERY_USER}) in a realm. */
function watchRoom(realm: string, userId: string): string {
  return `${realm}:users:watch:${userId}`;
}

/**
 * deepstream's user presence: which users are logged in to a realm, and an announcement when one
 * logs in (opens a first connection) or out (closes the last one), on every node.
 *
 * Why rooms: each connection joins, for every realm its token names, that realm's online room and
 * its user's room, so any node answers "who is logged in" through the adapter (`fetchSockets`,
 * Redis when clustered) and no registry needs cleaning after a dead node. After a connection opens
 * or closes, its node counts the user's connections in the realm and announces the state it found
 * (`users:changed`) to the watchers of that user and of every user; watchers (the client) report
 * only changes, so two nodes announcing at once cannot mislead them. A token that grants every
 * realm (`*`) counts in the realms it names besides (`realm`, `realms`, `per` keys), not in all.
 * A node that dies announces nothing: its users' logouts are not announced (`users:get` is right
 * at once).
 *
 * @example
 * const users = new UserPresence({ io, limits, logger });
 * await users.loggedIn('demo'); // ['alice', 'bob']
 */
export class UserPresence {
  /** Connection id → realm → users (or `*`) it watches. */
  private readonly watches = new Map<string, Map<string, Set<string>>>();
  private closed = false;

  constructor(private readonly options: UserPresenceOptions) {}

  /** A connection opened: it counts for its user in the realms its token names. */
  connected(socket: RealtimeSocket): void {
    const { userId } = socket.data.principal;
    for (const realm of countedRealms(socket)) {
      void socket.join([onlineRoom(realm), userRoom(realm, userId)]);
      this.background(this.announce(realm, userId));
    }
  }

  /** A connection closed (it has left its rooms): its user may have logged out. */
  disconnected(socket: RealtimeSocket): void {
    this.watches.delete(socket.id);
    for (const realm of countedRealms(socket)) this.background(this.announce(realm, socket.data.principal.userId));
  }

  /** Every user logged in to a realm, sorted. */
  async loggedIn(realm: string): Promise<string[]> {
    const sockets = await this.options.io.in(onlineRoom(realm)).fetchSockets();
    return [...new Set(sockets.map((socket) => socket.data.principal.userId))].sort();
  }

  /** Whether each of these users is logged in to a realm. */
  async areLoggedIn(realm: string, users: readonly string[]): Promise<Record<string, boolean>> {
    const answer: Record<string, boolean> = Object.create(null) as Record<string, boolean>;
    for (const user of users) answer[user] = false;
    if (users.length === 0) return { ...answer };
    const sockets = await this.options.io.in(users.map((user) => userRoom(realm, user))).fetchSockets();
    for (const socket of sockets) {
      if (socket.data.principal.userId in answer) answer[socket.data.principal.userId] = true;
    }
    return { ...answer };
  }

  /**
   * `socket` hears `users:changed` for these users (or every user) in a realm; answers what it
   * watches there. `LIMIT_EXCEEDED` beyond `maxWatchedUsersPerConnection` in all realms.
   */
  watch(socket: RealtimeSocket, realm: string, users: readonly string[] | undefined): string[] {
    const targets = users ?? [EVERY_USER];
    let own = this.watches.get(socket.id);
    const realmWatches = own?.get(realm);
    const fresh = targets.filter((user) => realmWatches?.has(user) !== true);
    const limit = this.options.limits.maxWatchedUsersPerConnection;
    const total = [...(own?.values() ?? [])].reduce((sum, set) => sum + set.size, 0);
    if (total + new Set(fresh).size > limit) {
      throw new LimitExceededError(`A connection may watch at most ${limit} users`, { details: { limit } });
    }
    if (own === undefined) this.watches.set(socket.id, (own = new Map()));
    let set = own.get(realm);
    if (set === undefined) own.set(realm, (set = new Set()));
    for (const user of fresh) set.add(user);
    void socket.join(fresh.map((user) => watchRoom(realm, user)));
    return [...set].sort();
  }

  /** Stops watching these users (without `users`: the watch of every user) in a realm; answers what it still watches there. */
  unwatch(socket: RealtimeSocket, realm: string, users: readonly string[] | undefined): string[] {
    const set = this.watches.get(socket.id)?.get(realm);
    if (set === undefined) return [];
    for (const user of users ?? [EVERY_USER]) {
      if (set.delete(user)) void socket.leave(watchRoom(realm, user));
    }
    if (set.size === 0) this.watches.get(socket.id)?.delete(realm);
    return [...set].sort();
  }

  /** The server is closing: announcements still on their way (its own connections closing) are dropped. */
  close(): void {
    this.closed = true;
  }

  private async announce(realm: string, userId: string): Promise<void> {
    const { io } = this.options;
    if (this.closed) return;
    const loggedIn = (await io.in(userRoom(realm, userId)).fetchSockets()).length > 0;
    if (this.closed) return;
    const change: UserPresenceChange = { realm, userId, loggedIn };
    io.to([watchRoom(realm, userId), watchRoom(realm, EVERY_USER)]).emit('users:changed', change);
  }

  private background(task: Promise<void>): void {
    task.catch((err: unknown) => this.options.logger.warn({ err }, 'user presence: announcement failed'));
  }
}

/** The realms a connection counts in: those its token names, not `*`. */
function countedRealms(socket: RealtimeSocket): string[] {
  return socket.data.principal.realms.filter((realm) => realm !== ALL_REALMS);
}
