import { ClientOfflineError, InvalidArgumentError, toRealtimeError } from '../../shared/index.js';
import type { RealtimeClient } from '../realtime-client.js';
import { TOPIC } from './constants.js';
import type { DialectHost } from './dialect-host.js';
import type { NodeCallback } from './record-handler.js';

/** deepstream's presence callback: the user and whether they are logged in now. */
export type PresenceCallback = (username: string, isLoggedIn: boolean) => void;

interface Watch {
  user: string | undefined;
  callback: PresenceCallback;
  stop: (() => void) | undefined;
}

/**
 * `client.presence` over `RealtimeClient`'s `client.users`: `subscribe([user,] callback)` hears
 * logins and logouts (of one user, or of everyone), `unsubscribe` undoes it, `getAll()` lists the
 * users logged in and `getAll(users)` answers `{ user: boolean }`. A user is logged in while one of
 * their connections is open in the realm, on any node.
 *
 * @example
 * client.presence.subscribe('bob', (user, isLoggedIn) => render(user, isLoggedIn));
 * const online = await client.presence.getAll();
 */
export class PresenceHandler {
  private readonly watches = new Set<Watch>();
  private realtime: RealtimeClient | undefined;

  constructor(private readonly host: DialectHost) {}

  /** Starts the watches made so far on `realtime` (after the first login). */
  attach(realtime: RealtimeClient): void {
    this.realtime = realtime;
    for (const watch of this.watches) this.start(realtime, watch);
  }

  /** Hears every user's logins and logouts, or `user`'s. */
  subscribe(callback: PresenceCallback): void;
  subscribe(user: string, callback: PresenceCallback): void;
  subscribe(first: string | PresenceCallback, second?: PresenceCallback): void {
    const user = typeof first === 'string' ? first : undefined;
    const callback = typeof first === 'function' ? first : second;
    if (typeof callback !== 'function') throw new InvalidArgumentError('presence.subscribe needs a callback');
    const watch: Watch = { user, callback, stop: undefined };
    this.watches.add(watch);
    if (this.realtime !== undefined) this.start(this.realtime, watch);
  }

  /** Removes watches: all of them, those of `callback`, of `user`, or of `user` and `callback`. */
  unsubscribe(first?: string | PresenceCallback, second?: PresenceCallback): void {
    const user = typeof first === 'string' ? first : undefined;
    const callback = typeof first === 'function' ? first : second;
    for (const watch of [...this.watches]) {
      if (user !== undefined && watch.user !== user) continue;
      if (callback !== undefined && watch.callback !== callback) continue;
      this.watches.delete(watch);
      watch.stop?.();
    }
  }

  /** The users logged in now; with `users`, whether each of them is. */
  getAll(callback?: NodeCallback<string[]>): Promise<string[]>;
  getAll(users: string[], callback?: NodeCallback<Record<string, boolean>>): Promise<Record<string, boolean>>;
  getAll(first?: string[] | NodeCallback<string[]>, second?: NodeCallback<Record<string, boolean>>): Promise<string[] | Record<string, boolean>> {
    const realtime = this.realtime;
    const users = Array.isArray(first) ? first : undefined;
    const callback = (Array.isArray(first) ? second : first) as NodeCallback<string[] | Record<string, boolean>> | undefined;
    const query: Promise<string[] | Record<string, boolean>> =
      realtime === undefined
        ? Promise.reject(new ClientOfflineError('presence.getAll needs a login first'))
        : users === undefined
          ? realtime.users.getAll()
          : realtime.users.getAll(users);
    return query.then(
      (result) => {
        callback?.(null, result);
        return result;
      },
      (err: unknown) => {
        const error = toRealtimeError(err);
        this.host.reportError(error, TOPIC.PRESENCE);
        if (callback === undefined) throw error;
        callback(error.message);
        return users === undefined ? [] : {};
      },
    );
  }

  private start(realtime: RealtimeClient, watch: Watch): void {
    realtime.users
      .subscribe(watch.user === undefined ? undefined : [watch.user], ({ userId, loggedIn }) => watch.callback(userId, loggedIn))
      .then(
        (stop) => {
          if (this.watches.has(watch)) watch.stop = stop;
          else stop();
        },
        (err: unknown) => {
          this.watches.delete(watch);
          this.host.reportError(toRealtimeError(err), TOPIC.PRESENCE);
        },
      );
  }
}
