import { ClientOfflineError, ErrorCode, RealtimeError, toRealtimeError, type RpcCallOffer, type RpcOfferAnswer, type RpcRequestor } from '../shared/index.js';
import type { Disposer } from './emitter.js';
import type { FeatureClientDeps } from './feature-client-deps.js';
import type { ResubscribableStream } from './resubscriber.js';

/**
 * How a provider answers one call. The call is accepted unless `reject()` is called before the
 * handler returns (or before its promise settles); `send` or `error` completes it, once.
 *
 * @example
 * client.rpc.provide('add-two', (data, response) => response.send((data as { a: number }).a + 2));
 */
export interface RpcResponse {
  /** Completes the call with a result (any JSON value). */
  send(result?: unknown): void;
  /** Completes the call with an error: the caller's `make` rejects with `RPC_ERROR`, this message and `details.error`. */
  error(error: string | Error | { message: string; data?: unknown }): void;
  /** Passes the call on: the platform offers it to another provider (`NO_RPC_PROVIDER` when none is left). */
  reject(): void;
  /** Whether the call is complete (sent, errored or rejected). */
  readonly completed: boolean;
}

/** A provider's handler: the call's data, how to answer, and who asked. */
export type RpcHandler = (data: unknown, response: RpcResponse, requestor: RpcRequestor) => void | Promise<void>;

/** Options of `provide` and `unprovide`. */
export interface RpcProvideOptions {
  /** @default the client's realm */
  realm?: string;
}

/** Options of `make`. */
export interface RpcMakeOptions {
  /** @default the client's realm */
  realm?: string;
  /**
   * How long to wait for the answer, ms, beyond which `make` rejects with `TIMEOUT`. The server's
   * own accept and response timeouts (1 s and 10 s by default) usually answer first.
   * @default 30000
   */
  timeout?: number;
}

/** The default of {@link RpcMakeOptions.timeout}. */
export const DEFAULT_RPC_MAKE_TIMEOUT_MS = 30_000;

interface Provided {
  realm: string;
  name: string;
  handler: RpcHandler;
}

/**
 * `client.rpc`: remote procedure calls between clients and backends, load-balanced by the
 * platform across every provider of a name on any node.
 *
 * Provides are re-sent after every reconnect (a stream kind of the `Resubscriber`). A call in
 * flight when the connection drops fails with `CLIENT_OFFLINE` (the provider may or may not have
 * run it); a provider's answers to calls offered before the drop are lost with them (the platform
 * fails those calls with `RPC_PROVIDER_LOST`).
 *
 * @example
 * const stop = await client.rpc.provide('math/multiply', (data, response) => {
 *   const { a, b } = data as { a: number; b: number };
 *   response.send(a * b);
 * });
 * const product = await client.rpc.make('math/multiply', { a: 6, b: 7 }); // 42
 */
export class RpcClient implements ResubscribableStream {
  private readonly provided = new Map<string, Provided>();
  private readonly offDisposers: Disposer[];

  constructor(private readonly deps: FeatureClientDeps) {
    const socket = deps.connection.socket;
    const onRequest = (offer: RpcCallOffer, ack: (answer: RpcOfferAnswer) => void): void => this.receive(offer, ack);
    socket.on('rpc:request', onRequest);
    this.offDisposers = [() => socket.off('rpc:request', onRequest)];
  }

  /**
   * Provides `name` (one handler per name and realm: providing it twice rejects with
   * `INVALID_ARGUMENT`); resolves with its disposer once the server registered it.
   */
  async provide(name: string, handler: RpcHandler, options: RpcProvideOptions = {}): Promise<Disposer> {
    const realm = options.realm ?? this.deps.defaultRealm();
    const key = providedKey(realm, name);
    if (this.provided.has(key)) {
      throw new RealtimeError(ErrorCode.INVALID_ARGUMENT, `RPC "${name}" is already provided by this client`, { details: { name } });
    }
    const entry: Provided = { realm, name, handler };
    this.provided.set(key, entry);
    try {
      await this.deps.requests.request('rpc:provide', { realm, name });
    } catch (err) {
      if (this.provided.get(key) === entry) this.provided.delete(key);
      throw err;
    }
    return () => {
      void this.unprovide(name, { realm }).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
    };
  }

