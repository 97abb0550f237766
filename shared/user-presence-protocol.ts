import type { Ack } from './ack.js';
import type { UserPresenceRequest } from './schemas/user-presence-schemas.js';

/**
 * What `users:get` answers: with `users` in the request, `{ users: { [userId]: isLoggedIn } }`;
 * without, `loggedIn`: every user logged in to the realm.
 */
export interface UserPresenceResult {
  realm: string;
  users?: Record<string, boolean>;
  loggedIn?: string[];
}

/** What `users:subscribe` and `users:unsubscribe` answer. */
export interface UserWatchResult {
  realm: string;
  /** The users now watched by this connection in the realm (`*` for every user). */
  watching: string[];
}

/** `users:changed` (server → watchers): a user logged in (first connection) or out (last one closed). */
export interface UserPresenceChange {
  realm: string;
  userId: string;
  loggedIn: boolean;
}

/** User-presence requests a client sends. */
export interface UserPresenceClientEvents {
  'users:subscribe': (request: UserPresenceRequest, ack: Ack<UserWatchResult>) => void;
  'users:unsubscribe': (request: UserPresenceRequest, ack: Ack<UserWatchResult>) => void;
  'users:get': (request: UserPresenceRequest, ack: Ack<UserPresenceResult>) => void;
}

/** The names of {@link UserPresenceClientEvents}. */
export const USER_PRESENCE_CLIENT_EVENTS = ['users:subscribe', 'users:unsubscribe', 'users:get'] as const satisfies ReadonlyArray<
  keyof UserPresenceClientEvents
>;

/** User-presence events the server sends. */
export interface UserPresenceServerEvents {
  'users:changed': (change: UserPresenceChange) => void;
}
