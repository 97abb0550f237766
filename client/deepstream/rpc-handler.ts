import { ClientOfflineError, ErrorCode, InvalidArgumentError, toRealtimeError, type RealtimeError } from '../../shared/index.js';
import type { RealtimeClient } from '../realtime-client.js';
import type { RpcResponse } from '../rpc-client.js';
import { eventOfCode, TOPIC } from './constants.js';
import type { DialectHost } from './dialect-host.js';

/** deepstream's RPC response: `send(result)`, `error(message)`, `reject()`; `ack()` / `accept()` are implicit. */
export interface DeepstreamRpcResponse {
  send(data?: unknown): void;
  error(error: string): void;
  /** Lets the platform try another provider (`NO_RPC_PROVIDER` when there is none). */
  reject(): void;
  /** Accepting is automatic; kept for code that calls it. */
  ack(): void;
  accept(): void;
}

/** A deepstream RPC provider: the call's data and its response. */
export type DeepstreamRpcProvider = (data: unknown, response: DeepstreamRpcResponse, requestor: { requestorName: string }) => void;

/**
 * `client.rpc` over `RealtimeClient`'s `client.rpc`: `provide`, `unprovide`, `make` with a
 * callback `(error, result)` or a Promise. Errors are deepstream's strings: the provider's
 * `response.error(message)` arrives as `message`, the platform's as the event name
 * (`NO_RPC_PROVIDER`, `ACK_TIMEOUT`, `RESPONSE_TIMEOUT`, `CLIENT_OFFLINE`, `MESSAGE_DENIED`, ...);
 * the Promise form rejects with the same string. Provides made before login start at login.
 *
 * @example
 * client.rpc.provide('math/add', ({ a, b }, response) => response.send(a + b));
 * client.rpc.make('math/add', { a: 1, b: 2 }, (error, sum) => console.log(error, sum));
 */
export class RpcHandler {
  private readonly providers = new Map<string, DeepstreamRpcProvider>();
  private realtime: RealtimeClient | undefined;

  constructor(private readonly host: DialectHost) {}

  /** Registers the provides made so far on `realtime` (after the first login). */
  attach(realtime: RealtimeClient): void {
    this.realtime = realtime;
    for (const [name, provider] of this.providers) this.register(realtime, name, provider);
  }

  /** Provides `name` (once per name: again throws `INVALID_ARGUMENT`). */
  provide(name: string, provider: DeepstreamRpcProvider): void {
    if (typeof provider !== 'function') throw new InvalidArgumentError('rpc.provide needs a callback');
    if (this.providers.has(name)) throw new InvalidArgumentError(`RPC ${name} already registered`);
    this.providers.set(name, provider);
    if (this.realtime !== undefined) this.register(this.realtime, name, provider);
  }

  /** Stops providing `name`. */
  unprovide(name: string): void {
    if (!this.providers.delete(name)) return;
    this.realtime?.rpc.unprovide(name).catch((err: unknown) => this.report(toRealtimeError(err)));
  }

  /** The names provided. */
  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  /** Calls `name`; resolves with the result, or calls `callback(error, result)`. */
  make(name: string, data: unknown, callback?: (error: string | null, result?: unknown) => void): Promise<unknown> {
    const realtime = this.realtime;
    const call = realtime === undefined ? Promise.reject(new ClientOfflineError(`RPC ${name} was not made: log in first`)) : realtime.rpc.make(name, data);
    return call.then(
      (result) => {
        callback?.(null, result);
        return result;
      },
      (err: unknown) => {
        const error = toRealtimeError(err);
        const message = error.code === ErrorCode.RPC_ERROR ? error.message : eventOfCode(error.code);
        if (callback === undefined) throw message;
        callback(message);
        return undefined;
      },
    );
  }

  private register(realtime: RealtimeClient, name: string, provider: DeepstreamRpcProvider): void {
    realtime.rpc
      .provide(name, (data, response: RpcResponse, requestor) => provider(data, dialectResponse(response), { requestorName: requestor.userId }))
      .catch((err: unknown) => {
        this.providers.delete(name);
        this.report(toRealtimeError(err));
      });
  }

  private report(error: RealtimeError): void {
    this.host.reportError(error, TOPIC.RPC);
  }
}

function dialectResponse(response: RpcResponse): DeepstreamRpcResponse {
  return {
    send: (data) => response.send(data),
    error: (error) => response.error(error),
    reject: () => response.reject(),
    ack: () => undefined,
    accept: () => undefined,
  };
}
