import type { Mutation, SyncDocument } from '../../shared/index.js';
import { SYNC_SERVICE } from './bench-event.js';
import { benchToken, forEachLimited, openBenchSocket, REQUEST_TIMEOUT_MS, seededRandom, unwrap, type BenchSocket } from './bench-socket.js';
import type { DocumentProbe, SyncLoadArgs, SyncPrepareArgs, WriteLoadResult } from './ipc-protocol.js';
import { runWriteLoad } from './write-load.js';

/** The write every sync benchmark sends: one revision that increments `/n`. */
const INCREMENT: Mutation[] = [{ op: 'increment', path: '/n', value: 1 }];

/** Document ids: `hot`, and `d-0` .. `d-<count-1>`. */
export const HOT_DOCUMENT = 'hot';
export function documentId(index: number): string {
  return `d-${index}`;
}

async function writerSocket(url: string, secret: string, name: string): Promise<BenchSocket> {
  return openBenchSocket(url, await benchToken(secret, name, 'service'));
}

/**
 * Creates the documents a write load needs (existing ones are kept).
 *
 * @example
 * await prepareDocuments({ url, secret, first: 0, count: 1000, hot: true });
 */
export async function prepareDocuments(args: SyncPrepareArgs): Promise<{ created: number }> {
  const socket = await writerSocket(args.url, args.secret, 'bench-preparer');
  let created = 0;
  const ids = [...(args.hot ? [HOT_DOCUMENT] : []), ...Array.from({ length: args.count }, (_, i) => documentId(args.first + i))];
  try {
    await forEachLimited(ids.length, 32, async (i) => {
      const result = await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('sync:create', { service: SYNC_SERVICE, id: ids[i] ?? '', data: { n: 0 } });
      if (result.ok) created += 1;
      else if (result.error.code !== 'ALREADY_EXISTS') unwrap(result);
    });
  } finally {
    socket.close();
  }
  return { created };
}

/**
 * Revisioned writes (`sync:mutate`, increment) through the server from `connections` sockets with
 * `inflight` writes each, to the hot document or to random documents.
 *
 * @example
 * const result = await runSyncLoad({ url, secret, connections: 8, inflight: 2, pattern: 'hot', ... });
 */
export async function runSyncLoad(args: SyncLoadArgs): Promise<WriteLoadResult> {
  const sockets: BenchSocket[] = [];
  try {
    for (let i = 0; i < args.connections; i += 1) sockets.push(await writerSocket(args.url, args.secret, `bench-writer-${args.seed}-${i}`));
    const random = seededRandom(args.seed);
    return await runWriteLoad({
      concurrency: args.connections * args.inflight,
      warmupMs: args.warmupMs,
      durationMs: args.durationMs,
      write: async (worker) => {
        const socket = sockets[worker % sockets.length] as BenchSocket;
        const id = args.pattern === 'hot' ? HOT_DOCUMENT : documentId(Math.floor(random() * args.docCount));
        unwrap(await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('sync:mutate', { service: SYNC_SERVICE, id, mutations: INCREMENT }));
      },
    });
  } finally {
    for (const socket of sockets) socket.close();
  }
}

/**
 * Reads a document's revision and `n` (to check that no write was lost).
 *
 * @example
 * const { revision, n } = await probeDocument(url, secret, 'hot');
 */
export async function probeDocument(url: string, secret: string, id: string): Promise<DocumentProbe> {
  const socket = await writerSocket(url, secret, 'bench-probe');
  try {
    const document = unwrap<SyncDocument>(await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('sync:get', { service: SYNC_SERVICE, id }));
    const n = document.data['n'];
    return { revision: document.revision, n: typeof n === 'number' ? n : Number.NaN };
  } finally {
    socket.close();
  }
}
