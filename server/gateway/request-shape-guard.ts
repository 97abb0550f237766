import { assertJsonShape, toRealtimeError, type ErrorShape } from '../../shared/index.js';
import type { RealtimeSocket } from '../socket-types.js';

type Packet = [event: string, ...args: unknown[]];

/**
 * A Socket.IO middleware (`socket.use`) that refuses, before any handler, schema or serialiser
 * sees it, every request nested deeper than `maxDepth` levels or holding a `__proto__` key
 * (`INVALID_ARGUMENT`, with `details.depth` and `details.limit` for nesting). The answer goes on
 * the acknowledgement, or as `protocol:error` without one; the connection stays open.
 *
 * Why first: the request handlers (zod, `JSON.stringify` for sizes, `structuredClone`, the Redis
 * adapter's MessagePack encoder) recurse, and a payload a few thousand levels deep overflows their
 * stack, which answered `INTERNAL` or, in cluster mode, failed to send an event already stored.
 * Zod also drops a `__proto__` key silently instead of refusing it.
 *
 * Events in `servedByHandler` (`batch`) are passed on unchecked: their handler checks each request
 * they carry on its own, so that one too-deep entry fails alone.
 *
 * @example
 * socket.use(requestShapeGuard(socket, limits.maxPayloadDepth, new Set(['batch'])));
 */
export function requestShapeGuard(socket: RealtimeSocket, maxDepth: number, servedByHandler: ReadonlySet<string> = new Set()) {
  return (packet: Packet, next: (err?: Error) => void): void => {
    const [event, ...args] = packet;
    if (servedByHandler.has(event)) {
      next();
      return;
    }
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (result: unknown) => void) : undefined;
    const name = String(event).slice(0, 100);
    try {
      for (const arg of ack === undefined ? args : args.slice(0, -1)) assertJsonShape(arg, maxDepth, `${name} request`);
    } catch (err) {
      const error: ErrorShape = toRealtimeError(err).toJSON();
      if (ack !== undefined) ack({ ok: false, error });
      else socket.emit('protocol:error', { ...error, details: { event: name, ...(error.details as object) } });
      return;
    }
    next();
  };
}
