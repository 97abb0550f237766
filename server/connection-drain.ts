import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RealtimeIo, RealtimeSocket } from './gateway/socket-types.js';

type Packet = unknown[];

/** What {@link ConnectionDrain.drain} achieved before its deadline. */
export interface DrainOutcome {
  /** Connections told to reconnect elsewhere once their requests in flight were answered. */
  drained: number;
  /** Connections still holding unanswered requests when the deadline came (closed by the caller). */
  cut: number;
}

/**
 * Drains a node that is about to stop, so that a deploy or a scale-down fails nothing its
 * clients are doing:
 *
 * 1. Closes the door: the port stops accepting connections, Socket.IO refuses new handshakes
 *    (also on kept-alive connections), and HTTP answers carry `Connection: close`.
 * 2. Lets each Socket.IO connection's requests in flight be answered (a sync write that reached
 *    the store is acknowledged), then disconnects it from the server side. The client treats that
 *    as recoverable: it reconnects, through the balancer, to another node and resubscribes there.
 *    Requests arriving meanwhile are served too; each connection goes as soon as it is idle.
 * 3. Waits for REST requests in flight to be answered.
 *
 * Everything is bounded by the deadline; what is left then is for the caller to cut.
 *
 * @example
 * const drain = new ConnectionDrain(io, httpServer, logger);
 * new Server(httpServer, { allowRequest: drain.allowRequest });
 * const { cut } = await drain.drain(Date.now() + 10_000);
 */
export class ConnectionDrain {
  private draining = false;
  /** Requests awaiting their acknowledgement, per connection. */
  private readonly inFlight = new Map<RealtimeSocket, number>();
  /** Connections that go as soon as they are idle, with what to call when they went. */
  private readonly leaving = new Map<RealtimeSocket, () => void>();

  constructor(
    private readonly io: RealtimeIo,
    private readonly httpServer: HttpServer,
    private readonly logger: Logger,
  ) {
    io.on('connection', (socket) => this.track(socket));
  }

  /** Whether the node is draining. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Engine.io's `allowRequest`: refuses handshakes while draining. */
  readonly allowRequest = (_req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    if (this.draining) callback('This node is shutting down; connect to another one', false);
    else callback(null, true);
  };

  /** Marks an HTTP answer given while draining so the kept-alive connection closes after it. */
  markResponse(res: ServerResponse): void {
    if (this.draining && !res.headersSent) res.setHeader('Connection', 'close');
  }

  /** Drains until every connection is gone or `deadline` (Unix ms) passes, whichever is first. */
  async drain(deadline: number): Promise<DrainOutcome> {
    this.draining = true;
    const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
    const sockets = [...this.io.of('/').sockets.values()];
    this.logger.info({ connections: sockets.length }, 'draining: no new connections; clients are told to reconnect elsewhere');
    const departures = sockets.map((socket) => this.leaveWhenIdle(socket));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([Promise.all(departures), timeout]);
      await Promise.race([httpClosed, timeout]);
    } finally {
      clearTimeout(timer);
    }
    const cut = [...this.leaving.keys()].filter((socket) => socket.connected).length;
    const outcome = { drained: sockets.length - cut, cut };
    if (cut > 0) this.logger.warn(outcome, 'drain timed out: closing connections with requests in flight');
    else this.logger.info(outcome, 'drained');
    return outcome;
  }

  private track(socket: RealtimeSocket): void {
    socket.use((packet: Packet, next: (err?: Error) => void) => {
      const last = packet.length - 1;
      const ack = packet[last];
      if (typeof ack === 'function') {
        this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
        let answered = false;
        packet[last] = (...args: unknown[]) => {
          if (answered) return;
          answered = true;
          (ack as (...args: unknown[]) => void)(...args);
          this.settle(socket);
        };
      }
      next();
    });
    socket.on('disconnect', () => {
      this.inFlight.delete(socket);
      this.leaving.get(socket)?.();
      this.leaving.delete(socket);
    });
    // It got through the handshake just as the drain began.
    if (this.draining) void this.leaveWhenIdle(socket);
  }

  private settle(socket: RealtimeSocket): void {
    const count = (this.inFlight.get(socket) ?? 1) - 1;
    if (count > 0) {
      this.inFlight.set(socket, count);
      return;
    }
    this.inFlight.delete(socket);
    if (this.leaving.has(socket)) socket.disconnect(true);
  }

  /** Disconnects `socket` once it has no request in flight; resolves when it is gone. */
  private leaveWhenIdle(socket: RealtimeSocket): Promise<void> {
    if (!socket.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.leaving.set(socket, resolve);
      // The acknowledgements already sent go out before the disconnect, on the same transport.
      if ((this.inFlight.get(socket) ?? 0) === 0) socket.disconnect(true);
    });
  }
}
