import type { Logger } from 'pino';
import {
  parseInput,
  REQUEST_SCHEMAS,
  toRealtimeError,
  type AckResult,
  type ClientToServerEvents,
  type ErrorShape,
  type RequestOf,
  type ResultOf,
} from '../../shared/index.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { RealtimeSocket } from '../socket-types.js';
import type { RequestTable, SharedListener } from './request-table.js';
import { runOperation, type ConnectionContext, type Operation, type OperationContext, type SocketOperationContext } from './operation.js';

/**
 * A feature's socket operations, keyed by wire event: each one's schema and result must match
 * the event map (`shared/protocol.ts`), so a handler that answers the wrong shape does not compile.
 */
export type SocketOperations = {
  readonly [E in keyof ClientToServerEvents]?:
    | Operation<(typeof REQUEST_SCHEMAS)[E], ResultOf<E>, OperationContext>
    | Operation<(typeof REQUEST_SCHEMAS)[E], ResultOf<E>, SocketOperationContext>
    | Operation<(typeof REQUEST_SCHEMAS)[E], ResultOf<E>, ConnectionContext>;
};

type Reply = (result: AckResult<unknown>) => void;

/** What serving operations on a connection needs. */
export interface SocketRequestDeps {
  logger: Logger;
  rateLimits: RateLimits;
  /** Counts each request served, by operation and outcome (the server's metrics). */
  metrics?: OperationMetrics;
}

/**
 * What serving a request reports: the operation's name and `ok` or the error code. Both
 * transports report through it (REST finds it in the Express app's `locals.operationMetrics`).
 */
export interface OperationMetrics {
  operationServed(operation: string, outcome: string): void;
}

/**
 * Serves a feature's operations on every connection of a server: one shared listener per
 * operation in the server's {@link RequestTable} (the connection is the listener's `this`), each
 * request run through `runOperation` (schema, realm, rate limit, permission gate, handler) and
 * answered on its acknowledgement. A closure per event per socket cost each idle connection a few
 * hundred bytes for each of the sixty-odd events it serves; a listener table per socket, 2.7 KB.
 *
 * @example
 * serveOperations(table, topicOperations(services), { logger, rateLimits });
 */
export function serveOperations(table: RequestTable, operations: SocketOperations, deps: SocketRequestDeps): void {
  for (const [event, operation] of Object.entries(operations) as unknown as [string, Operation][]) {
    table.add(
      event,
      requestListener(
        deps.logger,
        event,
        (socket, raw) => runOperation(operation, { principal: socket.data.principal, socket }, raw, deps.rateLimits),
        deps.metrics === undefined ? undefined : (outcome) => deps.metrics?.operationServed(operation.name, outcome),
      ),
    );
  }
}

/**
 * A request about the connection itself, not a realm (`auth:refresh`, `sys:ping`), as one
 * listener for every connection (put it in the server's {@link RequestTable}): validated with the
 * event's schema from `shared/`, answered like every operation, with no permission step.
 *
 * @example
 * table.add('sys:ping', sessionRequestListener(logger, 'sys:ping', () => ({ time: Date.now() })));
 */
export function sessionRequestListener<E extends keyof ClientToServerEvents>(
  logger: Logger,
  event: E,
  handler: (request: RequestOf<E>, socket: RealtimeSocket) => Promise<ResultOf<E>> | ResultOf<E>,
): SharedListener {
  return requestListener(logger, event, (socket, raw) => handler(parseInput(REQUEST_SCHEMAS[event], raw, `${event} request`) as RequestOf<E>, socket));
}

/**
 * Registers, on one connection, a request about the connection itself whose handler holds that
 * connection's own state (`auth:login` while it waits for its login): validated with the event's
 * schema from `shared/`, answered like every operation, with no permission step. Requests every
 * connection serves alike go in the server's {@link RequestTable} instead ({@link sessionRequestListener}).
 *
 * @example
 * onSessionRequest(socket, logger, 'auth:login', (request) => login(request));
 */
export function onSessionRequest<E extends keyof ClientToServerEvents>(
  socket: RealtimeSocket,
  logger: Logger,
  event: E,
  handler: (request: RequestOf<E>) => Promise<ResultOf<E>> | ResultOf<E>,
): void {
  const listener = requestListener(logger, event, (_socket, raw) => handler(parseInput(REQUEST_SCHEMAS[event], raw, `${event} request`) as RequestOf<E>));
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, listener);
}

/** A request listener; the emitter (or the request table) calls it with the connection as `this`. */
type Listener = (this: RealtimeSocket, ...args: unknown[]) => Promise<void>;

/**
 * Answers one event on its acknowledgement with `{ ok: true, data }` or a typed
 * `{ ok: false, error }`; requests sent without an acknowledgement get their errors as
 * `protocol:error`. A throwing handler never takes the connection or the server down.
 */
function requestListener(
  logger: Logger,
  event: string,
  handle: (socket: RealtimeSocket, raw: unknown) => Promise<unknown> | unknown,
  served?: (outcome: string) => void,
): Listener {
  return async function (this: RealtimeSocket, ...args: unknown[]): Promise<void> {
    const socket = this;
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Reply) : undefined;
    const reply: Reply = (result) => {
      served?.(result.ok ? 'ok' : result.error.code);
      if (ack !== undefined) ack(result);
      else if (!result.ok) socket.emit('protocol:error', { ...result.error, details: { event, ...asObject(result.error.details) } });
    };
    try {
      reply({ ok: true, data: await handle(socket, typeof args[0] === 'function' ? undefined : args[0]) });
    } catch (err) {
      reply({ ok: false, error: errorShapeFor(err, logger, event) });
    }
  };
}

/**
 * The wire form of an error raised while serving a client; unexpected errors are logged and
 * reported as a generic `INTERNAL`.
 */
export function errorShapeFor(err: unknown, logger: Logger, operation: string): ErrorShape {
  const error = toRealtimeError(err);
  if (error.code === 'INTERNAL') logger.error({ err: error.cause ?? err, operation }, 'request failed');
  return error.toJSON();
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
