import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { RealtimeIo, RealtimeSocket } from './socket-types.js';

type Packet = unknown[];

/** Options of {@link ConnectionDrain}. */
export interface ConnectionDrainOptions {
  /**
   * Whether the HTTP server is this node's own. When it is the host's (an embedded server), the
   * drain follows only Socket.IO's requests (those under `socketPath`), leaves the host's answers
   * alone and never stops the server from listening.
   * @default true
   */
  ownsHttpServer?: boolean;
  /** Socket.IO's path (with its trailing slash), for `ownsHttpServer: false`. @default '/socket.io/' */
  socketPath?: string;
}

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
 * 1. Closes the door: Socket.IO refuses new handshakes, `GET /ready` answers 503 `draining` (so
 *    balancers stop sending new clients), and HTTP answers carry `Connection: close`.
 * 2. Lets each Socket.IO connection's requests in flight be answered (a sync write that reached
 *    the store is acknowledged), then disconnects it from the server side. The client treats that
 *    as recoverable: it reconnects, through the balancer, to another node and resubscribes there.
 *    Requests arriving meanwhile are served too; each connection goes as soon as it is idle.
 * 3. Stops listening, and waits for REST requests in flight to be answered.
 *
 * Everything is bounded by the deadline; what is left then is for the caller to cut.
 *
 * @example
 * const io = new Server(httpServer, { allowRequest: (req, callback) => drain.allowRequest(req, callback) });
 * const drain = new ConnectionDrain(io, httpServer, logger);
 * new RealtimeGateway({ io, ..., requestChecks: [drain.trackRequest] });
 * const { cut } = await drain.drain(Date.now() + 10_000);
 */
export class ConnectionDrain {
  private draining = false;
  /** Requests awaiting their acknowledgement, per connection. */
  private readonly inFlight = new Map<RealtimeSocket, number>();
  /** Connections to disconnect as soon as they are idle. */
  private readonly leaving = new Set<RealtimeSocket>();
  /** HTTP answers not yet sent. */
  private readonly responses = new Set<ServerResponse>();

  constructor(
    private readonly io: RealtimeIo,
    private readonly httpServer: HttpServer,
    private readonly logger: Logger,
    private readonly options: ConnectionDrainOptions = {},
  ) {
    io.on('connection', (socket) => this.track(socket));
    const ownsHttpServer = options.ownsHttpServer !== false;
    const socketPath = options.socketPath ?? '/socket.io/';
    // Only watches: Socket.IO and the app answer, whichever the path is for.
    httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (ownsHttpServer || (req.url ?? '').startsWith(socketPath)) this.follow(res);
    });
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

  /**
   * Follows every HTTP answer (REST and long-polling) so that one given while draining, also to a
   * request that arrived before, closes its kept-alive connection afterwards.
   */
  private follow(res: ServerResponse): void {
    if (this.draining) {
      this.closeAfter(res);
      return;
    }
    this.responses.add(res);
    res.once('close', () => this.responses.delete(res));
  }

  private closeAfter(res: ServerResponse): void {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    // Already sent with keep-alive (a long-poll under way): close once it is out.
    else res.once('finish', () => res.socket?.end());
  }

  /** Drains until every connection is gone or `deadline` (Unix ms) passes, whichever is first. */
  async drain(deadline: number): Promise<DrainOutcome> {
    this.draining = true;
    for (const res of this.responses) this.closeAfter(res);
    this.responses.clear();
    const sockets = [...this.io.of('/').sockets.values()];
    this.logger.info({ connections: sockets.length }, 'draining: refusing new connections; clients are told to reconnect elsewhere');
    const departures = sockets.map((socket) => this.leaveWhenIdle(socket));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
    });
    try {
      await Promise.race([Promise.all(departures), timeout]);
      // Only now: a long-polling client fetches its last answers and the disconnect on new
      // requests, which need the port open. A host's server stays open: the host closes it.
      if (this.options.ownsHttpServer !== false) {
        const httpClosed = new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
        await Promise.race([httpClosed, timeout]);
      }
    } finally {
      clearTimeout(timer);
    }
    const cut = [...this.leaving].filter((socket) => socket.connected).length;
    const outcome = { drained: sockets.filter((socket) => !socket.connected).length, cut };
    if (cut > 0) this.logger.warn(outcome, 'drain timed out: closing connections with requests in flight');
    else this.logger.info(outcome, 'drained');
    return outcome;
  }

  /**
   * Counts each request of a connection that awaits its acknowledgement until it is answered: a
   * check of every request (the gateway's request table runs it, see `RequestCheck`).
   */
  readonly trackRequest = (socket: RealtimeSocket, packet: Packet): boolean => {
    const last = packet.length - 1;
    const ack = packet[last];
    if (typeof ack !== 'function') return true;
    this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
    let answered = false;
    packet[last] = (...args: unknown[]) => {
      if (answered) return;
      answered = true;
      (ack as (...args: unknown[]) => void)(...args);
      this.settle(socket);
    };
    return true;
  };

  private track(socket: RealtimeSocket): void {
    socket.on('disconnect', this.forget);
    // It got through the handshake just as the drain began.
    if (this.draining) void this.leaveWhenIdle(socket);
  }

  /** Every connection's `disconnect` listener (one function; the connection is its `this`). */
  private readonly forget = ((drain: ConnectionDrain) =>
    function (this: RealtimeSocket): void {
      drain.inFlight.delete(this);
      drain.leaving.delete(this);
    })(this);

  private settle(socket: RealtimeSocket): void {
    const count = (this.inFlight.get(socket) ?? 1) - 1;
    if (count > 0) {
      this.inFlight.set(socket, count);
      return;
    }
    this.inFlight.delete(socket);
    if (this.leaving.has(socket)) socket.disconnect(true);
  }

  /**
   * Disconnects `socket` once it has no request in flight; resolves when its transport has closed,
   * that is once the client received everything sent before, the disconnect included (a
   * long-polling client fetches them with its next request).
   */
  private leaveWhenIdle(socket: RealtimeSocket): Promise<void> {
    const transport = socket.conn;
    if (transport.readyState === 'closed') return Promise.resolve();
    const gone = new Promise<void>((resolve) => transport.once('close', () => resolve()));
    if (socket.connected) {
      this.leaving.add(socket);
      // The acknowledgements already sent go out before the disconnect, on the same transport.
      if ((this.inFlight.get(socket) ?? 0) === 0) socket.disconnect(true);
    }
    return gone;
  }
}
