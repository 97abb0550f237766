import {
  makeRpcRequestSchema,
  provideRpcRequestSchema,
  respondRpcRequestSchema,
  unprovideRpcRequestSchema,
  type MakeRpcResult,
  type ProvideRpcResult,
} from '../../shared/index.js';
import { rpcResource } from '../auth/permissions.js';
import type { ResolvedLimits } from '../config.js';
import { defineOperation, type ConnectionContext, type SocketOperationContext } from '../kernel/operation.js';
import { assertPayloadSize } from '../limits/payload-size.js';
import type { RpcService } from './rpc-service.js';

/**
 * `rpc:provide`, `rpc:unprovide`, `rpc:make` (also `POST /api/rpc/:name`) and `rpc:respond`.
 *
 * Providing needs `P` on `rpc/<name>`, making a call `C` on it (the `client` role has `C` on
 * `rpc/*`, not `P`: a browser cannot pose as a backend's RPC unless a grant says so). Making a call
 * counts against the `messages` rate limits; `data` and the result are bounded by
 * `maxPayloadBytes`. Answering (`rpc:respond`) works in no realm: only the connection the call
 * was given to can settle it.
 *
 * @example
 * serveOperations(table, rpcOperations(rpc, limits), deps);
 */
export function rpcOperations(rpc: RpcService, limits: ResolvedLimits) {
  const provide = defineOperation({
    name: 'rpc:provide',
    input: provideRpcRequestSchema,
    requires: ({ name }) => [{ resource: rpcResource(name), right: 'P' }],
    run: ({ name }, { realm, socket }: SocketOperationContext): ProvideRpcResult => {
      rpc.provide(socket, realm, name);
      return { realm, name };
    },
  });

  const unprovide = defineOperation({
    name: 'rpc:unprovide',
    input: unprovideRpcRequestSchema,
    run: ({ name }, { realm, socket }: SocketOperationContext): ProvideRpcResult => ({ realm, name, removed: rpc.unprovide(socket, realm, name) }),
  });

  const make = defineOperation({
    name: 'rpc:make',
    input: makeRpcRequestSchema,
    rateLimit: 'messages',
    requires: ({ name }) => [{ resource: rpcResource(name), right: 'C' }],
    run: async ({ name, data }, { realm, principal, connectionId }): Promise<MakeRpcResult> => {
      assertPayloadSize(data ?? null, limits.maxPayloadBytes, 'data');
      const result = await rpc.make({ realm, name, data: data ?? null, requestor: { userId: principal.userId, connectionId: connectionId ?? null } });
      return { data: result };
    },
  });

  const respond = defineOperation({
    name: 'rpc:respond',
    input: respondRpcRequestSchema,
    scope: 'connection',
    run: (request, { socket }: ConnectionContext) => {
      if (request.data !== undefined) assertPayloadSize(request.data, limits.maxPayloadBytes, 'data');
      if (request.error?.data !== undefined) assertPayloadSize(request.error.data, limits.maxPayloadBytes, 'error.data');
      rpc.respond(socket, request);
      return { callId: request.callId };
    },
  });

  return { 'rpc:provide': provide, 'rpc:unprovide': unprovide, 'rpc:make': make, 'rpc:respond': respond } as const;
}
