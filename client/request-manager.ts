import {
  ErrorCode,
  REQUEST_SCHEMAS,
  UnavailableError,
  errorFromShape,
  parseInput,
  type AckResult,
  type ClientToServerEvents,
  type RealtimeError,
  type RequestOf,
  type ResultOf,
} from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Disposer } from './emitter.js';
import { checkRequest } from './request-limits.js';

/**
 * Whether an ack error from `socket.timeout(ms).emit()` is Socket.IO's timeout (`'operation has
 * timed out'`) rather than the socket disconnecting first (`'socket has been disconnected'`).
 * Socket.IO tells them apart by message only, so this is the one place that reads it.
 *
 * @example
 * reject(isAckTimeout(err) ? timeoutError : connectionLostError);
 */
function isAckTimeout(err: Error): boolean {
  return err.message.includes('timed out');
}

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
 * before it goes out.
 *
 * @example
 * const event = await requests.request('topic:publish', { topic: 'chat.message', payload: {} });
 */
export class RequestManager {
  private readonly queue = new Set<QueuedRequest>();
  private readonly disposers: Disposer[];

  constructor(
    private readonly connection: ConnectionManager,
    private readonly timeoutMs: number,
  ) {
    this.disposers = [
      connection.events.on('change', ({ state, error }) => {
        if (state === 'disconnected') this.failQueued(error ?? new UnavailableError('The client is disconnected'));
      }),
    ];
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
        try {
          checkRequest(event, payload, this.connection.limits);
        } catch (err) {
          reject(err);
          return;
        }
        const emitter = this.connection.socket.timeout(remaining) as unknown as {
          emit(event: string, payload: unknown, ack: (err: Error | null, result: AckResult<unknown>) => void): void;
        };
        emitter.emit(event, payload, (err, result) => {
          if (err !== null && err !== undefined) {
            reject(
              isAckTimeout(err)
                ? new UnavailableError(`No answer to ${event} within ${timeoutMs} ms`, { code: ErrorCode.TIMEOUT })
                : new UnavailableError(
                    `Connection lost before the server answered ${event}; it may or may not have taken effect`,
                    { cause: err },
                  ),
            );
          } else if (result.ok) {
            resolve(result.data as ResultOf<E>);
          } else {
            reject(errorFromShape(result.error));
          }
        });
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
