import type { HistogramData } from './latency-histogram.js';

/**
 * The commands and notices between the benchmark orchestrator and its child processes.
 */

/** Which server a server process runs. */
export type ServerKind = 'platform' | 'bare';

/** Where the platform keeps sync documents. */
export type StoreChoice = { kind: 'memory' } | { kind: 'mongo'; url: string; dbName: string };

/** What a server process is started with (its single argument, as JSON). */
export interface ServerLaunch {
  kind: ServerKind;
  /** HS256 secret the platform verifies tokens with (the bare server ignores tokens). */
  secret: string;
  store: StoreChoice;
  /** Run as one node of a cluster sharing this Redis (createRealtimeServer's `redis`); alone when absent. */
  redis?: { url: string; keyPrefix: string; adapter?: 'classic' | 'sharded' };
  /** How object feeds match writes (createRealtimeServer's `objects.matching`; `'scan'` is case 10's brute-force baseline). @default 'index' */
  objectMatching?: 'index' | 'scan';
}

/** Sent once the server listens. */
export interface ServerReady {
  kind: ServerKind;
  port: number;
  pid: number;
  /** The open-files limit the server process runs with (after trying to raise it). */
  fdLimit: number | null;
}

/** A server process's resource counters at one instant. */
export interface ServerStats {
  pid: number;
  /** Machine-wide monotonic clock, µs. */
  atMicros: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Each V8 heap space's committed and used bytes (`v8.getHeapSpaceStatistics()`): where heapTotal exceeds heapUsed. */
  heapSpaces?: Record<string, { size: number; used: number }>;
  /** Cumulative event-loop active and idle time, ms (performance.eventLoopUtilization). */
  eluActiveMs: number;
  eluIdleMs: number;
  connections: number;
  /** Object writes (created, updated, deleted) this server has applied so far (0 on the bare server). */
  objectWrites: number;
}

export type ServerCommands = {
  /** Counters; with `gc`, after two full garbage collections (needs --expose-gc). */
  stats: { args: { gc?: boolean }; result: ServerStats };
  /** Starts the V8 CPU profiler (in-process, so only the measured window is profiled). */
  'profile-start': { args: Record<string, never>; result: null };
  /** Stops it and writes the `.cpuprofile` to `path`. */
  'profile-stop': { args: { path: string }; result: null };
  /** Two full garbage collections, then a V8 heap snapshot written to `path` (`npm run bench:heap`). */
  'heap-snapshot': { args: { path: string }; result: null };
  /** Closes the server; the process exits right after replying. */
  close: { args: Record<string, never>; result: null };
};

export type ServerNotices = {
  ready: ServerReady;
};

/**
 * What each receiving connection subscribes to:
 * - `fanout`: one subscription to `topic`, no filter;
 * - `filtered`: one subscription to `topic` with `{ kind, 'shard.bucket': index % buckets }`, so
 *   `1 / buckets` of the connections match each event;
 * - `idle`: two subscriptions, `sharedTopic` (every connection) and `<ownTopicPrefix><index>` (its own).
 */
export type SubscriptionPlan =
  | { kind: 'fanout'; topic: string }
  | { kind: 'filtered'; topic: string; buckets: number }
  | { kind: 'idle'; sharedTopic: string; ownTopicPrefix: string }
  /** Connection i subscribes to `<topicPrefix><floor(i / groupSize)>`: groups of `groupSize` per topic (the sharded case). */
  | { kind: 'grouped'; topicPrefix: string; groupSize: number };

export interface ConnectArgs {
  url: string;
  secret: string;
  /** Index of the first connection (user `bench-<index>`, bucket, own topic). */
  firstIndex: number;
  count: number;
  /** Connections being opened at once in this process. */
  concurrency: number;
  plan: SubscriptionPlan;
  /** Ask the server for batched frames (`batch=1`, as `RealtimeClient` does by default) and unpack them. */
  batchedFrames: boolean;
}

export interface ConnectResult {
  connected: number;
  elapsedMs: number;
  /** {@link ReceiveSnapshot.doneSeq} right after connecting. */
  doneSeq: number;
}

