/**
 * A benchmark load-client process: receiving connections (fan-out, filtered, idle, geo feeds), sync writers,
 * and the raw MongoDB driver baseline, driven by the orchestrator over IPC. While connections
 * receive, it pushes `progress` notices with how far all of them have caught up.
 *
 * Started by the orchestrator (`client-pool.ts`), never by hand.
 */
import { sendNotice, serveCommands } from './ipc-channel.js';
import type { ClientCommands, ClientNotices } from './ipc-protocol.js';
import { prepareRawDocuments, runRawMongoLoad } from './raw-mongo-writer.js';
import { GeoReceivers } from './geo-receivers.js';
import { ReceiverPool } from './receiver-pool.js';
import { prepareDocuments, probeDocument, runSyncLoad } from './sync-writer.js';

/** How often progress is checked (and sent when it moved), ms. */
const PROGRESS_INTERVAL_MS = 5;

const receivers = new ReceiverPool();
const geo = new GeoReceivers();
let lastReported = Number.NaN;
const progressTimer = setInterval(() => {
  const done = receivers.doneSeq();
  if (done === lastReported) return;
  lastReported = done;
  sendNotice<ClientNotices, 'progress'>('progress', { doneSeq: done });
}, PROGRESS_INTERVAL_MS);

serveCommands<ClientCommands>({
  connect: (args) => receivers.connect(args),
  record: (range) => {
    receivers.record(range);
    return null;
  },
  snapshot: () => receivers.snapshot(),
  'geo-connect': (args) => geo.connect(args),
  'geo-record': (window) => {
    geo.record(window);
    return null;
  },
  'geo-snapshot': () => geo.snapshot(),
  disconnect: () => ({ closed: receivers.disconnect() + geo.disconnect() }),
  'sync-prepare': (args) => prepareDocuments(args),
  'sync-load': (args) => runSyncLoad(args),
  'sync-probe': ({ url, secret, id }) => probeDocument(url, secret, id),
  'mongo-prepare': (args) => prepareRawDocuments(args),
  'mongo-load': (args) => runRawMongoLoad(args),
  exit: () => {
    clearInterval(progressTimer);
    receivers.disconnect();
    geo.disconnect();
    setImmediate(() => process.exit(0));
    return null;
  },
});
sendNotice<ClientNotices, 'ready'>('ready', { pid: process.pid });
