import { createConnection, createServer, type Socket } from 'node:net';

/**
 * Stands in for a client machine with an address of its own: connections to `url` are forwarded
 * to `targetPort` from `localAddress` (a loopback address such as `127.0.0.2`, all of which
 * Linux routes to `lo`), so a balancer sticky by client address tells clients apart.
 *
 * @example
 * const host = await startEgressProxy('127.0.0.2', balancerPort);
 * new RealtimeClient({ url: host.url, token, transports: ['polling'] });
 */
export interface EgressProxy {
  url: string;
  close(): Promise<void>;
}

export async function startEgressProxy(localAddress: string, targetPort: number): Promise<EgressProxy> {
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort, localAddress });
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
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
