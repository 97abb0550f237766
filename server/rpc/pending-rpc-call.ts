import { RpcError } from '../../shared/index.js';

/**
 * How one offer of a call ended: the provider's result or error (the call is over), or the
 * provider passed on it (`rejected`, or `gone`: its connection closed before it accepted), so the
 * next provider is tried.
 */
export type RpcOutcome = { type: 'result'; data: unknown } | { type: 'error'; error: RpcError } | { type: 'rejected' } | { type: 'gone' };

/** What a pending call is made of. */
export interface PendingRpcCallOptions {
  callId: string;
  /** The provider connection the call is offered to. */
  providerId: string;
  name: string;
  acceptTimeoutMs: number;
  responseTimeoutMs: number;
  /** Called once, with the outcome. */
  onSettled: (outcome: RpcOutcome) => void;
}

/**
 * One call offered to one provider, on the node that made it: `offered` until the provider
 * accepts (within the accept timeout), then `accepted` until it answers (within the response
 * timeout). It settles exactly once; everything after that is ignored.
 *
 * @example
 * const pending = new PendingRpcCall({ callId, providerId, name, acceptTimeoutMs: 1000, responseTimeoutMs: 10000, onSettled });
 * pending.accept();
 * pending.settle({ type: 'result', data: 3 });
 */
export class PendingRpcCall {
  readonly callId: string;
  readonly providerId: string;
  readonly name: string;
  private state: 'offered' | 'accepted' | 'settled' = 'offered';
  private timer: ReturnType<typeof setTimeout>;

  constructor(private readonly options: PendingRpcCallOptions) {
    this.callId = options.callId;
    this.providerId = options.providerId;
    this.name = options.name;
    this.timer = setTimeout(() => this.timeout('ACCEPT_TIMEOUT', options.acceptTimeoutMs), options.acceptTimeoutMs);
  }

  /** The provider took the call: the response timeout starts. */
  accept(): void {
    if (this.state !== 'offered') return;
    this.state = 'accepted';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.timeout('RESPONSE_TIMEOUT', this.options.responseTimeoutMs), this.options.responseTimeoutMs);
  }

  /** The provider's connection closed: an accepted call fails, an offered one goes to the next provider. */
  providerLost(): void {
    if (this.state === 'offered') this.settle({ type: 'gone' });
    else if (this.state === 'accepted') {
      this.settle({
        type: 'error',
        error: new RpcError('RPC_PROVIDER_LOST', `The provider of RPC "${this.name}" disconnected before answering; it may have run the call`, {
          details: { name: this.name },
        }),
      });
    }
  }

  /** Ends the call with an outcome (once). */
  settle(outcome: RpcOutcome): void {
    if (this.state === 'settled') return;
    this.state = 'settled';
    clearTimeout(this.timer);
    this.options.onSettled(outcome);
  }

  private timeout(code: 'ACCEPT_TIMEOUT' | 'RESPONSE_TIMEOUT', timeoutMs: number): void {
    const what = code === 'ACCEPT_TIMEOUT' ? 'accept' : 'answer';
    this.settle({
      type: 'error',
      error: new RpcError(code, `The provider of RPC "${this.name}" did not ${what} the call within ${timeoutMs} ms`, {
        details: { name: this.name, timeoutMs },
      }),
    });
  }
}
