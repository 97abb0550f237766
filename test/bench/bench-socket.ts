import { io, type Socket } from 'socket.io-client';
import type { AckResult, ClientToServerEvents, ServerToClientEvents } from '../../shared/index.js';
import { signToken } from '../../server/index.js';
import { BENCH_REALM } from './bench-event.js';

/** A raw Socket.IO client speaking the platform's wire protocol (the bare server speaks a subset). */
export type BenchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long connecting and each request may take before the benchmark gives up on them. */
export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Signs a token for benchmark user `sub` in the benchmark realm.
 *
 * @example
 * const token = await benchToken(secret, 'bench-7', 'client');
 */
export function benchToken(secret: string, sub: string, role: 'client' | 'service'): Promise<string> {
  return signToken({ sub, secret, expiresIn: '6h', claims: { realm: BENCH_REALM, permissions: [role] } });
}

/**
 * Opens one websocket-only connection (no reconnection, no multiplexing) and resolves once the
 * server accepted it.
 *
 * Why raw sockets rather than RealtimeClient: the load clients share the machine's second core
 * with each other; the lighter they are, the more of what is measured is the server.
 *
 * @example
 * const socket = await openBenchSocket(url, token);
 */
export function openBenchSocket(url: string, token: string): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const socket: BenchSocket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: REQUEST_TIMEOUT_MS,
      auth: { token },
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/**
 * Unwraps an acknowledgement: the data, or an Error carrying the server's code.
 *
 * @example
 * const result = unwrap(await socket.timeout(5000).emitWithAck('subscribe', request));
 */
export function unwrap<T>(result: AckResult<T>): T {
  if (result.ok) return result.data;
  throw Object.assign(new Error(`${result.error.code}: ${result.error.message}`), { code: result.error.code });
}

/**
 * Runs `task(i)` for i in [0, count) with at most `concurrency` at once.
 *
 * @example
 * await forEachLimited(1000, 50, (i) => connect(i));
 */
export async function forEachLimited(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, () => worker()));
}

/**
 * A small seeded PRNG (mulberry32), so random document choices repeat from run to run.
 *
 * @example
 * const random = seededRandom(1);
 * random(); // 0.6270739405881613
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
