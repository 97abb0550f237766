import type { IncomingMessage } from 'node:http';
import type { Transport } from 'engine.io';
import type { RealtimeIo } from '../socket-types.js';

/** The request engine.io hands to a transport: the upgrade or polling request, parsed. */
export type EngineRequest = IncomingMessage & { _query: Record<string, string>; websocket?: unknown };

/**
 * Chooses the transport object for one engine.io connection. `fallback` builds engine.io's own
 * (what it would have used): a factory returns that for every request it does not change.
 */
export type TransportFactory = (name: string, req: EngineRequest, fallback: () => Transport) => Transport;

/**
 * Puts `factory` in front of the transports engine.io creates for this server's connections.
 *
 * Why this exists: engine.io builds each connection's transport in `createTransport`, the one
 * place where a connection's wire format can differ while everything above it (the Socket.IO
 * namespace, rooms, acks, the Redis adapter, every feature) stays the same. Batched frames and the
 * plain WebSocket protocol (`/ws`) are transports chosen here. Factories chain: the latest one
 * installed is asked first, and its `fallback` is the one before it. Only this server's engine is
 * changed, never engine.io's module-wide table.
 *
 * @example
 * useTransportFactory(io, (name, req, fallback) => (req._query.batch === '1' ? new BatchedWebSocket(req) : fallback()));
 */
export function useTransportFactory(io: RealtimeIo, factory: TransportFactory): void {
  const engine = io.engine as unknown as { createTransport(name: string, req: EngineRequest): Transport };
  const previous = engine.createTransport.bind(engine);
  engine.createTransport = (name, req) => factory(name, req, () => previous(name, req));
}
