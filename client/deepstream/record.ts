import {
  ClientOfflineError,
  ErrorCode,
  InvalidArgumentError,
  LISTEN_NAME_PATTERN,
  NotFoundError,
  RECORD_SERVICE,
  isConnectionLoss,
  recordDocumentId,
  toRealtimeError,
  type RealtimeError,
  type SyncDocument,
  type SyncWriteResult,
} from '../../shared/index.js';
import { jsonEqual } from '../json-equal.js';
import { eventOfCode, TOPIC, type DeepstreamMergeStrategy } from './constants.js';
import { DialectEmitter } from './dialect-emitter.js';
import type { DialectHost } from './dialect-host.js';
import { valueAt, withValueAt } from './record-path.js';

/** A record's change listener: the new value at its path (the whole data without one). */
export type RecordSubscriber = (value: unknown) => void;

/** What a record needs from the record handler that made it. */
export interface RecordOwner {
  host: DialectHost;
  setMergeStrategy(name: string, strategy: DeepstreamMergeStrategy): void;
  /** The last handle was discarded: forget the record. */
  released(name: string): void;
}

interface Subscription {
  path: string | undefined;
  callback: RecordSubscriber;
  last: unknown;
}

/**
 * One deepstream record (`client.record.getRecord(name)`): a sync document of the `records`
 * service (see `recordDocumentId`) with its data, its `version` (the document's revision; 0 while
 * the record does not exist) and path-based reads, writes and change callbacks.
 *
 * Why writes look the way they do: `set` applies locally at once (callbacks fire), then one write
 * is in flight at a time: `client.sync.save` with the version it is based on; sets made meanwhile
 * are coalesced into the next one. A write that meets a newer version comes back through the
 * merge strategy (the record's, a pattern's, else the client's, `REMOTE_WINS` by default, all run
 * by `client.sync`'s merge strategy for `records`), and the record takes the result. Offline, the
 * write waits in the client's offline queue (bounded: a full queue or an expired write is
 * reported as `CLIENT_OFFLINE` and the local change is replaced by the server's state on
 * reconnect); a write lost with the connection is sent again once it is back. Remote changes
 * arriving while a local write is pending are settled by that write's merge.
 *
 * @example
 * const record = client.record.getRecord('user/lisa');
 * await record.whenReady();
 * record.subscribe('personalData.firstname', (name) => render(name), true);
 * record.set('personalData.firstname', 'Lisa');
 */
export class DeepstreamRecord {
  readonly name: string;
  private readonly id: string;
  private data: Record<string, unknown> = {};
  private revision = 0;
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private loading = false;
  /** Local changes not yet sent. */
  private dirty = false;
  private writing = false;
  /** The callbacks of the sets the next write carries. */
  private readonly writeCallbacks: ((error: string | null) => void)[] = [];
  /** Waiting for the local writes to settle (`delete`). */
  private readonly settledWaiters: (() => void)[] = [];
  /** Sets made before the data loaded. */
  private readonly beforeReady: (() => void)[] = [];
  /** A write was refused: the next open reads the server's state over the local one. */
  private stale = false;
  /** The newest remote document seen while a local write was pending. */
  private remoteWhileWriting: SyncDocument | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly events: DialectEmitter;
  private stopWatching: (() => void) | undefined;
  private readonly offOpen: () => void;
  private handles = 1;
  private provided = false;
  private discarded = false;

  constructor(
    name: string,
    private readonly owner: RecordOwner,
  ) {
    this.id = recordDocumentId(name);
    this.name = name;
    this.events = new DialectEmitter((err) => this.fail(toRealtimeError(err)));
    this.offOpen = owner.host.onOpen(() => this.opened());
    if (owner.host.isOpen()) this.opened();
  }

  /** Whether the record's data has loaded. */
  get isReady(): boolean {
    return this.ready;
  }

  /** The document's revision: 0 until the record exists. */
  get version(): number {
    return this.revision;
  }

  /**
   * Whether a listener (`client.record.listen`) provides this record's data now; changes emit
   * `'hasProviderChanged'`. Always `false` for names listening cannot name (outside
   * "/"-separated segments of letters, digits, `_ . : -`).
   */
  get hasProvider(): boolean {
    return this.provided;
  }

