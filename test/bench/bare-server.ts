import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { AckResult, ClientToServerEvents, Mutation, RealtimeEvent, ServerToClientEvents, SyncDocument } from '../../shared/index.js';
import { BENCH_REALM } from './bench-event.js';

/**
 * The baseline: a bare Socket.IO server (same socket.io version and server options as the
 * platform) that speaks just enough of the platform's wire protocol for the benchmark clients to
 * drive it unchanged. No authentication, no validation, no filters, no per-recipient work:
 * `subscribe` joins the topic's room, `topic:publish` is one `io.to(room).emit('event', envelope)`
 * with an envelope of the same shape and size as a RealtimeEvent, and `sync:*` keep documents in a
 * Map. Anything the platform does beyond this is its overhead.
 *
 * @example
 * const bare = createBareServer();
 * bare.httpServer.listen(0);
 */
export interface BareServer {
  httpServer: HttpServer;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
}

/** The platform's transport frame limit with default limits (max(1 MB, 4 × 64 KiB)). */
const MAX_HTTP_BUFFER_SIZE = 1_000_000;

export function createBareServer(): BareServer {
  const httpServer = createServer();
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(httpServer, { maxHttpBufferSize: MAX_HTTP_BUFFER_SIZE });
  const documents = new Map<string, SyncDocument>();
  let eventCounter = 0;

  io.on('connection', (socket) => {
    socket.on('subscribe', (request, ack) => {
      void socket.join(`${BENCH_REALM}:topic:${request.topic}`);
      ack({ ok: true, data: { subscriptionId: request.subscriptionId ?? 'sub', realm: BENCH_REALM, topic: request.topic } });
    });

    socket.on('topic:publish', (request, ack) => {
      eventCounter += 1;
      const event: RealtimeEvent = {
        // Same length as the platform's ULIDs, so both send the same number of bytes.
        id: String(eventCounter).padStart(26, '0'),
        topic: request.topic,
        source: 'socket',
        type: request.type ?? 'socket.publish',
        payload: request.payload,
        metadata: { publisher: 'bench-publisher', timestamp: Date.now(), realm: BENCH_REALM },
      };
      io.to(`${BENCH_REALM}:topic:${request.topic}`).emit('event', event);
      ack({ ok: true, data: event });
    });

    // The RPC case's baseline: one request answered on its acknowledgement, no provider hop.
    socket.on('rpc:make', (request, ack) => {
      ack({ ok: true, data: { data: request.data ?? null } });
    });

    socket.on('sync:create', (request, ack) => {
      const now = Date.now();
      const id = request.id ?? `doc_${documents.size}`;
      const document: SyncDocument = { service: request.service, id, revision: 1, data: request.data, createdAt: now, updatedAt: now };
      documents.set(`${request.service}/${id}`, document);
      ack({ ok: true, data: document });
    });

    socket.on('sync:get', (request, ack) => {
      ack(found(documents.get(`${request.service}/${request.id}`)));
    });

    socket.on('sync:mutate', (request, ack) => {
      const key = `${request.service}/${request.id}`;
      const current = documents.get(key);
      if (current === undefined) {
        ack(found(current));
        return;
      }
      const next: SyncDocument = {
        ...current,
        revision: current.revision + 1,
        data: applyIncrements(current.data, request.mutations),
        updatedAt: Date.now(),
      };
      documents.set(key, next);
      ack({ ok: true, data: next });
    });
  });

  return { httpServer, io };
}

function found(document: SyncDocument | undefined): AckResult<SyncDocument> {
  return document === undefined ? { ok: false, error: { code: 'NOT_FOUND', message: 'No such document' } } : { ok: true, data: document };
}

/** The one mutation the benchmark sends: `increment` of a top-level number. */
function applyIncrements(data: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  const next = { ...data };
  for (const mutation of mutations) {
    if (mutation.op !== 'increment') continue;
    const key = mutation.path.slice(1);
    const value = next[key];
    next[key] = (typeof value === 'number' ? value : 0) + mutation.value;
  }
  return next;
}
