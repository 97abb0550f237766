import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { AckResult, ErrorShape, SessionLimits } from '../../shared/index.js';

/** One handshake the fake saw: the token the client sent and when. */
export interface FakeHandshake {
  token: unknown;
  at: number;
}

/** One request the fake received; `reply` answers it (once), until then it is held. */
export interface FakeRequest {
  event: string;
  payload: unknown;
  socket: Socket;
  at: number;
  /** Whether it was answered. */
  answered: boolean;
  /** Whether its sender asked for an answer (an acknowledgement, or a batch entry without `ack: false`). */
  wantsAnswer: boolean;
  reply: (result: AckResult<unknown>) => void;
  ok: (data: unknown) => void;
  fail: (error: ErrorShape) => void;
}

/** What a handshake script answers: nothing to accept, an error shape to refuse (`connect_error` data). */
export type HandshakeScript = (handshake: FakeHandshake, index: number) => ErrorShape | undefined | Promise<ErrorShape | undefined>;

/** A request script: answer through `request.ok/fail/reply`, or leave it held. */
export type RequestScript = (request: FakeRequest) => void;

/**
 * A small in-process server speaking the platform's Socket.IO protocol, without the platform:
 * handshakes are accepted or refused as scripted (the refusal's shape is the `connect_error`'s
 * `data`, as the real server sends it), `session:opened` is sent on connect (or held), requests
 * are answered by scripts or held, and the test can drop the transport, disconnect with a reason or
 * emit any server event. It exists so the client's managers can be pinned deterministically (as
 * centrifuge-js tests its client against a fake).
 *
 * @example
 * const server = await startFakeRealtimeServer();
 * server.handle('subscribe', (request) => request.ok({ subscriptionId: 'sub_1', realm: 'default', topic: 't.a' }));
 * server.refuseHandshakes({ code: 'AUTH_FAILED', message: 'bad token' });
 * await server.close();
 */