  /** The platform said whether a listener provides this record (`listen:provider`). */
  providerChanged(hasProvider: boolean): void {
    if (hasProvider === this.provided) return;
    this.provided = hasProvider;
    this.events.emit('hasProviderChanged', hasProvider);
  }

  /** One more `getRecord` handle on this record. */
  retain(): this {
    this.handles += 1;
    return this;
  }

  /** Resolves (and calls `callback`) with the record once its data has loaded. */
  whenReady(callback?: (record: DeepstreamRecord) => void): Promise<DeepstreamRecord> {
    return new Promise((resolve) => {
      const done = (): void => {
        callback?.(this);
        resolve(this);
      };
      if (this.ready) done();
      else this.readyWaiters.push(done);
    });
  }

  /** A copy of the data, or of the value at `path` (`undefined` when missing). */
  get(path?: string): unknown {
    return structuredClone(valueAt(this.data, path));
  }

  /**
   * Writes the whole data (an object), or `value` at `path` (`undefined` removes it); a write that
   * changes nothing is not sent. `callback(error)` hears the write's outcome.
   */
  set(data: Record<string, unknown>, callback?: (error: string | null) => void): void;
  set(path: string, value: unknown, callback?: (error: string | null) => void): void;
  set(first: string | Record<string, unknown>, second?: unknown, third?: (error: string | null) => void): void {
    const callback = typeof first === 'string' ? third : (second as ((error: string | null) => void) | undefined);
    if (!this.ready && !this.discarded) {
      // Applied to the loaded data once ready, in order (deepstream queues writes made before ready).
      this.beforeReady.push(() => (typeof first === 'string' ? this.set(first, second, third) : this.set(first, callback)));
      return;
    }
    let next: Record<string, unknown>;
    try {
      this.assertUsable();
      if (typeof first === 'string') next = withValueAt(this.data, first, second);
      else if (typeof first === 'object' && first !== null && !Array.isArray(first)) next = structuredClone(first);
      else throw new InvalidArgumentError('A record holds an object: set(data) takes one, set(path, value) anything else');
    } catch (err) {
      const error = toRealtimeError(err);
      callback?.(error.message);
      this.fail(error);
      return;
    }
    if (jsonEqual(next, this.data)) {
      callback?.(null);
      return;
    }
    this.data = next;
    this.notify();
    this.dirty = true;
    if (callback !== undefined) this.writeCallbacks.push(callback);
    this.flush();
  }

  /**
   * Calls `callback` with the value at `path` (the whole data without one) whenever it changes
   * (deep-compared; local and remote changes alike); with `triggerNow`, once at once (when ready).
   */
  subscribe(callback: RecordSubscriber, triggerNow?: boolean): void;
  subscribe(path: string, callback: RecordSubscriber, triggerNow?: boolean): void;
  subscribe(first: string | RecordSubscriber, second?: RecordSubscriber | boolean, third?: boolean): void {
    const path = typeof first === 'string' ? first : undefined;
    const callback = (typeof first === 'function' ? first : second) as RecordSubscriber;
    const triggerNow = typeof first === 'function' ? second === true : third === true;
    if (typeof callback !== 'function') throw new InvalidArgumentError('subscribe needs a callback');
    const subscription: Subscription = { path, callback, last: structuredClone(valueAt(this.data, path)) };
    this.subscriptions.push(subscription);
    if (triggerNow) void this.whenReady(() => this.call(subscription, valueAt(this.data, path)));
  }

  /** Removes the callbacks of `path` (all of them without `callback`), or of the whole data. */
  unsubscribe(first?: string | RecordSubscriber, second?: RecordSubscriber): void {
    const path = typeof first === 'string' ? first : undefined;
    const callback = typeof first === 'function' ? first : second;
    for (let i = this.subscriptions.length - 1; i >= 0; i -= 1) {
      const subscription = this.subscriptions[i]!;
      if (subscription.path === path && (callback === undefined || subscription.callback === callback)) this.subscriptions.splice(i, 1);
    }
  }

