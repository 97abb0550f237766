import { InvalidArgumentError, toRealtimeError } from '../../shared/index.js';
import { TOPIC } from './constants.js';
import { DialectEmitter } from './dialect-emitter.js';
import type { DialectHost } from './dialect-host.js';
import type { DeepstreamRecord } from './record.js';

/** The field of a list's document that holds its entries (a sync document's data is an object). */
export const LIST_ENTRIES_PATH = 'entries';

/**
 * A deepstream list (`client.record.getList(name)`): a record holding an array of record names,
 * stored as `{ entries: [...] }` in the record's document. Changes, local or remote, emit
 * `'entry-added'`, `'entry-removed'` and `'entry-moved'` with `(entry, position)`.
 *
 * @example
 * const list = client.record.getList('todos');
 * list.on('entry-added', (name, index) => render(name, index));
 * list.addEntry('todo/1');
 */
export class DeepstreamList {
  private readonly events: DialectEmitter;
  private previous: string[] = [];

  constructor(
    private readonly record: DeepstreamRecord,
    host: DialectHost,
  ) {
    this.events = new DialectEmitter((err) => host.reportError(toRealtimeError(err), TOPIC.RECORD));
    record.subscribe(LIST_ENTRIES_PATH, (value) => this.changed(entriesOf(value)));
    void record.whenReady(() => (this.previous = this.getEntries()));
    for (const event of ['ready', 'delete', 'discard', 'error']) record.on(event, (...args: never[]) => this.events.emit(event, ...args));
  }

  get name(): string {
    return this.record.name;
  }

  get isReady(): boolean {
    return this.record.isReady;
  }

  get version(): number {
    return this.record.version;
  }

  /** Resolves with the list once loaded. */
  async whenReady(callback?: (list: DeepstreamList) => void): Promise<DeepstreamList> {
    await this.record.whenReady();
    callback?.(this);
    return this;
  }

  /** The record names in the list. */
  getEntries(): string[] {
    return entriesOf(this.record.get(LIST_ENTRIES_PATH));
  }

  isEmpty(): boolean {
    return this.getEntries().length === 0;
  }

  /** Replaces every entry. */
  setEntries(entries: string[], callback?: (error: string | null) => void): void {
    if (!Array.isArray(entries) || !entries.every((entry) => typeof entry === 'string')) {
      throw new InvalidArgumentError('A list holds record names (strings)');
    }
    this.record.set(LIST_ENTRIES_PATH, entries, callback);
  }

  /** Adds `entry` at `index` (the end without one). */
  addEntry(entry: string, index?: number, callback?: (error: string | null) => void): void {
    const entries = this.getEntries();
    entries.splice(index ?? entries.length, 0, entry);
    this.setEntries(entries, callback);
  }

  /** Removes `entry` at `index`, or every occurrence without one; no error when absent. */
  removeEntry(entry: string, index?: number, callback?: (error: string | null) => void): void {
    const entries = this.getEntries();
    const next = index === undefined ? entries.filter((item) => item !== entry) : entries.filter((item, i) => !(i === index && item === entry));
    this.setEntries(next, callback);
  }

  /** Calls `callback(entries)` on every change; with `triggerNow`, at once too. */
  subscribe(callback: (entries: string[]) => void, triggerNow?: boolean): void {
    this.record.subscribe(LIST_ENTRIES_PATH, (value) => callback(entriesOf(value)), triggerNow);
  }

  /** Listens to `'entry-added'`, `'entry-removed'`, `'entry-moved'`, `'ready'`, `'delete'`, `'discard'`, `'error'`. */
  on(event: string, listener: (...args: never[]) => void): () => void {
    return this.events.on(event, listener);
  }

  off(event?: string, listener?: (...args: never[]) => void): void {
    this.events.off(event, listener);
  }

  discard(): void {
    this.record.discard();
  }

  delete(callback?: (error: string | null) => void): Promise<void> {
    return this.record.delete(callback);
  }

  /** Compares the entries before and after a change, position by position per entry. */
  private changed(next: string[]): void {
    const before = positions(this.previous);
    const after = positions(next);
    this.previous = next;
    for (const [entry, was] of before) {
      const now = after.get(entry) ?? [];
      for (const index of was.slice(now.length)) this.events.emit('entry-removed', entry, index);
    }
    for (const [entry, now] of after) {
      const was = before.get(entry) ?? [];
      now.forEach((index, i) => {
        if (i >= was.length) this.events.emit('entry-added', entry, index);
        else if (was[i] !== index) this.events.emit('entry-moved', entry, index);
      });
    }
  }
}

function entriesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function positions(entries: string[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    const list = map.get(entry);
    if (list === undefined) map.set(entry, [index]);
    else list.push(index);
  });
  return map;
}
