import { assertJsonShape, toRealtimeError, type ErrorShape } from '../../shared/index.js';
import type { RequestCheck } from '../kernel/request-table.js';

/**
 * A check of every request (a {@link RequestCheck} of the request table) that refuses, before any
 * handler, schema or serialiser sees it, every request nested deeper than `maxDepth` levels or
 * holding a `__proto__` key (`INVALID_ARGUMENT`, with `details.depth` and `details.limit` for nesting). The answer goes on
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
 * new RequestTable({ checks: [requestShapeCheck(limits.maxPayloadDepth, new Set(['batch']))] });
 */
export function requestShapeCheck(maxDepth: number, servedByHandler: ReadonlySet<string> = new Set()): RequestCheck {
  return (socket, packet) => {
    const [event, ...args] = packet;
    if (servedByHandler.has(event)) return true;
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (result: unknown) => void) : undefined;
    const name = String(event).slice(0, 100);
    try {
      for (const arg of ack === undefined ? args : args.slice(0, -1)) assertJsonShape(arg, maxDepth, `${name} request`);
    } catch (err) {
      const error: ErrorShape = toRealtimeError(err).toJSON();
      if (ack !== undefined) ack({ ok: false, error });
      else socket.emit('protocol:error', { ...error, details: { event: name, ...(error.details as object) } });
      return false;
    }
    return true;
  };
}
