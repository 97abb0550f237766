import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A minimal TCP load balancer for tests. By default each new connection goes to the current
 * target, and `cutAll()` drops every open connection, as a balancer does when a node goes away.
 * With `{ bySourceAddress: ports }` it is sticky by client address instead, as nginx's
 * `hash $remote_addr consistent;` is: every connection from one address reaches the same node,
 * which HTTP long-polling needs (one session's requests arrive on several TCP connections).
 *
 * @example
 * const lb = await startBalancer(nodeA.port);
 * const client = new RealtimeClient({ url: lb.url, token });
 * lb.target(nodeB.port); lb.cutAll(); // the client reconnects, to node B
 *
 * const sticky = await startBalancer({ bySourceAddress: [nodeA.port, nodeB.port] });
 * sticky.portFor('127.0.0.2'); // the node every connection from 127.0.0.2 goes to
 */
export interface TcpBalancer {
  url: string;
  /** The target of new connections (not sticky mode). */
  target(port: number): void;
  /** Sticky mode: the port connections from `address` go to. */
  portFor(address: string): number;
  /** Connections routed so far, by target port. */
  connectionsByPort(): Map<number, number>;
  cutAll(): void;
  close(): Promise<void>;
}

/** One fixed target port, or sticky routing by client address over several. */
export type BalancerRouting = number | { bySourceAddress: number[] };

export async function startBalancer(routing: BalancerRouting): Promise<TcpBalancer> {
  let targetPort = typeof routing === 'number' ? routing : 0;
  const sticky = typeof routing === 'number' ? undefined : routing.bySourceAddress;
  if (sticky !== undefined && sticky.length === 0) throw new Error('bySourceAddress needs at least one port');
  const portFor = (address: string): number => {
    if (sticky === undefined) return targetPort;
    return sticky[fnv1a(normalize(address)) % sticky.length] as number;
  };
  const routed = new Map<number, number>();
  const open = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const port = portFor(inbound.remoteAddress ?? '');
    routed.set(port, (routed.get(port) ?? 0) + 1);
    const outbound = createConnection({ host: '127.0.0.1', port });
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
    portFor,
    connectionsByPort: () => new Map(routed),
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

/** `::ffff:127.0.0.2` and `127.0.0.2` are one client. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** FNV-1a, 32 bits: a stable hash, so a client address always maps to the same node. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
