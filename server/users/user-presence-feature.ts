import { Router } from 'express';
import type { FeatureFactory } from '../kernel/feature.js';
import { realmQuery, restOperation } from '../kernel/rest-requests.js';
import { userPresenceOperations } from './user-presence-operations.js';

/**
 * User presence: who is logged in to a realm, over the socket and REST (`GET /api/users`: every
 * logged-in user, `{ realm, loggedIn }`; `GET /api/users?users=a,b`: `{ realm, users: { a: true,
 * b: false } }`). A connection counts from its open to its close.
 *
 * @example
 * const feature = userPresenceFeature({ services, limits, logger });
 */
export const userPresenceFeature: FeatureFactory = ({ services }) => {
  const operations = userPresenceOperations(services.users);
  const routes = Router();
  routes.get(
    '/users',
    ...restOperation(operations['users:get'], services.rateLimits, {
      input: (req) => {
        const list = req.query.users;
        return { realm: realmQuery(req), ...(typeof list === 'string' ? { users: list === '' ? [] : list.split(',') } : {}) };
      },
    }),
  );
  return {
    name: 'users',
    operations,
    routes,
    connect: (socket) => services.users.connected(socket),
    disconnect: (socket) => services.users.disconnected(socket),
  };
};
