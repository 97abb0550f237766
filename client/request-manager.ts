import {
  ErrorCode,
  REQUEST_SCHEMAS,
  UnavailableError,
  errorFromShape,
  parseInput,
  type ClientToServerEvents,
  type RealtimeError,
  type RequestOf,
  type ResultOf,
} from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Disposer } from './emitter.js';
import { OutgoingBatcher, type OutgoingOutcome } from './outgoing-batcher.js';
import { checkRequest } from './request-limits.js';

interface QueuedRequest {
  send: () => void;
  fail: (error: RealtimeError) => void;
}

/**
 * Sends requests that expect an acknowledgement, with a timeout, and decides what happens around
 * connection loss.
 *
 * Why this exists: a request made while the client is connecting or reconnecting waits in a queue
 * and goes out once connected (until its timeout). A request already sent when the link drops
 * fails at once with `UNAVAILABLE`, because whether the server applied it is unknown, and silently
 * re-sending could apply it twice. A request made while the client is deliberately disconnected
 * fails at once too. Every request is checked with its event's schema from `shared/` (the one the
 * server checks it with) when it is made, and against the server's limits (size, nesting) just
 * before it goes out. Requests go out through an {@link OutgoingBatcher}: those made within
 * `bufferTime` share one frame, each keeping its own answer and timeout.
 *
 * @example
 * const event = await requests.request('topic:publish', { topic: 'chat.message', payload: {} });
 */
export class RequestManager {
  private readonly queue = new Set<QueuedRequest>();
  private readonly disposers: Disposer[];
  private readonly outbox: OutgoingBatcher;

  /**
   * @param bufferTime how long requests are collected into one frame, ms (`0`: until the current
   *   synchronous run ends; `false`: each request in its own frame); see `outgoingMessageBufferTime`.
   */
  constructor(
    private readonly connection: ConnectionManager,
    private readonly timeoutMs: number,
    bufferTime: number | false = 0,
  ) {
    this.outbox = new OutgoingBatcher({ socket: connection.socket, bufferTime, limits: () => connection.limits });
    this.disposers = [
      connection.events.on('change', ({ state, error }) => {
        if (state === 'connected') return;
        // Nothing waits in a batch across a connection: what was not sent yet fails as not sent.
        this.outbox.clear(new UnavailableError(`The connection was lost (${state}) before the request was sent`));
        if (state === 'disconnected') this.failQueued(error ?? new UnavailableError('The client is disconnected'));
      }),
    ];
  }

  /**
   * Sends `event` without asking for an answer (fire and forget, as Hivekit's `object.set`): it is
   * checked like every request (a refusal throws), queued while connecting, and an error the
   * server finds comes back as `protocol:error` (the client's `'error'` event). While
   * deliberately disconnected it throws `UNAVAILABLE`.
   *
   * @example
   * requests.send('topic:publish', { topic: 'rider.moved', payload: { lat, lon } });
   */
  send<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>): void {
    parseInput(REQUEST_SCHEMAS[event], payload, `${event} request`);
    // Checked once, now: before the first connection against the platform's defaults, whose frame
    // limit every server's is at least, so a server with smaller limits answers protocol:error.
    const bytes = checkRequest(event, payload, this.connection.limits);
    const emit = (): void => this.outbox.send({ event, payload, bytes, timeoutMs: this.timeoutMs });
    const state = this.connection.state;
    if (state === 'connected') {
      emit();
      return;
    }
    if (state === 'disconnected') {
      throw this.connection.lastError ?? new UnavailableError(`Cannot send ${event}: the client is disconnected; call connect()`);
    }
    const queued: QueuedRequest = {
      send: () => {
        clearTimeout(timer);
        emit();
      },
      fail: () => clearTimeout(timer),
    };
    // Like a request, it waits for the connection at most the request timeout, then is dropped.
    const timer = setTimeout(() => this.queue.delete(queued), this.timeoutMs);
    this.queue.add(queued);
  }

  /**
   * Sends `event` and resolves with the acknowledged data, or rejects with a typed error.
   * `timeoutMs` replaces the client's `requestTimeout` for this request (an RPC call waits for its
   * provider).
   */
  request<E extends keyof ClientToServerEvents>(event: E, payload: RequestOf<E>, timeoutMs = this.timeoutMs): Promise<ResultOf<E>> {
    return new Promise<ResultOf<E>>((resolve, reject) => {
      try {
        // The server's own check: a request it would refuse is refused here, before it waits or goes out.
        parseInput(REQUEST_SCHEMAS[event], payload, `${event} request`);
      } catch (err) {
        reject(err);
        return;
      }
      const started = Date.now();
      const send = (remaining: number): void => {
        // Against the limits the server announced at connect: refused here, the request fails with
        // a typed error and the connection stays open (the server would close it above its frame limit).
        let bytes: number;
        try {
          bytes = checkRequest(event, payload, this.connection.limits);
        } catch (err) {
          reject(err);
          return;
        }
        this.outbox.send({ event, payload, bytes, timeoutMs: remaining, answer: (outcome) => settle(outcome) });
      };
      const settle = (outcome: OutgoingOutcome): void => {
        switch (outcome.kind) {
          case 'answered':
            if (outcome.result.ok) resolve(outcome.result.data as ResultOf<E>);
            else reject(errorFromShape(outcome.result.error));
            return;
          case 'timeout':
            reject(new UnavailableError(`No answer to ${event} within ${timeoutMs} ms`, { code: ErrorCode.TIMEOUT }));
            return;
          case 'lost':
            reject(
              new UnavailableError(`Connection lost before the server answered ${event}; it may or may not have taken effect`, {
                cause: outcome.cause,
              }),
            );
            return;
          case 'not-sent':
            reject(outcome.error);
        }
      };

      const state = this.connection.state;
      if (state === 'connected') {
        send(timeoutMs);
        return;
      }
      if (state === 'disconnected') {
        reject(this.connection.lastError ?? new UnavailableError(`Cannot send ${event}: the client is disconnected; call connect()`));
        return;
      }
      const queued: QueuedRequest = {
        send: () => {
          clearTimeout(timer);
          send(Math.max(1, timeoutMs - (Date.now() - started)));
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.queue.delete(queued);
        reject(new UnavailableError(`Not connected within ${timeoutMs} ms to send ${event}`, { code: ErrorCode.TIMEOUT }));
      }, timeoutMs);
      this.queue.add(queued);
    });
  }

  /** Fails every queued request and stops listening to the connection. */
  destroy(error: RealtimeError): void {
    this.failQueued(error);
    for (const dispose of this.disposers) dispose();
  }

  /** Sends every queued request; called once a connection is open and subscriptions are re-sent. */
  flush(): void {
    const queued = [...this.queue];
    this.queue.clear();
    for (const request of queued) request.send();
  }

  private failQueued(error: RealtimeError): void {
    const queued = [...this.queue];
    this.queue.clear();
    for (const request of queued) request.fail(error);
  }
}