  /** Listens to `'ready'`, `'delete'`, `'discard'` or `'error'` (`(event, message)`). */
  on(event: string, listener: (...args: never[]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Removes a listener. */
  off(event?: string, listener?: (...args: never[]) => void): void {
    this.events.off(event, listener);
  }

  /** This record's own merge strategy (ahead of patterns and the client's). */
  setMergeStrategy(strategy: DeepstreamMergeStrategy): void {
    this.owner.setMergeStrategy(this.name, strategy);
  }

  /** The seed's spelling of {@link setMergeStrategy}. */
  setMergeStategy(strategy: DeepstreamMergeStrategy): void {
    this.setMergeStrategy(strategy);
  }

  /**
   * Releases this handle; once every `getRecord` handle is discarded the record stops following
   * the server and emits `'discard'`.
   */
  discard(): void {
    if (this.discarded) return;
    this.handles -= 1;
    if (this.handles > 0) return;
    this.discarded = true;
    this.offOpen();
    this.stopWatching?.();
    if (LISTEN_NAME_PATTERN.test(this.name)) {
      this.owner.host
        .realtime()
        ?.records.unsubscribe(this.name)
        .catch((err: unknown) => this.fail(toRealtimeError(err)));
    }
    this.owner.released(this.name);
    this.events.emit('discard');
  }

  /**
   * Deletes the record for everyone (others' records emit `'delete'`); not possible offline
   * (`CLIENT_OFFLINE`). Resolves once deleted.
   */
  async delete(callback?: (error: string | null) => void): Promise<void> {
    try {
      this.assertUsable();
      const realtime = this.owner.host.realtime();
      if (realtime === undefined || !this.owner.host.isOpen()) throw new ClientOfflineError('A record cannot be deleted while offline');
      // The delete applies to what this record wrote: its pending write lands (and gives the version) first.
      await this.writesSettled();
      if (this.revision > 0) await realtime.sync.delete(RECORD_SERVICE, this.id, this.revision);
      this.deleted();
      callback?.(null);
    } catch (err) {
      const error = toRealtimeError(err);
      this.fail(error);
      if (callback === undefined) throw error;
      callback(error.message);
    }
  }

  /** The connection (re)opened: load once, send what is pending. */
  private opened(): void {
    if (this.discarded) return;
    if (!this.loading) this.load();
    else if (this.stale) this.resync();
    this.flush();
  }

  private load(): void {
    const realtime = this.owner.host.realtime();
    if (realtime === undefined) return;
    this.loading = true;
    this.stopWatching = realtime.sync.subscribe(RECORD_SERVICE, this.id, (document) => this.remote(document));
    // Followed for listening, when listening can name it (re-sent by the client after reconnects).
    if (LISTEN_NAME_PATTERN.test(this.name)) {
      realtime.records.subscribe(this.name).then(
        ({ hasProvider }) => this.providerChanged(hasProvider),
        (err: unknown) => this.fail(toRealtimeError(err)),
      );
    }
    // Read once the change subscriptions are confirmed: a read answered before they are active at
    // the server could miss a write that lands in between (its event would reach no subscription).
    const confirmed = realtime.ready().catch(() => undefined);
    confirmed
      .then(() => realtime.sync.get(RECORD_SERVICE, this.id))
      .then(
        (document) => this.remote(document),
        (err: unknown) => {
          if (err instanceof NotFoundError) this.becomeReady();
          else if (isConnectionLoss(err))
            this.loading = false; // read again when open
          else this.fail(toRealtimeError(err));
        },
      );
  }

  /** A document from the server (read or change event). */
  private remote(document: SyncDocument): void {
    if (this.discarded) return;
    if (this.writing || this.dirty) {
      if (document.revision > (this.remoteWhileWriting?.revision ?? this.revision)) this.remoteWhileWriting = document;
      return;
    }
    if (document.deleted === true) {
      if (this.ready && this.revision > 0) this.deleted();
      this.becomeReady();
      return;
    }
    if (document.revision <= this.revision) {
      this.becomeReady();
      return;
    }
    this.revision = document.revision;
    this.data = document.data;
    this.becomeReady();
    this.notify();
  }

  private becomeReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const set of this.beforeReady.splice(0)) set();
    for (const waiter of this.readyWaiters.splice(0)) waiter();
    this.events.emit('ready');
    this.flush();
  }

