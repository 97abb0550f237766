import {
  AlreadyExistsError,
  InvalidArgumentError,
  NotFoundError,
  RECORD_SERVICE,
  recordDocumentId,
  recordNameOf,
  toRealtimeError,
} from '../../shared/index.js';
import type { ListenHandler } from '../listen-client.js';
import type { MergeConflict } from '../merge-strategy.js';
import type { RealtimeClient } from '../realtime-client.js';
import { MERGE_STRATEGIES, TOPIC, type DeepstreamMergeStrategy } from './constants.js';
import { DeepstreamAnonymousRecord } from './anonymous-record.js';
import type { DialectHost } from './dialect-host.js';
import { DeepstreamList } from './list.js';
import { DeepstreamRecord } from './record.js';
import { withValueAt } from './record-path.js';

/** A callback in deepstream's style: `(error, result)`, `error` a message or `null`. */
export type NodeCallback<T> = (error: string | null, result?: T) => void;

/**
 * `client.record`: records, lists and anonymous records over the sync document store (service
 * `records`), reads and forced writes without a record (`snapshot`, `has`, `head`, `setData`), and
 * merge strategies per record name, per name pattern and for the whole client.
 *
 * @example
 * const record = client.record.getRecord('user/lisa');
 * client.record.setMergeStrategy('user/lisa', deepstream.MERGE_STRATEGIES.LOCAL_WINS);
 * const exists = await client.record.has('user/lisa');
 */
export class RecordHandler {
  private readonly records = new Map<string, DeepstreamRecord>();
  private readonly byName = new Map<string, DeepstreamMergeStrategy>();
  private readonly byPattern: { pattern: RegExp; strategy: DeepstreamMergeStrategy }[] = [];
  private readonly listeners = new Map<string, ListenHandler>();

  constructor(
    private readonly host: DialectHost,
    private readonly defaultStrategy: DeepstreamMergeStrategy = MERGE_STRATEGIES.REMOTE_WINS,
  ) {}

  /**
   * Hands `client.sync` the strategy of the `records` service: it finds the record's own strategy,
   * else the first matching pattern's, else the client's `mergeStrategy` option (`REMOTE_WINS`).
   */
  attach(realtime: RealtimeClient): void {
    realtime.sync.setMergeStrategy(RECORD_SERVICE, (conflict) => this.merge(conflict));
    realtime.listening.onProviderChanged(({ kind, name, hasProvider }) => {
      if (kind === 'record') this.records.get(name)?.providerChanged(hasProvider);
    });
    for (const [pattern, callback] of this.listeners) this.startListening(realtime, pattern, callback);
  }

  /**
   * Listens for subscribers of the records `pattern` matches (`*` as in the platform's id
   * patterns: `prices/*`; not regular expressions): `callback(name, response)` runs when a
   * matching record gains its first subscriber anywhere in the cluster and nobody provides it;
   * `response.accept()` makes this client its provider (subscribers' `hasProvider` becomes true)
   * until `response.onStop` fires, `reject()` lets another listener take it. Needs `C` on
   * `record/<pattern>`.
   */
  listen(pattern: string, callback: ListenHandler): void {
    if (typeof callback !== 'function') throw new InvalidArgumentError('record.listen needs a callback');
    if (this.listeners.has(pattern)) throw new InvalidArgumentError(`Already listening on ${pattern}`);
    this.listeners.set(pattern, callback);
    const realtime = this.host.realtime();
    if (realtime !== undefined) this.startListening(realtime, pattern, callback);
  }

  /** Stops listening on `pattern`. */
  unlisten(pattern: string): void {
    if (!this.listeners.delete(pattern)) return;
    this.host
      .realtime()
      ?.listening.unlisten(pattern, { kind: 'record' })
      .catch((err: unknown) => this.host.reportError(toRealtimeError(err), TOPIC.RECORD));
  }

  private startListening(realtime: RealtimeClient, pattern: string, callback: ListenHandler): void {
    realtime.listening.listen(pattern, callback, { kind: 'record' }).catch((err: unknown) => {
      this.listeners.delete(pattern);
      this.host.reportError(toRealtimeError(err), TOPIC.RECORD);
    });
  }

  /** The record `name`, loading (and following the server) from the first call on. */
  getRecord(name: string): DeepstreamRecord {
    const existing = this.records.get(name);
    if (existing !== undefined) return existing.retain();
    const record = new DeepstreamRecord(name, {
      host: this.host,
      setMergeStrategy: (recordName, strategy) => this.setMergeStrategy(recordName, strategy),
      released: (recordName) => this.records.delete(recordName),
    });
    this.records.set(name, record);
    return record;
  }

  /** The list `name` (a record holding `{ entries: [record names] }`). */
  getList(name: string): DeepstreamList {
    return new DeepstreamList(this.getRecord(name), this.host);
  }

  /** A record whose name `setName(name)` sets later. */
  getAnonymousRecord(): DeepstreamAnonymousRecord {
    return new DeepstreamAnonymousRecord((name) => this.getRecord(name), this.host);
  }

