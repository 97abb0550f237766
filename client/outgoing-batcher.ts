import { ErrorCode, UnavailableError, type AckResult, type BatchEntry, type BatchResult, type SessionLimits } from '../shared/index.js';
import type { RealtimeSocket } from './connection-manager.js';

/**
 * One request on its way out: its event and payload, its JSON size (as `checkRequest` measured
 * it), how long it may wait for its answer, and where the answer goes (`undefined` for a
 * fire-and-forget request, sent without an acknowledgement).
 */
export interface OutgoingRequest {
  event: string;
  payload: unknown;
  bytes: number;
  timeoutMs: number;
  answer?: (outcome: OutgoingOutcome) => void;
}

/** What became of a request: the server's answer, or why there is none. */
export type OutgoingOutcome =
  | { kind: 'answered'; result: AckResult<unknown> }
  | { kind: 'timeout' }
  | { kind: 'lost'; cause: Error }
  | { kind: 'not-sent'; error: UnavailableError };

/** What an {@link OutgoingBatcher} is built from. */
export interface OutgoingBatcherOptions {
  socket: RealtimeSocket;
  /**
   * How long requests are collected before they go out together, ms: `0` until the current
   * synchronous run ends (a microtask), `false` for no batching (each request in its own frame).
   */
  bufferTime: number | false;
  /** The limits the server announced (`maxBatchEntries`, `maxBatchBytes`). */
  limits: () => SessionLimits;
}

/** `{"event":"","request":,"ack":false}` around each entry, generously. */
const ENTRY_OVERHEAD_BYTES = 40;

/**
 * Sends requests to the server, several in one Socket.IO frame (`batch`) when they are made
 * within `bufferTime` of each other, each keeping its own answer, timeout and order.
 *
 * Why this exists: Hivekit clients combine every action of one JavaScript run into one message
 * (`outgoingMessageBufferTime`); a burst of requests (a resubscription after a reconnect, a UI
 * writing many objects) then costs one frame instead of hundreds. A batch never exceeds the
 * server's `maxBatchEntries` and `maxBatchBytes` (a new one is started), a request too large for
 * a batch goes alone, and a batch of one is sent as a plain frame, so a single request looks on
 * the wire exactly as without batching. Requests still waiting when the connection is gone are
 * failed as never sent (`UNAVAILABLE`, safe to retry); Socket.IO would otherwise buffer them and
 * send them on the next connection before the client is ready.
 *
 * @example
 * const batcher = new OutgoingBatcher({ socket, bufferTime: 0, limits: () => connection.limits });
 * batcher.send({ event: 'topic:publish', payload, bytes: 120, timeoutMs: 10_000, answer: (outcome) => settle(outcome) });
 */
export class OutgoingBatcher {
  private queue: OutgoingRequest[] = [];
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;

  constructor(private readonly options: OutgoingBatcherOptions) {}

  /** Queues a request for the next frame (or sends it at once without batching). */
  send(request: OutgoingRequest): void {
    const { bufferTime } = this.options;
    if (bufferTime === false) {
      this.emitAlone(request);
      return;
    }
    this.queue.push(request);
    if (this.scheduled) return;
    this.scheduled = true;
    const generation = this.generation;
    const run = (): void => {
      if (generation !== this.generation) return;
      this.flush();
    };
    if (bufferTime === 0) queueMicrotask(run);
    else this.timer = setTimeout(run, bufferTime);
  }

  /** Sends everything queued now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    if (queued.length === 0) return;
    if (!this.options.socket.connected) {
      for (const request of queued) {
        request.answer?.({ kind: 'not-sent', error: new UnavailableError(`The connection was lost before ${request.event} was sent`) });
      }
      return;
    }
    const { maxBatchEntries, maxBatchBytes } = this.options.limits();
    let group: OutgoingRequest[] = [];
    let groupBytes = 0;
    const sendGroup = (): void => {
      if (group.length === 1) this.emitAlone(group[0] as OutgoingRequest);
      else if (group.length > 1) this.emitBatch(group);
      group = [];
      groupBytes = 0;
    };
    for (const request of queued) {
      const bytes = request.bytes + ENTRY_OVERHEAD_BYTES;
      if (bytes > maxBatchBytes) {
        sendGroup();
        this.emitAlone(request);
        continue;
      }
      if (group.length >= maxBatchEntries || groupBytes + bytes > maxBatchBytes) sendGroup();
      group.push(request);
      groupBytes += bytes;
    }
    sendGroup();
  }

  /** Fails what is queued (never sent) and stops the pending flush. */
  clear(error: UnavailableError): void {
    this.generation += 1;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    for (const request of queued) request.answer?.({ kind: 'not-sent', error });
  }

  private emitAlone(request: OutgoingRequest): void {
    const socket = this.options.socket as unknown as UntypedSocket;
    const { answer } = request;
    if (answer === undefined) {
      socket.emit(request.event, request.payload);
      return;
    }
    socket.timeout(request.timeoutMs).emit(request.event, request.payload, (err, result) => {
      answer(err === null || err === undefined ? { kind: 'answered', result } : outcomeOfAckError(err));
    });
  }

  private emitBatch(group: OutgoingRequest[]): void {
    const socket = this.options.socket as unknown as UntypedSocket;
    const entries: BatchEntry[] = group.map((request) => ({
      event: request.event,
      request: request.payload,
      ...(request.answer === undefined ? { ack: false } : {}),
    }));
    const answered = group.filter((request) => request.answer !== undefined);
    if (answered.length === 0) {
      socket.emit('batch', { entries });
      return;
    }
    // Each request keeps its own deadline; the batch waits for the longest of them.
    const settled = new Set<OutgoingRequest>();
    const settle = (request: OutgoingRequest, outcome: OutgoingOutcome): void => {
      if (settled.has(request)) return;
      settled.add(request);
      clearTimeout(timers.get(request));
      request.answer?.(outcome);
    };
    const longest = Math.max(...answered.map((request) => request.timeoutMs));
    const timers = new Map<OutgoingRequest, ReturnType<typeof setTimeout>>();
    for (const request of answered) {
      if (request.timeoutMs < longest)
        timers.set(
          request,
          setTimeout(() => settle(request, { kind: 'timeout' }), request.timeoutMs),
        );
    }
    socket.timeout(longest).emit('batch', { entries }, (err, result) => {
      if (err !== null && err !== undefined) {
        const outcome = outcomeOfAckError(err);
        for (const request of answered) settle(request, outcome);
        return;
      }
      const batch = result as AckResult<BatchResult>;
      group.forEach((request, index) => {
        if (request.answer === undefined) return;
        const entry = batch.ok ? batch.data.results[index] : batch;
        settle(request, {
          kind: 'answered',
          result: entry ?? { ok: false, error: { code: ErrorCode.INTERNAL, message: 'The server answered the batch without this request' } },
        });
      });
    });
  }
}

interface UntypedSocket {
  emit(event: string, payload: unknown): void;
  timeout(ms: number): { emit(event: string, payload: unknown, ack: (err: Error | null, result: AckResult<unknown>) => void): void };
}

/**
 * Whether an ack error from `socket.timeout(ms).emit()` is Socket.IO's timeout (`'operation has
 * timed out'`) rather than the socket disconnecting first (`'socket has been disconnected'`).
 * Socket.IO tells them apart by message only, so this is the one place that reads it.
 */
function outcomeOfAckError(err: Error): OutgoingOutcome {
  return err.message.includes('timed out') ? { kind: 'timeout' } : { kind: 'lost', cause: err };
}
