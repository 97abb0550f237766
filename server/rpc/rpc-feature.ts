import { Router } from 'express';
import type { FeatureFactory } from '../kernel/feature.js';
import { bodyWithPath, restOperation } from '../kernel/rest-requests.js';
import { rpcOperations } from './rpc-operations.js';

/**
 * RPC: providers and calls over the socket, and calls from backends over REST
 * (`POST /api/rpc/:name` with `{ data?, realm? }`, answered `200 { data }` with the provider's
 * result, or the call's typed error: `404 NO_RPC_PROVIDER`, `504 ACCEPT_TIMEOUT` /
 * `RESPONSE_TIMEOUT`, `502 RPC_ERROR` / `RPC_PROVIDER_LOST`). Names hold `/`: send them as they
 * are (`/api/rpc/math/multiply`) or encoded. A closed connection provides nothing any more.
 *
 * @example
 * const feature = rpcFeature({ services, limits, logger });
 */
export const rpcFeature: FeatureFactory = ({ services, limits }) => {
  const operations = rpcOperations(services.rpc, limits);
  const routes = Router();
  routes.post(
    '/rpc/*name',
    ...restOperation(operations['rpc:make'], services.rateLimits, {
      input: (req) => {
        const raw = (req.params as { name?: string | string[] }).name;
        return bodyWithPath(req, { name: Array.isArray(raw) ? raw.join('/') : raw });
      },
    }),
  );
  return {
    name: 'rpc',
    operations,
    routes,
    disconnect: (socket) => services.rpc.connectionClosed(socket.id),
  };
};