/**
 * Which events' latencies to record: `fromSeq <= seq < toSeq` (every event is counted either way).
 * Set before publishing them, so a measurement window is an exact range of events, including the
 * late ones that arrive after publishing stopped.
 */
export interface RecordRange {
  fromSeq: number;
  toSeq: number;
}

/** A client process's receive counters. */
export interface ReceiveSnapshot {
  /** Events received by all of this process's connections since they connected. */
  received: number;
  /** The highest seq such that every connection here has received every matching event up to it. */
  doneSeq: number;
  histogram: HistogramData;
  /** This client process's CPU time so far (user + system), µs. */
  cpuMicros: number;
}

/** Which documents a write load targets: one hot document, or `docCount` documents at random. */
export type WritePattern = 'hot' | 'many';

export interface SyncPrepareArgs {
  url: string;
  secret: string;
  /** Creates documents `d-<first>` .. `d-<first + count - 1>` (plus `hot` when `hot`). */
  first: number;
  count: number;
  hot: boolean;
}

export interface SyncLoadArgs {
  url: string;
  secret: string;
  connections: number;
  /** Requests in flight per connection. */
  inflight: number;
  warmupMs: number;
  durationMs: number;
  pattern: WritePattern;
  docCount: number;
  /** Seeds the document choice, so a run is repeatable. */
  seed: number;
}

export interface MongoLoadArgs {
  url: string;
  dbName: string;
  collection: string;
  /** Driver connections (maxPoolSize) and operations in flight. */
  poolSize: number;
  inflight: number;
  warmupMs: number;
  durationMs: number;
  pattern: WritePattern;
  docCount: number;
  seed: number;
}

export interface MongoPrepareArgs {
  url: string;
  dbName: string;
  collection: string;
  docCount: number;
}

/** The outcome of a write load, measured over `durationMs` after the warm-up. */
export interface WriteLoadResult {
  ok: number;
  /** Failed writes by error code. */
  errors: Record<string, number>;
  elapsedMs: number;
  histogram: HistogramData;
  /** Writes acknowledged during warm-up and measurement together (to check revisions after). */
  totalOk: number;
}

export interface DocumentProbe {
  revision: number;
  n: number;
}

/** Geo subscribers to open in one client process (case 10). */
export interface GeoConnectArgs {
  url: string;
  secret: string;
  /** Index of the first connection (user `bench-<index>`, and its circle). */
  firstIndex: number;
  count: number;
  concurrency: number;
  /** Seeds the circles. */
  seed: number;
}

/** Which publish times (`data.t`, monotonic µs) the geo receivers time: `fromMicros <= t < toMicros`. */
export interface GeoRecordWindow {
  fromMicros: number;
  toMicros: number;
}

/** A client process's geo receive counters. */
export interface GeoReceiveSnapshot {
  /** Object entries received in `feed:data` deltas since connecting. */
  received: number;
  histogram: HistogramData;
  /** This client process's CPU time so far (user + system), µs. */
  cpuMicros: number;
}

export type ClientCommands = {
  connect: { args: ConnectArgs; result: ConnectResult };
  'geo-connect': { args: GeoConnectArgs; result: { connected: number; elapsedMs: number } };
  'geo-record': { args: GeoRecordWindow; result: null };
  'geo-snapshot': { args: Record<string, never>; result: GeoReceiveSnapshot };
  /** Resets the latency histogram and sets which events it records. */
  record: { args: RecordRange; result: null };
  snapshot: { args: Record<string, never>; result: ReceiveSnapshot };
  disconnect: { args: Record<string, never>; result: { closed: number } };
  'sync-prepare': { args: SyncPrepareArgs; result: { created: number } };
  'sync-load': { args: SyncLoadArgs; result: WriteLoadResult };
  'sync-probe': { args: { url: string; secret: string; id: string }; result: DocumentProbe };
  'mongo-prepare': { args: MongoPrepareArgs; result: { created: number } };
  'mongo-load': { args: MongoLoadArgs; result: WriteLoadResult };
  exit: { args: Record<string, never>; result: null };
};

export type ClientNotices = {
  /** Sent once the process serves commands. */
  ready: { pid: number };
  /** Pushed every few ms while `doneSeq` moves (flow control for the closed-loop publisher). */
  progress: { doneSeq: number };
};
