import type { Logger } from 'pino';
import {
  CLIENT_EVENT_NAMES,
  InvalidArgumentError,
  LimitExceededError,
  PayloadTooLargeError,
  assertJsonShape,
  batchEntrySchema,
  parseInput,
  type AckResult,
  type BatchEntry,
  type BatchResult,
  type ErrorShape,
} from '../../shared/index.js';
import type { RequestTable, SharedListener } from '../kernel/request-table.js';
import { errorShapeFor } from '../kernel/socket-requests.js';
import type { RealtimeSocket } from '../socket-types.js';

/** What serving batches needs: the limits that bound one, and where unexpected errors go. */
export interface BatchLimits {
  /** Most entries in one batch. */
  maxBatchEntries: number;
  /** Largest batch, JSON bytes of its entries. */
  maxBatchBytes: number;
  /** Deepest nesting of one entry's request (the request shape guard's limit). */
  maxPayloadDepth: number;
}

type Reply = (result: AckResult<unknown>) => void;
type Listener = SharedListener;

const KNOWN_EVENTS: ReadonlySet<string> = new Set(CLIENT_EVENT_NAMES);

/**
 * Serves `batch` on every connection (one shared listener in the server's request table): several
 * requests in one Socket.IO frame (`{ entries: [{ event, request, ack? }] }`),
 * answered with one acknowledgement `{ results }` holding each entry's own `{ ok, data | error }`
 * in order (`null` for an entry sent with `ack: false`).
 *
 * Why it works this way: each entry is handed to the very listeners that serve its event when it
 * comes alone (`RequestTable.listenersOf`), after the same request-shape check the guard makes, so
 * schema, realm, rate limit, permission gate, size limits and errors are the same code path. The
 * entries are started in order within one synchronous run, exactly as Socket.IO dispatches
 * consecutive frames, so one that fails (or is unknown) fails alone. One acknowledgement for the
 * whole batch, rather than one message per entry, because Socket.IO acknowledges a frame once, and
 * it keeps the answer one frame too; the cost is that a batch is answered when its slowest entry
 * is, which is why the client only batches what it sent within one `outgoingMessageBufferTime`.
 * An entry with `ack: false` is served without an acknowledgement (its errors go out as
 * `protocol:error`, as for a request sent alone without one); a batch sent without an
 * acknowledgement serves all its entries that way.
 *
 * Bounds: more than `maxBatchEntries` entries is `LIMIT_EXCEEDED`, more than `maxBatchBytes` of
 * entries is `PAYLOAD_TOO_LARGE`, both for the whole batch and before any entry is served.
 *
 * @example
 * serveBatches(table, { maxBatchEntries: 100, maxBatchBytes: 524288, maxPayloadDepth: 64 }, logger);
 */
export function serveBatches(table: RequestTable, limits: BatchLimits, logger: Logger): void {
  table.add('batch', function (this: RealtimeSocket, ...args: unknown[]): void {
    const socket = this;
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as Reply) : undefined;
    const raw = typeof args[0] === 'function' ? undefined : args[0];
    let entries: unknown[];
    try {
      entries = batchEntries(raw, limits);
    } catch (err) {
      const error = errorShapeFor(err, logger, 'batch');
      if (ack !== undefined) ack({ ok: false, error });
      else socket.emit('protocol:error', { ...error, details: { event: 'batch', ...asObject(error.details) } });
      return;
    }
    const answers = entries.map((entry) => serveEntry(socket, table, entry, ack !== undefined, limits, logger));
    if (ack === undefined) return;
    void Promise.all(answers).then((results) => ack({ ok: true, data: { results } satisfies BatchResult }));
  });
}

/** The entries of a batch request, within the limits; throws the typed error for the whole batch. */
function batchEntries(raw: unknown, limits: BatchLimits): unknown[] {
  const envelope = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
  const extra = envelope === undefined ? [] : Object.keys(envelope).filter((key) => key !== 'entries');
  if (envelope === undefined || !Array.isArray(envelope.entries) || extra.length > 0 || Object.hasOwn(envelope, '__proto__')) {
    throw new InvalidArgumentError('Invalid batch request: it must be { entries: [{ event, request?, ack? }, ...] }', {
      details: { issues: [{ path: extra[0]?.slice(0, 100) ?? 'entries', message: 'a batch request is { entries: [...] }' }] },
    });
  }
  const entries = envelope.entries as unknown[];
  if (entries.length > limits.maxBatchEntries) {
    throw new LimitExceededError(`A batch may hold at most ${limits.maxBatchEntries} requests; this one has ${entries.length}`, {
      details: { limit: limits.maxBatchEntries, entries: entries.length },
    });
  }
  // The whole batch is one frame the transport already read (and bounded); measuring it is one
  // more linear pass. An entry too deep to serialise safely is not measured: it fails on its own.
  let size = 2 + Math.max(0, entries.length - 1);
  for (const entry of entries) {
    if (isShallowEnough(entry, limits.maxPayloadDepth + 1)) size += Buffer.byteLength(JSON.stringify(entry) ?? 'null');
  }
  if (size > limits.maxBatchBytes) {
    throw new PayloadTooLargeError(`A batch may be at most ${limits.maxBatchBytes} bytes; this one is ${size}`, {
      details: { size, limit: limits.maxBatchBytes },
    });
  }
  return entries;
}

/** Whether `value` nests no deeper than `maxDepth` (without building an error for it). */
function isShallowEnough(value: unknown, maxDepth: number): boolean {
  try {
    assertJsonShape(value, maxDepth, 'batch entry');
    return true;
  } catch {
    return false;
  }
}

/**
 * Serves one entry through its event's own listeners; resolves with its answer (`null` when no
 * acknowledgement is wanted). Never rejects: a bad entry becomes its own error answer.
 */
function serveEntry(
  socket: RealtimeSocket,
  table: RequestTable,
  raw: unknown,
  batchAcked: boolean,
  limits: BatchLimits,
  logger: Logger,
): Promise<AckResult<unknown> | null> {
  const wantsAck = batchAcked && !(typeof raw === 'object' && raw !== null && (raw as { ack?: unknown }).ack === false);
  let entry: BatchEntry;
  let listeners: Listener[];
  try {
    entry = parseInput(batchEntrySchema, raw, 'batch entry');
    const name = entry.event;
    if (Object.hasOwn(raw as object, '__proto__')) throw new InvalidArgumentError('Invalid batch entry: "__proto__" is not allowed as a key');
    if (!KNOWN_EVENTS.has(name) || name === 'batch') {
      throw new InvalidArgumentError(name === 'batch' ? 'A batch cannot hold a batch' : `Unknown event "${name}"`, { details: { event: name } });
    }
    // The request shape guard's check, as for the same request sent alone.
    if (entry.request !== undefined) assertJsonShape(entry.request, limits.maxPayloadDepth, `${name} request`);
    listeners = table.listenersOf(socket, name);
    if (listeners.length === 0) throw new InvalidArgumentError(`Unknown event "${name}"`, { details: { event: name } });
  } catch (err) {
    const error: ErrorShape = errorShapeFor(err, logger, 'batch');
    if (!wantsAck) socket.emit('protocol:error', { ...error, details: { event: 'batch', ...asObject(error.details) } });
    return Promise.resolve(wantsAck ? { ok: false, error } : null);
  }
  if (!wantsAck) {
    for (const serve of listeners) serve.call(socket, entry.request);
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    let answered = false;
    const ack: Reply = (result) => {
      if (answered) return;
      answered = true;
      resolve(result);
    };
    for (const serve of listeners) serve.call(socket, entry.request, ack);
  });
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
