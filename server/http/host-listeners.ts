import type { Server as HttpServer } from 'node:http';

type HostEvent = 'request' | 'upgrade' | 'close' | 'listening';
const HOST_EVENTS: readonly HostEvent[] = ['request', 'upgrade', 'close', 'listening'];
type Listener = Parameters<HttpServer['removeListener']>[1];

/**
 * The listeners an embedded server adds to a host's `http.Server`, so that closing it gives the
 * host its server back as it was. Socket.IO (engine.io, and its client-file serving) takes the
 * request listeners it finds off the server and calls them from its own for every other path;
 * restoring puts them back first, keeping any request listener the host added since.
 *
 * @example
 * const listeners = HostListeners.before(httpServer);
 * const io = new Server(httpServer);
 * listeners.settle();
 * // on close:
 * listeners.restore();
 */
export class HostListeners {
  private added: Record<HostEvent, Listener[]> | undefined;

  private constructor(
    private readonly server: HttpServer,
    private readonly original: Record<HostEvent, Listener[]>,
  ) {}

  /** Notes the host's listeners, before anything attaches. */
  static before(server: HttpServer): HostListeners {
    return new HostListeners(server, listenersOf(server));
  }

  /** Notes what was added since {@link before}; call once everything has attached. */
  settle(): this {
    const now = listenersOf(this.server);
    const entries = HOST_EVENTS.map((event) => [event, now[event].filter((listener) => !this.original[event].includes(listener))] as const);
    this.added = Object.fromEntries(entries) as Record<HostEvent, Listener[]>;
    return this;
  }

  /** Removes what was added and puts back the request listeners taken over. */
  restore(): void {
    if (this.added === undefined) return;
    for (const event of HOST_EVENTS) {
      for (const listener of this.added[event]) this.server.removeListener(event, listener);
    }
    const later = (this.server.listeners('request') as Listener[]).filter((listener) => !this.original.request.includes(listener));
    this.server.removeAllListeners('request');
    for (const listener of [...this.original.request, ...later]) this.server.on('request', listener);
    this.added = undefined;
  }
}

function listenersOf(server: HttpServer): Record<HostEvent, Listener[]> {
  const entries = HOST_EVENTS.map((event) => [event, server.listeners(event) as Listener[]] as const);
  return Object.fromEntries(entries) as Record<HostEvent, Listener[]>;
}
