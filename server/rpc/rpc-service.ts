import type { Logger } from 'pino';
import {
  LimitExceededError,
  RpcError,
  errorFromShape,
  type RespondRpcRequest,
  type RpcCallOffer,
  type RpcOfferAnswer,
  type RpcRequestor,
  type RpcResponseRelay,
} from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import type { RealtimeIo, RealtimeSocket } from '../socket-types.js';
import { PendingRpcCall, type RpcOutcome } from './pending-rpc-call.js';

/** What the RPC service is built from. */
export interface RpcServiceOptions {
  io: RealtimeIo;
  /** This node's id: call ids start with it, so that a provider's node knows where to send the answer. */
  nodeId: string;
  limits: ResolvedLimits;
  logger: Logger;
  /** Whether other nodes share the Socket.IO adapter (Redis): answers and provider losses are relayed to them. */
  clustered: boolean;
}

/** One call to make: the realm and name, the data, and who makes it. */
export interface RpcCall {
  realm: string;
  name: string;
  data: unknown;
  requestor: RpcRequestor;
}

/**
 * The Socket.IO room of an RPC name's providers in a realm. Room names always start with the realm.
 *
 * @example
 * rpcProviderRoom('demo', 'math/multiply'); // 'demo:rpc:math/multiply'
 */
export function rpcProviderRoom(realm: string, name: string): string {
  return `${realm}:rpc:${name}`;
}

/**
 * Remote procedure calls between connections, on any node: providers register a name, callers
 * make calls that the platform routes to one provider at a time.
 *
 * Why it works this way: a provider is a connection in the name's room (`rpcProviderRoom`), so
 * the Socket.IO adapter (Redis when clustered) finds every provider on every node
 * (`fetchSockets`) and delivers the offer to whichever node holds the chosen one, with its
 * acknowledgement (`emitWithAck`): no registry of its own to keep in step or to clean up after a
 * dead node. The node that made the call owns it: it picks providers round robin (one counter per
 * node) among those that have not rejected this call, times the accept and the response, and
 * settles the call once. A provider answers on its own node (`rpc:respond`), which hands the answer
 * to the calling node (the call id starts with that node's id) through the adapter. When a
 * provider's connection closes, its node tells every node (`rpc:provider-lost`), and calls it had
 * accepted fail at once with `RPC_PROVIDER_LOST`; calls it had only been offered go to the next
 * provider. A node that dies tells nobody: its providers' calls fail at the accept or response
 * timeout.
 *
 * @example
 * const rpc = new RpcService({ io, nodeId, limits, logger, clustered: false });
 * rpc.provide(socket, 'demo', 'add-two');
 * const sum = await rpc.make({ realm: 'demo', name: 'add-two', data: { a: 1, b: 2 }, requestor });
 */
export class RpcService {
  private readonly calls = new Map<string, PendingRpcCall>();
  /** Caller connection id → its calls in flight. */
  private readonly callsByConnection = new Map<string, number>();
  /** Provider connection id (on this node) → `realm \0 name` it provides. */
  private readonly provided = new Map<string, Set<string>>();
  /**
   * Connections on this node that provided something since they opened: they may hold accepted
   * calls (an unprovide leaves those running), so their answers are relayed and their close is
   * announced.
   */
  private readonly providers = new Set<string>();
  private sequence = 0;
  /** The round-robin counter: one per node, over every name. */
  private turn = 0;

  constructor(private readonly options: RpcServiceOptions) {
    if (options.clustered) {
      options.io.on('rpc:response', (relay) => this.settleFromProvider(relay));
      options.io.on('rpc:provider-lost', (connectionId) => this.providerLost(connectionId));
    }
  }

  /**
   * Makes `socket` a provider of `name` in `realm` (again: a no-op). `LIMIT_EXCEEDED` beyond
   * `maxProvidedRpcsPerConnection`.
   */
  provide(socket: RealtimeSocket, realm: string, name: string): void {
    const key = providedKey(realm, name);
    let own = this.provided.get(socket.id);
    if (own?.has(key) === true) return;
    const limit = this.options.limits.maxProvidedRpcsPerConnection;
    if ((own?.size ?? 0) >= limit) {
      throw new LimitExceededError(`A connection may provide at most ${limit} RPC names`, { details: { limit, name } });
    }
    if (own === undefined) this.provided.set(socket.id, (own = new Set()));
    own.add(key);
    this.providers.add(socket.id);
    void socket.join(rpcProviderRoom(realm, name));
  }

  /** Stops `socket` providing `name`; false when it did not. Calls it accepted still take its answer. */
  unprovide(socket: RealtimeSocket, realm: string, name: string): boolean {
    const own = this.provided.get(socket.id);
    if (own?.delete(providedKey(realm, name)) !== true) return false;
    if (own.size === 0) this.provided.delete(socket.id);
    void socket.leave(rpcProviderRoom(realm, name));
    return true;
  }

  /**
   * Makes a call and resolves with the provider's result, or rejects with an {@link RpcError}
   * (`NO_RPC_PROVIDER`, `ACCEPT_TIMEOUT`, `RESPONSE_TIMEOUT`, `RPC_PROVIDER_LOST`, `RPC_ERROR`) or
   * `LIMIT_EXCEEDED` (too many calls in flight for the caller or this node).
   */
  async make(call: RpcCall): Promise<unknown> {
    const { limits } = this.options;
    const caller = call.requestor.connectionId;
    if (this.calls.size >= limits.maxRpcCallsPerNode) {
      throw new LimitExceededError(`This node has ${limits.maxRpcCallsPerNode} RPC calls in flight; try again later`, {
        details: { limit: limits.maxRpcCallsPerNode },
      });
    }
    if (caller !== null && (this.callsByConnection.get(caller) ?? 0) >= limits.maxRpcCallsPerConnection) {
      throw new LimitExceededError(`A connection may have at most ${limits.maxRpcCallsPerConnection} RPC calls in flight`, {
        details: { limit: limits.maxRpcCallsPerConnection },
      });
    }
    this.sequence += 1;
    const callId = `${this.options.nodeId}.${this.sequence}`;
    if (caller !== null) this.callsByConnection.set(caller, (this.callsByConnection.get(caller) ?? 0) + 1);
    try {
      return await this.route(callId, call);
    } finally {
      if (caller !== null) {
        const left = (this.callsByConnection.get(caller) ?? 1) - 1;
        if (left > 0) this.callsByConnection.set(caller, left);
        else this.callsByConnection.delete(caller);
      }
    }
  }

