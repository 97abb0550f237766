import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  toRealtimeError,
  type AckResult,
  type ClientToServerEvents,
  type ErrorShape,
} from '../../shared/index.js';
import { parseInput } from '../validation/parse-input.js';
import type { RealtimeSocket } from '../socket-types.js';

/** The data type a client-to-server event acknowledges with. */
export type AckData<E extends keyof ClientToServerEvents> =
  Parameters<ClientToServerEvents[E]>[1] extends (result: AckResult<infer T>) => void ? T : never;

type Reply = (result: AckResult<unknown>) => void;

/**
 * Registers a request handler for one client event: validates the payload with `schema`, runs
 * `handler`, and answers on the acknowledgement with `{ ok: true, data }` or a typed
 * `{ ok: false, error }`. Requests sent without an acknowledgement get their errors as
 * `protocol:error`. A throwing handler never takes the connection or the server down.
 *
 * @example
 * onRequest(socket, logger, 'unsubscribe', unsubscribeSchema, ({ subscriptionId }) => ({ subscriptionId }));
 */
export function onRequest<E extends keyof ClientToServerEvents, S extends z.ZodType>(
  socket: RealtimeSocket,
  logger: Logger,
  event: E,
  schema: S,
  handler: (input: z.output<S>) => Promise<AckData<E>> | AckData<E>,
): void {
  const listener = async (...args: unknown[]): Promise<void> => {
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Reply) : undefined;
    const reply: Reply = (result) => {
      if (ack !== undefined) ack(result);
      else if (!result.ok) socket.emit('protocol:error', { ...result.error, details: { event, ...asObject(result.error.details) } });
    };
    try {
      const input = parseInput(schema, typeof args[0] === 'function' ? undefined : args[0], `${event} request`);
      reply({ ok: true, data: await handler(input) });
    } catch (err) {
      reply({ ok: false, error: errorShapeFor(err, logger, event) });
    }
  };
  (socket as unknown as { on(event: string, listener: (...args: unknown[]) => void): void }).on(event, listener);
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
