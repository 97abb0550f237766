import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a {@link WebhookSink} received. */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as sent. */
  body: string;
  /** The status the sink answered. */
  status: number;
  receivedAt: number;
}

/**
 * How the sink answers a request: a status (or a promise of one; a promise that never settles
 * hangs). `countOnPath` is how many requests arrived on the path before this one.
 */
export type SinkResponder = (request: Omit<ReceivedWebhook, 'status'>, countOnPath: number) => number | Promise<number>;

/**
 * A real HTTP receiver on 127.0.0.1 and port 0 that records every request (raw body, headers) and
 * answers what the test tells it to, per path.
 */
export interface WebhookSink {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every request, in arrival order (answered or not yet). */
  received: ReceivedWebhook[];
  /** Sets how requests are answered (default: 200). */
  respond(responder: SinkResponder): void;
  /** Requests to `path` (answered), in order. */
  on(path: string): ReceivedWebhook[];
  /** Resolves once `count` answered requests on `path` match `predicate`. */
  waitFor(path: string, count: number, predicate?: (request: ReceivedWebhook) => boolean, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startWebhookSink(): Promise<WebhookSink> {
  const received: ReceivedWebhook[] = [];
  let responder: SinkResponder = () => 200;
  const waiters = new Set<() => void>();
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const request = { path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() };
      // Requests that arrived on the path before this one, answered or not.
      const countOnPath = arrivals.get(path) ?? 0;
      arrivals.set(path, countOnPath + 1);
      void Promise.resolve(responder(request, countOnPath)).then((status) => {
        received.push({ ...request, status });
        res.writeHead(status).end();
        for (const waiter of [...waiters]) waiter();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const on = (path: string): ReceivedWebhook[] => received.filter((request) => request.path === path);

  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respond: (next) => {
      responder = next;
    },
    on,
    waitFor: (path, count, predicate = () => true, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const matching = on(path).filter(predicate);
          if (matching.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for ${count} requests on ${path}; got ${on(path).filter(predicate).length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
