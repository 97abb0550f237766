import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A proxy in front of one server that refuses WebSocket upgrades (`403`) and passes everything
 * else, as the corporate proxies and networks that long-polling exists for do.
 *
 * @example
 * const blocker = await startWebSocketBlocker(server.address().port);
 * new RealtimeClient({ url: blocker.url, token, transports: ['websocket', 'polling'] });
 */
export interface WebSocketBlocker {
  url: string;
  /** How many upgrade requests were refused so far. */
  blockedUpgrades(): number;
  close(): Promise<void>;
}

const HEADERS_END = '\r\n\r\n';

export async function startWebSocketBlocker(targetPort: number): Promise<WebSocketBlocker> {
  const open = new Set<Socket>();
  let blocked = 0;
  const server = createServer((inbound) => {
    open.add(inbound);
    inbound.on('close', () => open.delete(inbound));
    inbound.on('error', () => inbound.destroy());
    let head = Buffer.alloc(0);
    // The first request on a connection decides: a WebSocket client opens a connection of its own.
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const text = head.toString('latin1');
      if (!text.includes(HEADERS_END)) return;
      inbound.off('data', onData);
      const headers = text.slice(0, text.indexOf(HEADERS_END));
      if (/^upgrade:\s*websocket\s*$/im.test(headers)) {
        blocked += 1;
        inbound.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
      open.add(outbound);
      outbound.on('close', () => {
        open.delete(outbound);
        inbound.destroy();
      });
      outbound.on('error', () => outbound.destroy());
      inbound.on('close', () => outbound.destroy());
      outbound.write(head);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    };
    inbound.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    blockedUpgrades: () => blocked,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