  /** Stops providing `name`; calls already accepted still get their answers. */
  async unprovide(name: string, options: RpcProvideOptions = {}): Promise<void> {
    const realm = options.realm ?? this.deps.defaultRealm();
    if (!this.provided.delete(providedKey(realm, name))) return;
    if (this.deps.connection.state !== 'connected') return; // the next connection does not provide it
    await this.deps.requests.request('rpc:unprovide', { realm, name });
  }

  /** The names this client provides in a realm (the client's by default). */
  providerNames(realm = this.deps.defaultRealm()): string[] {
    return [...this.provided.values()].filter((entry) => entry.realm === realm).map((entry) => entry.name);
  }

  /**
   * Calls `name` with `data` and resolves with the provider's result. Rejects with `RpcError`
   * (`NO_RPC_PROVIDER`, `ACCEPT_TIMEOUT`, `RESPONSE_TIMEOUT`, `RPC_PROVIDER_LOST`, `RPC_ERROR`),
   * `ClientOfflineError` when the connection drops first, or `FORBIDDEN` / `LIMIT_EXCEEDED` / ...
   */
  async make(name: string, data?: unknown, options: RpcMakeOptions = {}): Promise<unknown> {
    const realm = options.realm ?? this.deps.defaultRealm();
    try {
      const result = await this.deps.requests.request(
        'rpc:make',
        { realm, name, ...(data === undefined ? {} : { data }) },
        options.timeout ?? DEFAULT_RPC_MAKE_TIMEOUT_MS,
      );
      return result.data;
    } catch (err) {
      if (err instanceof RealtimeError && err.code === ErrorCode.UNAVAILABLE) {
        throw new ClientOfflineError(`RPC "${name}" could not complete: the client is offline`, { cause: err, details: { name } });
      }
      throw err;
    }
  }

  /** Provides every name again on a new connection. */
  resubscribe(): void {
    for (const { realm, name } of this.provided.values()) {
      this.deps.requests.request('rpc:provide', { realm, name }).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
    }
  }

  /** Stops listening for offers and forgets every provide. */
  destroy(): void {
    for (const dispose of this.offDisposers.splice(0)) dispose();
    this.provided.clear();
  }

  private receive(offer: RpcCallOffer, ack: (answer: RpcOfferAnswer) => void): void {
    const entry = this.provided.get(providedKey(offer.realm, offer.name));
    if (entry === undefined) {
      ack({ accepted: false });
      return;
    }
    const response = new OfferedCall(offer.callId, ack, this.deps);
    try {
      const running = entry.handler(offer.data, response, offer.requestor);
      if (running instanceof Promise) running.catch((err: unknown) => response.error(err instanceof Error ? err : String(err)));
    } catch (err) {
      response.error(err instanceof Error ? err : String(err));
    }
    response.acceptUnlessRejected();
  }
}

/** One call offered to this client: answers the offer once, then sends the result or error once. */
class OfferedCall implements RpcResponse {
  private answered = false;
  private done = false;

  constructor(
    private readonly callId: string,
    private readonly ack: (answer: RpcOfferAnswer) => void,
    private readonly deps: FeatureClientDeps,
  ) {}

  get completed(): boolean {
    return this.done;
  }

  send(result?: unknown): void {
    if (!this.finish()) return;
    this.respond({ callId: this.callId, data: result ?? null });
  }

  error(error: string | Error | { message: string; data?: unknown }): void {
    if (!this.finish()) return;
    const shaped = typeof error === 'string' ? { message: error } : error instanceof Error ? { message: error.message } : error;
    this.respond({ callId: this.callId, error: shaped });
  }

  reject(): void {
    if (this.done) return;
    this.done = true;
    if (!this.answered) {
      this.answered = true;
      this.ack({ accepted: false });
    } else this.respond({ callId: this.callId, reject: true });
  }

  /** After the handler's synchronous part: the call is this provider's unless it rejected it. */
  acceptUnlessRejected(): void {
    if (this.answered) return;
    this.answered = true;
    this.ack({ accepted: true });
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    this.acceptUnlessRejected();
    return true;
  }

  private respond(request: { callId: string; data?: unknown; error?: { message: string; data?: unknown }; reject?: boolean }): void {
    this.deps.requests.request('rpc:respond', request).catch((err: unknown) => {
      // Lost with the connection: the platform has failed the call already (RPC_PROVIDER_LOST).
      if (!(err instanceof RealtimeError && err.code === ErrorCode.UNAVAILABLE)) this.deps.reportError(toRealtimeError(err));
    });
  }
}

function providedKey(realm: string, name: string): string {
  return `${realm}\u0000${name}`;
}
