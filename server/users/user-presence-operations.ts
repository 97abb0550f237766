import { userPresenceRequestSchema, type UserPresenceResult, type UserWatchResult } from '../../shared/index.js';
import { userResource } from '../auth/permissions.js';
import { defineOperation, type SocketOperationContext } from '../kernel/operation.js';
import type { Requirement } from '../kernel/access.js';
import type { UserPresence } from './user-presence.js';

/** `R` on `user/<id>` for each named user, or on `user/*` for every user. */
function readUsers({ users }: { users?: string[] | undefined }): Requirement[] {
  return (users ?? ['*']).map((user) => ({ resource: userResource(user), right: 'R' as const }));
}

/**
 * `users:subscribe`, `users:unsubscribe` and `users:get` (also `GET /api/users`).
 *
 * Knowing whether a user is logged in, and watching it, needs `R` on `user/<id>` (every user:
 * `R` on `user/*`); the `client` and `service` roles have it on every user. Unsubscribing needs
 * nothing but a granted realm. None counts against a rate limit (watches are bounded per
 * connection, `maxWatchedUsersPerConnection`, and a query names at most 100 users).
 *
 * @example
 * serveOperations(table, userPresenceOperations(users), deps);
 */
export function userPresenceOperations(users: UserPresence) {
  const subscribe = defineOperation({
    name: 'users:subscribe',
    input: userPresenceRequestSchema,
    requires: readUsers,
    run: (request, { realm, socket }: SocketOperationContext): UserWatchResult => ({ realm, watching: users.watch(socket, realm, request.users) }),
  });

  const unsubscribe = defineOperation({
    name: 'users:unsubscribe',
    input: userPresenceRequestSchema,
    run: (request, { realm, socket }: SocketOperationContext): UserWatchResult => ({ realm, watching: users.unwatch(socket, realm, request.users) }),
  });

  const get = defineOperation({
    name: 'users:get',
    input: userPresenceRequestSchema,
    requires: readUsers,
    run: async (request, { realm }): Promise<UserPresenceResult> =>
      request.users === undefined ? { realm, loggedIn: await users.loggedIn(realm) } : { realm, users: await users.areLoggedIn(realm, request.users) },
  });

  return { 'users:subscribe': subscribe, 'users:unsubscribe': unsubscribe, 'users:get': get } as const;
}
