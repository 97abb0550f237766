import type { InferOutput } from 'valibot';
import { parseInput, type AnySchema, type Principal } from '../../shared/index.js';
import { resolveRealm } from '../auth/permissions.js';
import type { RateLimitedAction } from '../limits/rate-limit-options.js';
import type { RateLimits } from '../limits/rate-limits.js';
import type { RealtimeSocket } from '../socket-types.js';
import { accessIn, authorize, type Access, type Requirement } from './access.js';

/** What every operation runs with: the caller's access in the request's realm. */
export interface OperationContext extends Access {
  /** The calling connection's id, absent over REST (a REST caller has no connection). */
  readonly connectionId: string | undefined;
}

/** What an operation that only exists on a connection runs with. */
export interface SocketOperationContext extends OperationContext {
  readonly connectionId: string;
  readonly socket: RealtimeSocket;
}

/**
 * What an operation about the calling connection itself runs with (`unsubscribe`): it works in no
 * realm, so none is resolved.
 */
export interface ConnectionContext {
  readonly principal: Principal;
  readonly connectionId: string;
  readonly socket: RealtimeSocket;
}

/** Any context an operation can run with. */
export type AnyOperationContext = OperationContext | ConnectionContext;

/**
 * One thing a client can ask of the platform, independent of the transport: its request schema
 * (from `shared/`), the rate limit it counts against, what it requires, and what it does. The
 * Socket.IO adapter and the REST routes run it through {@link runOperation}, so validation, the
 * realm, rate limits and permissions are the same whichever way the request came.
 *
 * @example
 * export const unsubscribe = defineOperation({
 *   name: 'unsubscribe',
 *   input: unsubscribeRequestSchema,
 *   run: ({ subscriptionId }, context) => ({ subscriptionId }),
 * });
 */
export interface Operation<S extends AnySchema = AnySchema, R = unknown, C extends AnyOperationContext = OperationContext> {
  /** The wire event name (`sync:merge`); error messages name it. */
  readonly name: string;
  readonly input: S;
  /**
   * `'connection'`: the request is about the calling connection, in no realm (`unsubscribe`): no
   * realm is resolved, and it needs no right. @default 'realm'
   */
  readonly scope?: 'realm' | 'connection';
  /** The rate limit each request counts against (checked before the permissions). */
  readonly rateLimit?: RateLimitedAction;
  /** Completes the request before the gate sees it (a generated document id, say). */
  readonly prepare?: (input: InferOutput<S>) => InferOutput<S>;
  /** What the caller must hold; without it, a granted realm is enough. */
  readonly requires?: (input: InferOutput<S>, context: C) => readonly Requirement[];
  readonly run: (input: InferOutput<S>, context: C) => Promise<R> | R;
}

/**
 * Declares an operation (an identity function that keeps the types).
 *
 * @example
 * const getDocument = defineOperation({ name: 'sync:get', input: getDocumentRequestSchema, requires: ..., run: ... });
 */
export function defineOperation<S extends AnySchema, R, C extends AnyOperationContext = OperationContext>(operation: Operation<S, R, C>): Operation<S, R, C> {
  return operation;
}

/** Who calls, and over which connection (none over REST). */
export interface Caller {
  principal: Principal;
  socket?: RealtimeSocket;
}

/**
 * Runs an operation for a caller: validates the raw request with its schema, resolves the realm,
 * counts the rate limit, completes the request (`prepare`), passes the permission gate, then runs
 * the handler. Every transport calls this, and nothing else calls a handler.
 *
 * @example
 * const result = await runOperation(publish, { principal, socket }, raw, rateLimits);
 */
export async function runOperation<S extends AnySchema, R, C extends AnyOperationContext>(
  operation: Operation<S, R, C>,
  caller: Caller,
  raw: unknown,
  rateLimits: RateLimits,
): Promise<R> {
  const parsed = parseInput(operation.input, raw, `${operation.name} request`);
  const input = operation.prepare === undefined ? parsed : operation.prepare(parsed);
  const { principal, socket } = caller;
  if (operation.scope === 'connection') return operation.run(input, { principal, connectionId: socket?.id, socket } as unknown as C);
  const realm = resolveRealm(principal, realmOf(input));
  if (operation.rateLimit !== undefined) await rateLimits.consume(operation.rateLimit, principal, realm, socket?.id);
  const access = accessIn(principal, realm);
  const context = { ...access, connectionId: socket?.id, ...(socket === undefined ? {} : { socket }) } as unknown as C;
  await authorize(access, operation.requires?.(input, context) ?? []);
  return operation.run(input, context);
}

function realmOf(input: unknown): string | undefined {
  const realm = (input as { realm?: unknown }).realm;
  return typeof realm === 'string' ? realm : undefined;
}