  /** The record's data without subscribing (the local copy when loaded); `NOT_FOUND` when missing. */
  snapshot(name: string, callback?: NodeCallback<Record<string, unknown>>): Promise<Record<string, unknown>> {
    return this.answer(callback, async () => {
      const local = this.records.get(name);
      if (local?.isReady === true && local.version > 0) return local.get() as Record<string, unknown>;
      return (await this.realtime().sync.get(RECORD_SERVICE, recordDocumentId(name))).data;
    });
  }

  /** Whether the record exists. */
  has(name: string, callback?: NodeCallback<boolean>): Promise<boolean> {
    return this.answer(callback, async () => (await this.headOf(name)) > 0);
  }

  /** The record's version (its document's revision), `-1` when it does not exist. */
  head(name: string, callback?: NodeCallback<number>): Promise<number> {
    return this.answer(callback, () => this.headOf(name));
  }

  /**
   * Writes a record without subscribing to it: the whole data, or `value` at `path`; a record
   * loaded here is written through it (`record.set`). Otherwise a forced write: it creates the
   * record or writes over whatever version is there (a path write re-reads and retries on a
   * concurrent write, so it never loses one).
   */
  setData(name: string, data: Record<string, unknown>, callback?: NodeCallback<void>): Promise<void>;
  setData(name: string, path: string, value: unknown, callback?: NodeCallback<void>): Promise<void>;
  setData(name: string, first: string | Record<string, unknown>, second?: unknown, third?: NodeCallback<void>): Promise<void> {
    const path = typeof first === 'string' ? first : undefined;
    const value = typeof first === 'string' ? second : first;
    const callback = (typeof first === 'string' ? third : second) as NodeCallback<void> | undefined;
    return this.answer(callback, async () => {
      const local = this.records.get(name);
      if (local?.isReady === true) {
        await new Promise<void>((resolve, reject) => {
          const done = (error: string | null): void => (error === null ? resolve() : reject(new InvalidArgumentError(error)));
          if (path === undefined) local.set(value as Record<string, unknown>, done);
          else local.set(path, value, done);
        });
        return;
      }
      const sync = this.realtime().sync;
      const id = recordDocumentId(name);
      if (path === undefined) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError('setData(name, data) takes an object');
        await sync.save(RECORD_SERVICE, id, value as Record<string, unknown>);
        return;
      }
      for (;;) {
        try {
          await sync.update(RECORD_SERVICE, id, (data) => withValueAt(data, path, value));
          return;
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
        try {
          await sync.create(RECORD_SERVICE, withValueAt({}, path, value), id);
          return;
        } catch (err) {
          if (!(err instanceof AlreadyExistsError)) throw err;
        }
      }
    });
  }

  /** The strategy of one record name (ahead of patterns and the client's). */
  setMergeStrategy(name: string, strategy: DeepstreamMergeStrategy): void {
    if (typeof strategy !== 'function') throw new InvalidArgumentError('A merge strategy must be a function');
    this.byName.set(name, strategy);
  }

  /** The strategy of every record whose name matches `pattern` (the first match wins). */
  setMergeStrategyRegExp(pattern: RegExp, strategy: DeepstreamMergeStrategy): void {
    if (!(pattern instanceof RegExp) || typeof strategy !== 'function') throw new InvalidArgumentError('setMergeStrategyRegExp takes a RegExp and a function');
    this.byPattern.push({ pattern, strategy });
  }

  private merge(conflict: MergeConflict): Promise<Record<string, unknown>> {
    const name = recordNameOf(conflict.id);
    const strategy = this.byName.get(name) ?? this.byPattern.find(({ pattern }) => testOnce(pattern, name))?.strategy ?? this.defaultStrategy;
    return new Promise((resolve, reject) => {
      try {
        strategy(conflict.local, conflict.localRevision, conflict.remote.data, conflict.remote.revision, (error, merged) => {
          if (error !== null && error !== undefined) reject(toRealtimeError(error));
          else if (typeof merged !== 'object' || merged === null || Array.isArray(merged)) {
            reject(new InvalidArgumentError(`The merge strategy of record ${name} answered no object`));
          } else resolve(merged);
        });
      } catch (err) {
        reject(toRealtimeError(err));
      }
    });
  }

  private async headOf(name: string): Promise<number> {
    try {
      return (await this.realtime().sync.get(RECORD_SERVICE, recordDocumentId(name))).revision;
    } catch (err) {
      if (err instanceof NotFoundError) return -1;
      throw err;
    }
  }

  private async answer<T>(callback: NodeCallback<T> | undefined, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      callback?.(null, result);
      return result;
    } catch (err) {
      const error = toRealtimeError(err);
      this.host.reportError(error, TOPIC.RECORD);
      // With a callback the callback hears it (deepstream's callback form returns nothing to catch).
      if (callback === undefined) throw error;
      callback(error.message);
      return undefined as T;
    }
  }

  private realtime(): RealtimeClient {
    const realtime = this.host.realtime();
    if (realtime === undefined) throw new InvalidArgumentError('Log in first: client.login(authParams)');
    return realtime;
  }
}

/** `pattern.test(name)` without the `lastIndex` state of a global or sticky RegExp. */
function testOnce(pattern: RegExp, name: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(name);
}
