import type { ChildProcess } from 'node:child_process';
import { spawnNodeChild, stopChild } from './child-processes.js';
import { IpcClient } from './ipc-channel.js';
import type { ClientCommands, ClientNotices, GeoRecordWindow, RecordRange, SubscriptionPlan } from './ipc-protocol.js';
import { LatencyHistogram } from './latency-histogram.js';

/** Merged receive counters of every client process. */
export interface PoolSnapshot {
  received: number;
  doneSeq: number;
  histogram: LatencyHistogram;
  /** When the snapshot was taken (orchestrator clock, ms). */
  at: number;
  /** CPU time of all client processes so far, µs. */
  cpuMicros: number;
}

/** Merged geo receive counters of every client process (case 10). */
export interface GeoPoolSnapshot {
  received: number;
  histogram: LatencyHistogram;
  /** When the snapshot was taken (orchestrator clock, ms). */
  at: number;
  cpuMicros: number;
}

/**
 * The load-generating client processes (2 to 4), each holding a share of the connections.
 *
 * @example
 * const pool = await ClientPool.start(2);
 * await pool.connect({ url, secret, total: 1000, plan: { kind: 'fanout', topic } });
 * await pool.close();
 */
export class ClientPool {
  private readonly latestDone: number[];
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly children: ChildProcess[],
    readonly processes: Array<IpcClient<ClientCommands, ClientNotices>>,
  ) {
    this.latestDone = processes.map(() => Number.MAX_SAFE_INTEGER);
    processes.forEach((ipc, index) =>
      ipc.onNotice('progress', ({ doneSeq }) => {
        this.latestDone[index] = doneSeq;
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      }),
    );
  }

  static async start(count: number): Promise<ClientPool> {
    const children: ChildProcess[] = [];
    const processes: Array<IpcClient<ClientCommands, ClientNotices>> = [];
    const readiness: Array<Promise<unknown>> = [];
    for (let i = 0; i < count; i += 1) {
      const child = spawnNodeChild({ entry: 'client-entry.ts', label: `client ${i + 1}` });
      const ipc = new IpcClient<ClientCommands, ClientNotices>(child, `client ${i + 1}`);
      children.push(child);
      processes.push(ipc);
      readiness.push(ipc.nextNotice('ready', 60_000));
    }
    await Promise.all(readiness);
    return new ClientPool(children, processes);
  }

  get size(): number {
    return this.processes.length;
  }

  /**
   * Opens `total` connections spread evenly over the processes (indices `firstIndex`..), each
   * subscribed per `plan`; resolves with how long it took.
   */
  async connect(options: {
    url: string;
    secret: string;
    total: number;
    plan: SubscriptionPlan;
    firstIndex?: number;
    concurrency?: number;
    /** @default false */
    batchedFrames?: boolean;
  }): Promise<{ connected: number; elapsedMs: number }> {
    const started = performance.now();
    let next = options.firstIndex ?? 0;
    const results = await Promise.all(
      this.processes.map((ipc, index) => {
        const count = Math.floor(options.total / this.size) + (index < options.total % this.size ? 1 : 0);
        const firstIndex = next;
        next += count;
        return ipc
          .request(
            'connect',
            {
              url: options.url,
              secret: options.secret,
              firstIndex,
              count,
              concurrency: options.concurrency ?? 50,
              plan: options.plan,
              batchedFrames: options.batchedFrames ?? false,
            },
            600_000,
          )
          .then((result) => {
            // Progress notices only report changes: start from the state the connect left.
            this.latestDone[index] = result.doneSeq;
            return result;
          });
      }),
    );
    return { connected: results.reduce((sum, result) => sum + result.connected, 0), elapsedMs: performance.now() - started };
  }

  /**
   * Opens `total` geo subscribers spread evenly over the processes, each with its circle feed
   * (`geo-receivers.ts`); resolves with how many opened and how long it took.
   */
  async geoConnect(options: {
    url: string;
    secret: string;
    total: number;
    seed: number;
    concurrency?: number;
  }): Promise<{ connected: number; elapsedMs: number }> {
    const started = performance.now();
    let next = 0;
    const results = await Promise.all(
      this.processes.map((ipc, index) => {
        const count = Math.floor(options.total / this.size) + (index < options.total % this.size ? 1 : 0);
        const firstIndex = next;
        next += count;
        const args = { url: options.url, secret: options.secret, firstIndex, count, concurrency: options.concurrency ?? 50, seed: options.seed };
        return ipc.request('geo-connect', args, 600_000);
      }),
    );
    return { connected: results.reduce((sum, result) => sum + result.connected, 0), elapsedMs: performance.now() - started };
  }

  /** Sets which publish times the geo receivers time, and clears their histograms. */
  async geoRecord(window: GeoRecordWindow): Promise<void> {
    await Promise.all(this.processes.map((ipc) => ipc.request('geo-record', window)));
  }

  async geoSnapshot(): Promise<GeoPoolSnapshot> {
    const sent = performance.now();
    const parts = await Promise.all(this.processes.map((ipc) => ipc.request('geo-snapshot', {})));
    const at = (sent + performance.now()) / 2;
    const histogram = new LatencyHistogram();
    for (const part of parts) histogram.merge(part.histogram);
    return {
      received: parts.reduce((sum, part) => sum + part.received, 0),
      histogram,
      at,
      cpuMicros: parts.reduce((sum, part) => sum + part.cpuMicros, 0),
    };
  }

  /** Sets the range of events whose latency is recorded, and clears the histograms. */
  async record(range: RecordRange): Promise<void> {
    await Promise.all(this.processes.map((ipc) => ipc.request('record', range)));
  }

  async snapshot(): Promise<PoolSnapshot> {
    const sent = performance.now();
    const parts = await Promise.all(this.processes.map((ipc) => ipc.request('snapshot', {})));
    const at = (sent + performance.now()) / 2;
    const histogram = new LatencyHistogram();
    for (const part of parts) histogram.merge(part.histogram);
    return {
      received: parts.reduce((sum, part) => sum + part.received, 0),
      doneSeq: Math.min(...parts.map((part) => part.doneSeq)),
      histogram,
      at,
      cpuMicros: parts.reduce((sum, part) => sum + part.cpuMicros, 0),
    };
  }

  /** The highest seq every connection has fully received, from the latest progress notices. */
  doneSeq(): number {
    return Math.min(...this.latestDone);
  }

  /** Resolves at the next progress notice, or after `timeoutMs`. */
  nextProgress(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits until every connection has received everything up to `seq`; false after `timeoutMs`. */
  async waitForDone(seq: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.doneSeq() < seq) {
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await this.nextProgress(Math.min(left, 100));
    }
    return true;
  }

  /** Closes every connection (the processes stay). */
  async disconnect(): Promise<void> {
    await Promise.all(this.processes.map((ipc) => ipc.request('disconnect', {}, 120_000)));
    this.latestDone.fill(Number.MAX_SAFE_INTEGER);
  }

  /** Ends every client process. */
  async close(): Promise<void> {
    await Promise.all(
      this.processes.map(async (ipc, index) => {
        try {
          await ipc.request('exit', {}, 10_000);
        } catch {
          // stopChild kills it.
        }
        const child = this.children[index];
        if (child !== undefined) await stopChild(child, 5_000);
      }),
    );
  }
}
