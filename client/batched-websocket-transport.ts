import type { RawData } from 'engine.io-parser';
import { NodeWebSocket, NodeXHR, WebTransport } from 'socket.io-client';

/** Separates the packets of a batched frame (engine.io protocol v4's polling payload separator). */
const BATCH_SEPARATOR = '\x1e';

/**
 * engine.io-client's websocket transport, asking the server for batched frames (`batch=1` in its
 * query) and unpacking them: a text frame holding several packets joined by `\x1e` (engine.io
 * protocol v4's payload separator; JSON text never holds a raw one) is handed on packet by packet,
 * in order, exactly as if each had come in a frame of its own.
 *
 * Why a subclass: the server batches below Socket.IO (README "Batched frames"), so the client
 * unpacks below it too and everything above (acks, events, reconnects) is unchanged. Its name
 * stays `websocket`, so upgrades from polling still find it. `NodeWebSocket` is engine.io-client's
 * `ws`-based transport in Node; browser bundles map that file to the one over the browser's own
 * `WebSocket` (engine.io-client's `browser` field), so this one class serves both.
 *
 * @example
 * io(url, { transports: [BatchedWebSocketTransport] });
 */
export class BatchedWebSocketTransport extends NodeWebSocket {
  constructor(opts: ConstructorParameters<typeof NodeWebSocket>[0]) {
    super(opts);
    this.query = { ...this.query, batch: '1' };
  }

  protected override onData(data: RawData): void {
    if (typeof data !== 'string' || !data.includes(BATCH_SEPARATOR)) {
      super.onData(data);
      return;
    }
    for (const packet of data.split(BATCH_SEPARATOR)) {
      // A packet of the batch can end the connection; what follows it has no one to go to.
      if (this.readyState === 'closed') return;
      super.onData(packet);
    }
  }
}

/** An engine.io-client transport class. */
export type TransportClass = typeof NodeWebSocket | typeof NodeXHR | typeof WebTransport;

/** The transport names `RealtimeClient` accepts. */
export type TransportName = 'websocket' | 'polling' | 'webtransport';

/**
 * The engine.io-client transport classes for `names`, in order, with the batching websocket for
 * `'websocket'` and engine.io-client's own for the others (what Socket.IO picks for those names:
 * `NodeXHR` is mapped to the browser's XHR transport in browser bundles as `NodeWebSocket` is).
 * engine.io-client takes either names or classes, never a mix, hence all classes.
 *
 * @example
 * io(url, { transports: batchingTransports(['websocket', 'polling']) });
 */
export function batchingTransports(names: readonly TransportName[]): TransportClass[] {
  // An unknown name is skipped, as engine.io-client skips it among names.
  return names.flatMap((name): TransportClass[] => {
    switch (name) {
      case 'websocket':
        return [BatchedWebSocketTransport];
      case 'polling':
        return [NodeXHR];
      case 'webtransport':
        return [WebTransport];
      default:
        return [];
    }
  });
}