  private deleted(): void {
    this.revision = 0;
    this.data = {};
    this.dirty = false;
    this.notify();
    this.events.emit('delete');
  }

  /** Resolves once no local write is pending or in flight. */
  private writesSettled(): Promise<void> {
    if (!this.writing && !this.dirty) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  private settle(): void {
    if (this.writing || this.dirty) return;
    for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  /** Sends the pending local data, one write at a time, once ready and logged in. */
  private flush(): void {
    const realtime = this.owner.host.realtime();
    if (!this.dirty || this.writing || !this.ready || this.discarded || realtime === undefined) return;
    this.dirty = false;
    this.writing = true;
    const sent = this.data;
    const callbacks = this.writeCallbacks.splice(0);
    realtime.sync.save(RECORD_SERVICE, this.id, sent, this.revision).then(
      (result) => {
        this.writing = false;
        this.written(result, sent);
        for (const callback of callbacks) callback(null);
        this.flush();
        this.settle();
      },
      (err: unknown) => {
        this.writing = false;
        const error = toRealtimeError(err);
        if (isConnectionLoss(error) && error.code !== ErrorCode.CLIENT_OFFLINE) {
          // Lost with the connection: whether it applied is unknown; the next open re-sends it
          // with the same base version, and its merge settles either way.
          this.dirty = true;
          this.writeCallbacks.unshift(...callbacks);
          return;
        }
        for (const callback of callbacks) callback(error.message);
        this.fail(error);
        this.settle();
        this.stale = true;
        if (this.owner.host.isOpen()) this.resync();
      },
    );
  }

  /** After a refused write: the server's state replaces the local change (unless newer local changes wait). */
  private resync(): void {
    const realtime = this.owner.host.realtime();
    if (realtime === undefined) return;
    this.stale = false;
    this.remoteWhileWriting = undefined;
    // Read once the change subscriptions are confirmed: a read answered before they are active at
    // the server could miss a write that lands in between (its event would reach no subscription).
    const confirmed = realtime.ready().catch(() => undefined);
    confirmed
      .then(() => realtime.sync.get(RECORD_SERVICE, this.id))
      .then(
        (document) => this.adopt(document.revision, document.data),
        (err: unknown) => {
          if (err instanceof NotFoundError) this.adopt(0, {});
          else this.stale = true;
        },
      );
  }

  private adopt(revision: number, data: Record<string, unknown>): void {
    if (this.writing || this.dirty || this.discarded) return;
    this.revision = revision;
    if (jsonEqual(data, this.data)) return;
    this.data = data;
    this.notify();
  }

  /** A write landed (or was merged away): take its result unless newer local changes are pending. */
  private written(result: SyncWriteResult, sent: Record<string, unknown>): void {
    this.revision = Math.max(this.revision, result.revision);
    const remote = this.remoteWhileWriting;
    this.remoteWhileWriting = undefined;
    if (this.dirty) return;
    let next = result.data ?? sent;
    if (remote !== undefined && remote.revision > this.revision) {
      if (remote.deleted === true) {
        this.deleted();
        return;
      }
      this.revision = remote.revision;
      next = remote.data;
    }
    if (!jsonEqual(next, this.data)) {
      this.data = next;
      this.notify();
    }
  }

  private notify(): void {
    for (const subscription of [...this.subscriptions]) {
      const value = valueAt(this.data, subscription.path);
      if (jsonEqual(value, subscription.last)) continue;
      this.call(subscription, value);
    }
  }

  private call(subscription: Subscription, value: unknown): void {
    subscription.last = structuredClone(value);
    try {
      subscription.callback(structuredClone(value));
    } catch (err) {
      this.fail(toRealtimeError(err));
    }
  }

  private fail(error: RealtimeError): void {
    this.events.emit('error', eventOfCode(error.code), error.message);
    this.owner.host.reportError(error, TOPIC.RECORD);
  }

  private assertUsable(): void {
    if (this.discarded) throw new InvalidArgumentError(`Record ${this.name} was discarded`);
  }
}
