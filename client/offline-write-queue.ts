import { ClientOfflineError, InvalidArgumentError, type RealtimeError } from '../shared/index.js';

/**
 * Bounds of the writes kept while the client is not connected (`offlineWrites` option).
 *
 * @example
 * new RealtimeClient({ url, token, offlineWrites: { maxEntries: 50, maxAgeMs: 120_000 } });
 */
export interface OfflineWritesOptions {
  /**
   * Most writes kept at once; one more fails at once with `ClientOfflineError`.
   * @default 100
   */
  maxEntries?: number;
  /**
   * Most bytes (JSON) of the kept writes together; a write that does not fit fails at once with
   * `ClientOfflineError`.
   * @default 1048576 (1 MiB)
   */
  maxBytes?: number;
  /**
   * How long a write is kept, ms; a write still waiting then fails with `ClientOfflineError`.
   * @default 60000
   */
  maxAgeMs?: number;
}

/** The defaults of {@link OfflineWritesOptions}. */
export const DEFAULT_OFFLINE_WRITES = { maxEntries: 100, maxBytes: 1_048_576, maxAgeMs: 60_000 } as const;

interface HeldWrite {
  bytes: number;
  send: () => void;
  fail: (error: RealtimeError) => void;
}

/**
 * The writes (sync writes, publishes) made while the client is not connected, kept in memory in
 * order and sent once it is connected again.
 *
 * Why this exists: without it a write made while offline waits `requestTimeout` in the request
 * queue at most, and fails at once while the client is disconnected. Collaborative apps keep
 * editing offline (deepstream's offline writes); this queue keeps those writes, bounded in
 * entries, bytes and age so that a long outage cannot grow memory without limit, each refusal a
 * `ClientOfflineError` (`CLIENT_OFFLINE`). A revisioned write sent on reconnect that meets a newer
 * revision goes through the service's merge strategy (see `SyncClient.setMergeStrategy`).
 *
 * @example
 * const queue = new OfflineWriteQueue({ maxEntries: 10 });
 * const result = queue.hold(120, () => requests.request('sync:replace', payload));
 * queue.flush(); // once connected
 */
export class OfflineWriteQueue {
  private readonly limits: Required<OfflineWritesOptions>;
  private readonly held = new Set<HeldWrite>();
  private bytes = 0;

  constructor(options: OfflineWritesOptions = {}) {
    this.limits = { ...DEFAULT_OFFLINE_WRITES, ...definedOnly(options) };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
        throw new InvalidArgumentError(`offlineWrites.${name} must be a positive number`);
      }
    }
  }

  /** How many writes are waiting. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Keeps a write of `bytes` JSON bytes until {@link flush}; resolves or rejects as `send`'s
   * promise does then. Rejects with `ClientOfflineError` at once when the queue is full
   * (`details: { limit, maxEntries | maxBytes }`), or after `maxAgeMs` of waiting.
   */
  hold<T>(bytes: number, send: () => Promise<T>): Promise<T> {
    const { maxEntries, maxBytes, maxAgeMs } = this.limits;
    if (this.held.size >= maxEntries) {
      return Promise.reject(
        new ClientOfflineError(`The client is offline and already keeps ${maxEntries} writes`, { details: { limit: 'maxEntries', maxEntries } }),
      );
    }
    if (this.bytes + bytes > maxBytes) {
      return Promise.reject(
        new ClientOfflineError(`The client is offline and its kept writes would pass ${maxBytes} bytes`, {
          details: { limit: 'maxBytes', maxBytes, size: bytes },
        }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const entry: HeldWrite = {
        bytes,
        send: () => {
          clearTimeout(timer);
          send().then(resolve, reject);
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.remove(entry);
        reject(new ClientOfflineError(`The client stayed offline for ${maxAgeMs} ms; the write was dropped`, { details: { limit: 'maxAgeMs', maxAgeMs } }));
      }, maxAgeMs);
      this.held.add(entry);
      this.bytes += bytes;
    });
  }

  /** Sends every kept write, oldest first. */
  flush(): void {
    const entries = [...this.held];
    this.held.clear();
    this.bytes = 0;
    for (const entry of entries) entry.send();
  }

  /** Fails every kept write with `error`. */
  destroy(error: RealtimeError): void {
    const entries = [...this.held];
    this.held.clear();
    this.bytes = 0;
    for (const entry of entries) entry.fail(error);
  }

  private remove(entry: HeldWrite): void {
    if (this.held.delete(entry)) this.bytes -= entry.bytes;
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
