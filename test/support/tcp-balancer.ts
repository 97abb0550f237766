import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A minimal TCP load balancer for tests: each new connection goes to the current target, and
 * `cutAll()` drops every open connection, as a balancer does when a node goes away.
 *
 * @example
 * const lb = await startBalancer(nodeA.port);
 * const client = new RealtimeClient({ url: lb.url, token });
 * lb.target(nodeB.port); lb.cutAll(); // the client reconnects, to node B
 */
export interface TcpBalancer {
  url: string;
  target(port: number): void;
  cutAll(): void;
  close(): Promise<void>;
}

export async function startBalancer(initialTarget: number): Promise<TcpBalancer> {
  let targetPort = initialTarget;
  const open = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    open.add(inbound);
    open.add(outbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      open.delete(inbound);
      open.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    target: (next) => {
      targetPort = next;
    },
    cutAll: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
