import { InvalidArgumentError, toRealtimeError } from '../../shared/index.js';
import { TOPIC, type DeepstreamMergeStrategy } from './constants.js';
import { DialectEmitter } from './dialect-emitter.js';
import type { DialectHost } from './dialect-host.js';
import type { DeepstreamRecord, RecordSubscriber } from './record.js';

/**
 * A record whose name is set later (`client.record.getAnonymousRecord()`): `setName(name)`
 * switches it to that record, keeping its subscriptions and listeners, and emits
 * `'nameChanged'`. Until a name is set it reads as empty and refuses writes.
 *
 * @example
 * const selected = client.record.getAnonymousRecord();
 * selected.subscribe('title', (title) => render(title));
 * await selected.setName('cars/vw-golf');
 */
export class DeepstreamAnonymousRecord {
  private current: DeepstreamRecord | undefined;
  private readonly subscriptions: { path: string | undefined; callback: RecordSubscriber }[] = [];
  private readonly events: DialectEmitter;
  private readonly forwarded: (() => void)[] = [];

  constructor(
    private readonly getRecord: (name: string) => DeepstreamRecord,
    host: DialectHost,
  ) {
    this.events = new DialectEmitter((err) => host.reportError(toRealtimeError(err), TOPIC.RECORD));
  }

  /** The current record's name, `null` before `setName`. */
  get name(): string | null {
    return this.current?.name ?? null;
  }

  get isReady(): boolean {
    return this.current?.isReady ?? false;
  }

  get version(): number {
    return this.current?.version ?? 0;
  }

  /** Switches to record `name` (subscriptions move along); resolves once it is ready. */
  async setName(name: string, callback?: (record: DeepstreamAnonymousRecord) => void): Promise<DeepstreamAnonymousRecord> {
    const previous = this.current;
    for (const off of this.forwarded.splice(0)) off();
    if (previous !== undefined) {
      for (const { path, callback: fn } of this.subscriptions) previous.unsubscribe(path ?? fn, path === undefined ? undefined : fn);
      previous.discard();
    }
    const record = this.getRecord(name);
    this.current = record;
    for (const event of ['ready', 'delete', 'error']) this.forwarded.push(record.on(event, (...args: never[]) => this.events.emit(event, ...args)));
    for (const { path, callback: fn } of this.subscriptions) {
      if (path === undefined) record.subscribe(fn, true);
      else record.subscribe(path, fn, true);
    }
    this.events.emit('nameChanged', name);
    await record.whenReady();
    callback?.(this);
    return this;
  }

  async whenReady(callback?: (record: DeepstreamAnonymousRecord) => void): Promise<DeepstreamAnonymousRecord> {
    await this.record().whenReady();
    callback?.(this);
    return this;
  }

  get(path?: string): unknown {
    return this.current?.get(path);
  }

  set(first: string | Record<string, unknown>, second?: unknown, third?: (error: string | null) => void): void {
    const record = this.record();
    if (typeof first === 'string') record.set(first, second, third);
    else record.set(first, second as ((error: string | null) => void) | undefined);
  }

  subscribe(first: string | RecordSubscriber, second?: RecordSubscriber | boolean, third?: boolean): void {
    const path = typeof first === 'string' ? first : undefined;
    const callback = (typeof first === 'function' ? first : second) as RecordSubscriber;
    if (typeof callback !== 'function') throw new InvalidArgumentError('subscribe needs a callback');
    this.subscriptions.push({ path, callback });
    const triggerNow = typeof first === 'function' ? second === true : third === true;
    if (this.current === undefined) return;
    if (path === undefined) this.current.subscribe(callback, triggerNow);
    else this.current.subscribe(path, callback, triggerNow);
  }

  unsubscribe(first?: string | RecordSubscriber, second?: RecordSubscriber): void {
    const path = typeof first === 'string' ? first : undefined;
    const callback = typeof first === 'function' ? first : second;
    for (let i = this.subscriptions.length - 1; i >= 0; i -= 1) {
      const subscription = this.subscriptions[i]!;
      if (subscription.path === path && (callback === undefined || subscription.callback === callback)) this.subscriptions.splice(i, 1);
    }
    this.current?.unsubscribe(first, second);
  }

  on(event: string, listener: (...args: never[]) => void): () => void {
    return this.events.on(event, listener);
  }

  off(event?: string, listener?: (...args: never[]) => void): void {
    this.events.off(event, listener);
  }

  setMergeStrategy(strategy: DeepstreamMergeStrategy): void {
    this.record().setMergeStrategy(strategy);
  }

  discard(): void {
    for (const off of this.forwarded.splice(0)) off();
    this.current?.discard();
    this.current = undefined;
  }

  delete(callback?: (error: string | null) => void): Promise<void> {
    return this.record().delete(callback);
  }

  private record(): DeepstreamRecord {
    if (this.current === undefined) throw new InvalidArgumentError('The anonymous record has no name yet: call setName(name) first');
    return this.current;
  }
}
