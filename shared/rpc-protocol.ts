import type { Ack } from './ack.js';
import type { ErrorShape } from './error-codes.js';
import type { MakeRpcRequest, ProvideRpcRequest, RespondRpcRequest, UnprovideRpcRequest } from './schemas/rpc-schemas.js';

/**
 * Who made an RPC call, as its provider sees it: the caller's user id, and its connection id
 * (`null` for a call made over REST).
 *
 * @example
 * const requestor: RpcRequestor = { userId: 'alice', connectionId: 'Zk3' };
 */
export interface RpcRequestor {
  userId: string;
  connectionId: string | null;
}

/** What `rpc:provide` and `rpc:unprovide` answer. */
export interface ProvideRpcResult {
  realm: string;
  name: string;
  /** For `rpc:unprovide`: whether this connection provided the name. */
  removed?: boolean;
}

/** What `rpc:make` answers: the provider's result (any JSON value; `null` when it sent none). */
export interface MakeRpcResult {
  data: unknown;
}

/**
 * A call offered to a provider (`rpc:request`, server → client). The provider acknowledges at once
 * whether it takes the call (`{ accepted: true }`) or rejects it (`{ accepted: false }`: the server
 * offers it to another provider), then answers with `rpc:respond`.
 */
export interface RpcCallOffer {
  callId: string;
  realm: string;
  name: string;
  data: unknown;
  requestor: RpcRequestor;
}

/** A provider's answer to an offer. */
export interface RpcOfferAnswer {
  accepted: boolean;
}

/** RPC requests a client sends. */
export interface RpcClientEvents {
  'rpc:provide': (request: ProvideRpcRequest, ack: Ack<ProvideRpcResult>) => void;
  'rpc:unprovide': (request: UnprovideRpcRequest, ack: Ack<ProvideRpcResult>) => void;
  'rpc:make': (request: MakeRpcRequest, ack: Ack<MakeRpcResult>) => void;
  'rpc:respond': (request: RespondRpcRequest, ack: Ack<{ callId: string }>) => void;
}

/** The names of {@link RpcClientEvents}. */
export const RPC_CLIENT_EVENTS = ['rpc:provide', 'rpc:unprovide', 'rpc:make', 'rpc:respond'] as const satisfies ReadonlyArray<keyof RpcClientEvents>;

/** RPC events the server sends. */
export interface RpcServerEvents {
  /** A call offered to this connection as a provider; acknowledge `{ accepted }` at once. */
  'rpc:request': (offer: RpcCallOffer, ack: (answer: RpcOfferAnswer) => void) => void;
}

/**
 * A provider's answer on its way to the node that made the call (inter-server): the result, the
 * error, or a late rejection.
 */
export interface RpcResponseRelay {
  callId: string;
  /** The connection that answered: only the provider the call was given to may settle it. */
  providerConnectionId: string;
  outcome: { type: 'result'; data: unknown } | { type: 'error'; error: ErrorShape } | { type: 'reject' };
}