  /**
   * A provider's `rpc:respond`: settles the call when it was made on this node, else hands the
   * answer to the node that made it. Answers from a connection the call was not given to, and
   * late answers, are dropped.
   */
  respond(socket: RealtimeSocket, request: RespondRpcRequest): void {
    const relay: RpcResponseRelay = {
      callId: request.callId,
      providerConnectionId: socket.id,
      outcome:
        request.error !== undefined
          ? {
              type: 'error',
              error: { code: 'RPC_ERROR', message: request.error.message, ...(request.error.data === undefined ? {} : { details: request.error.data }) },
            }
          : request.reject === true
            ? { type: 'reject' }
            : { type: 'result', data: request.data ?? null },
    };
    if (request.callId.startsWith(`${this.options.nodeId}.`)) this.settleFromProvider(relay);
    // Only a connection that provides something can have been given a call to relay an answer for.
    else if (this.options.clustered && this.providers.has(socket.id)) this.options.io.serverSideEmit('rpc:response', relay);
  }

  /** A closed connection: it provides nothing any more, and the calls it accepted fail at once on every node. */
  connectionClosed(connectionId: string): void {
    this.provided.delete(connectionId);
    if (!this.providers.delete(connectionId)) return;
    this.providerLost(connectionId);
    if (this.options.clustered) this.options.io.serverSideEmit('rpc:provider-lost', connectionId);
  }

  /** How many calls this node has in flight. */
  get inFlight(): number {
    return this.calls.size;
  }

  /** Offers the call to one provider after another until one answers, or none is left. */
  private async route(callId: string, call: RpcCall): Promise<unknown> {
    const { io, limits } = this.options;
    const passed = new Set<string>();
    let rejections = 0;
    for (;;) {
      const sockets = await io.in(rpcProviderRoom(call.realm, call.name)).fetchSockets();
      const candidates = sockets
        .map((socket) => socket.id)
        .filter((id) => !passed.has(id))
        .sort();
      if (candidates.length === 0) {
        throw new RpcError(
          'NO_RPC_PROVIDER',
          rejections === 0 ? `No provider for RPC "${call.name}"` : `Every provider of RPC "${call.name}" rejected the call`,
          { details: { name: call.name, rejectedBy: rejections } },
        );
      }
      const providerId = candidates[this.turn % candidates.length] as string;
      this.turn = (this.turn + 1) % Number.MAX_SAFE_INTEGER;
      const outcome = await this.offer(callId, providerId, call, limits);
      if (outcome.type === 'result') return outcome.data;
      if (outcome.type === 'error') throw outcome.error;
      passed.add(providerId);
      if (outcome.type === 'rejected') rejections += 1;
    }
  }

  private offer(callId: string, providerId: string, call: RpcCall, limits: ResolvedLimits): Promise<RpcOutcome> {
    return new Promise<RpcOutcome>((resolve) => {
      const pending = new PendingRpcCall({
        callId,
        providerId,
        name: call.name,
        acceptTimeoutMs: limits.rpcAcceptTimeoutMs,
        responseTimeoutMs: limits.rpcResponseTimeoutMs,
        onSettled: (outcome) => {
          if (this.calls.get(callId) === pending) this.calls.delete(callId);
          resolve(outcome);
        },
      });
      this.calls.set(callId, pending);
      const offer: RpcCallOffer = { callId, realm: call.realm, name: call.name, data: call.data ?? null, requestor: call.requestor };
      this.options.io
        .to(providerId)
        .timeout(limits.rpcAcceptTimeoutMs)
        .emitWithAck('rpc:request', offer)
        .then(
          (answers: RpcOfferAnswer[]) => {
            const answer = answers[0];
            // No answer at all: the provider's connection closed between the lookup and the offer.
            if (answer === undefined) pending.settle({ type: 'gone' });
            else if (answer.accepted === true) pending.accept();
            else pending.settle({ type: 'rejected' });
          },
          // The accept timer settles the call; this is the same timeout seen by Socket.IO.
          () => undefined,
        );
    });
  }

  private settleFromProvider(relay: RpcResponseRelay): void {
    const pending = this.calls.get(relay.callId);
    if (pending === undefined || pending.providerId !== relay.providerConnectionId) return;
    const { outcome } = relay;
    if (outcome.type === 'result') pending.settle({ type: 'result', data: outcome.data });
    else if (outcome.type === 'reject') pending.settle({ type: 'rejected' });
    else {
      const error = errorFromShape(outcome.error);
      pending.settle({
        type: 'error',
        error: new RpcError('RPC_ERROR', error.message, {
          details: { name: pending.name, error: { message: error.message, ...(error.details === undefined ? {} : { data: error.details }) } },
        }),
      });
    }
  }

  private providerLost(connectionId: string): void {
    for (const pending of [...this.calls.values()]) {
      if (pending.providerId === connectionId) pending.providerLost();
    }
  }
}

function providedKey(realm: string, name: string): string {
  return `${realm}\u0000${name}`;
}