export class FakeRealtimeServer {
  readonly handshakes: FakeHandshake[] = [];
  readonly requests: FakeRequest[] = [];
  /** The event of every frame received, in order (`'batch'` for several requests in one frame). */
  readonly frames: string[] = [];
  /** Connected sockets, newest last. */
  readonly sockets: Socket[] = [];
  /** Limits sent in `session:opened`; `false` holds the announcement (the client then never counts as connected). */
  sessionLimits: Partial<SessionLimits> | false = {};
  private handshakeScript: HandshakeScript = () => undefined;
  private readonly scripts = new Map<string, RequestScript>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly http: HttpServer,
    readonly io: Server,
    readonly url: string,
  ) {
    // Heartbeats are answered unless a test scripts (or holds) them otherwise.
    this.scripts.set('sys:ping', (request) => request.ok({ time: Date.now() }));
    io.use((socket, next) => {
      const handshake: FakeHandshake = { token: (socket.handshake.auth as { token?: unknown }).token, at: Date.now() };
      const index = this.handshakes.push(handshake) - 1;
      this.changed();
      Promise.resolve(this.handshakeScript(handshake, index)).then(
        (refusal) => {
          if (refusal === undefined) return next();
          const error = new Error(refusal.message) as Error & { data?: unknown };
          error.data = refusal;
          next(error);
        },
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
    io.on('connection', (socket) => {
      this.sockets.push(socket);
      socket.on('disconnect', () => {
        const at = this.sockets.indexOf(socket);
        if (at >= 0) this.sockets.splice(at, 1);
        this.changed();
      });
      socket.onAny((event: string, payload: unknown, ack?: unknown) => {
        this.frames.push(event);
        if (event === 'batch') {
          this.receiveBatch(socket, payload, ack);
          return;
        }
        this.receive(socket, event, payload, typeof ack === 'function' ? (ack as (result: AckResult<unknown>) => void) : undefined);
        this.changed();
      });
      if (this.sessionLimits !== false) this.openSession(socket);
      this.changed();
    });
  }

  /**
   * Unpacks a `batch` into one request per entry, in order, as the real server serves them; the
   * batch is acknowledged once every entry that wants an answer has one.
   */
  private receiveBatch(socket: Socket, payload: unknown, ack: unknown): void {
    const entries = ((payload as { entries?: unknown }).entries ?? []) as { event: string; request?: unknown; ack?: boolean }[];
    const results: (AckResult<unknown> | null)[] = entries.map(() => null);
    let waiting = entries.filter((entry) => entry.ack !== false).length;
    const done = (): void => {
      if (typeof ack === 'function') (ack as (result: AckResult<unknown>) => void)({ ok: true, data: { results } });
    };
    entries.forEach((entry, index) => {
      const answer =
        entry.ack === false || typeof ack !== 'function'
          ? undefined
          : (result: AckResult<unknown>): void => {
              results[index] = result;
              waiting -= 1;
              if (waiting === 0) done();
            };
      this.receive(socket, entry.event, entry.request, answer);
    });
    if (waiting === 0) done();
    this.changed();
  }

  private receive(socket: Socket, event: string, payload: unknown, ack: ((result: AckResult<unknown>) => void) | undefined): void {
    let answered = false;
    const reply = (result: AckResult<unknown>): void => {
      if (answered) return;
      answered = true;
      request.answered = true;
      ack?.(result);
    };
    const request: FakeRequest = {
      event,
      payload,
      socket,
      at: Date.now(),
      answered: false,
      wantsAnswer: ack !== undefined,
      reply,
      ok: (data) => reply({ ok: true, data }),
      fail: (error) => reply({ ok: false, error }),
    };
    this.requests.push(request);
    this.scripts.get(event)?.(request);
  }

  /** Starts a fake on a free port of 127.0.0.1. */
  static async start(): Promise<FakeRealtimeServer> {
    const http = createServer();
    const io = new Server(http, { serveClient: false, transports: ['websocket', 'polling'] });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new FakeRealtimeServer(http, io, `http://127.0.0.1:${port}`);
  }

  /** The newest connected socket; throws when none is connected. */
  get socket(): Socket {
    const socket = this.sockets.at(-1);
    if (socket === undefined) throw new Error('No client is connected to the fake server');
    return socket;
  }

  /** Decides every coming handshake (the default accepts all). */
  onHandshake(script: HandshakeScript): void {
    this.handshakeScript = script;
  }

  /** Refuses every coming handshake with `refusal` (as the `connect_error`'s data). */
  refuseHandshakes(refusal: ErrorShape): void {
    this.handshakeScript = () => refusal;
  }

  /** Accepts every coming handshake. */
  acceptHandshakes(): void {
    this.handshakeScript = () => undefined;
  }

  /** Answers every coming `event` request with `script` (replacing an earlier one); requests without a script are held. */
  handle(event: string, script: RequestScript): void {
    this.scripts.set(event, script);
  }

  /** Requests of one event, in arrival order. */
  requestsOf(event: string): FakeRequest[] {
    return this.requests.filter((request) => request.event === event);
  }

  /**
   * Sends `session:opened` to a socket (what makes the client count as connected): with a `user`
   * when its handshake carried a token, as the real server does (without one the client awaits
   * its login).
   */
  openSession(socket: Socket = this.socket, limits: Partial<SessionLimits> = this.sessionLimits || {}): void {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const user = token === undefined ? {} : { user: { userId: 'fake-user', realms: ['default'], expiresAt: Date.now() + 3_600_000 } };
    socket.emit('session:opened', { limits, serverVersion: 'fake', serverBuildDate: '2026-01-01T00:00:00.000Z', ...user });
  }

  /** Emits a server event to the newest socket. */
  emit(event: string, ...args: unknown[]): void {
    this.socket.emit(event, ...args);
  }

  /** Closes the newest socket's transport underneath it: the client sees `transport close`. */
  dropTransport(): void {
    this.socket.conn.close();
  }

  /** Disconnects the newest socket from the server side: the client sees `io server disconnect`. */
  disconnect(): void {
    this.socket.disconnect(true);
  }

  /** Resolves once `predicate` holds (checked on every handshake, request, connect and disconnect). */
  waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Fake server: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Resolves with the `count`-th request of `event` (1-based), once it arrives. */
  async nextRequest(event: string, count = this.requestsOf(event).length + 1): Promise<FakeRequest> {
    await this.waitFor(() => this.requestsOf(event).length >= count, 5000, `${event} request #${count}`);
    return this.requestsOf(event)[count - 1] as FakeRequest;
  }

  /** Resolves once `count` handshakes arrived in all. */
  async handshakeCount(count: number, timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.handshakes.length >= count, timeoutMs, `handshake #${count}`);
  }

  /** Stops the server and every connection. */
  async close(): Promise<void> {
    for (const waiter of this.waiters) this.waiters.delete(waiter);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    if (this.http.listening) await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Starts a {@link FakeRealtimeServer}. */
export function startFakeRealtimeServer(): Promise<FakeRealtimeServer> {
  return FakeRealtimeServer.start();
}
