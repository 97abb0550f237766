import type { FeedData } from '../../shared/index.js';
import { Emitter, type Disposer } from '../emitter.js';

/**
 * What a feed follows: objects (with criteria), areas or realms.
 *
 * @example
 * const kind: FeedKind = feed.kind; // 'objects'
 */
export type FeedKind = 'objects' | 'areas' | 'realms';

/**
 * One change of a feed's set, as its `'update'` listeners get it: `items` is the whole current set
 * after the change; `added`, `updated` and `removed` are what changed (for `'full'`, everything is
 * in `added`; `removed` carries the last state seen of each item that left).
 *
 * @example
 * feed.on('update', ({ kind, items, added, removed }) => render([...items.values()], added, removed));
 */
export interface FeedUpdate<T> {
  kind: 'full' | 'delta';
  items: ReadonlyMap<string, T>;
  added: Readonly<Record<string, T>>;
  updated: Readonly<Record<string, T>>;
  removed: Readonly<Record<string, T>>;
}

/**
 * Events of a {@link Feed}.
 *
 * @example
 * feed.on('update', (update: FeedEvents<RealmObject>['update']) => render(update.items));
 */
export interface FeedEvents<T> {
  update: FeedUpdate<T>;
}

/**
 * What a {@link Feed} asks of the registry that owns it.
 *
 * @example
 * const feed = new Feed('feed_1', 'objects', 'london', {}, registryAsOwner);
 */
export interface FeedOwner {
  update(feed: Feed<unknown>, criteria: Record<string, unknown>): Promise<void>;
  cancel(feed: Feed<unknown>): Promise<void>;
  reportListenerError(err: unknown): void;
}

/**
 * A live set of objects, areas or realms: the server sends the whole matching set (`'full'`), then
 * what changes (`'delta'`); the feed keeps the current set in `items`. After a reconnect the
 * client subscribes again and the next `'full'` replaces the set (changes made meanwhile are in
 * it, not replayed one by one).
 *
 * @example
 * const feed = await client.objects.subscribe({ where: ['type="scooter"'], shape: { cx: 13.4, cy: 52.5, r: 2000 } });
 * feed.on('update', ({ items }) => console.log(items.size, 'scooters in range'));
 * await feed.update({ shape: { cx: 13.41, cy: 52.5, r: 2000 } });
 * await feed.cancel();
 */
export class Feed<T> {
  private readonly emitter: Emitter<FeedEvents<T>>;
  private current = new Map<string, T>();
  private cancelled = false;
  private gotSet = false;

  constructor(
    /** The client's own id of this feed (`feed_1`): stable across reconnects, unlike the server's. */
    readonly id: string,
    /** What it follows. */
    readonly kind: FeedKind,
    /** The realm it is in (`undefined` for a realm feed, which spans every realm the token grants). */
    readonly realm: string | undefined,
    private criteriaNow: Readonly<Record<string, unknown>>,
    private readonly owner: FeedOwner,
  ) {
    this.emitter = new Emitter<FeedEvents<T>>((err) => owner.reportListenerError(err));
  }

  /** The current set, by id. */
  get items(): ReadonlyMap<string, T> {
    return this.current;
  }

  /** The criteria it follows now (objects feeds: `where`, `shape`, `area`, `target`). */
  get criteria(): Readonly<Record<string, unknown>> {
    return this.criteriaNow;
  }

  /** Whether a set arrived from the server (the first `'full'`, or any frame). */
  get hasSet(): boolean {
    return this.gotSet;
  }

  /** Whether `cancel()` was called (or the server ended it). */
  get isCancelled(): boolean {
    return this.cancelled;
  }

  /** Listens to `'update'`; returns the disposer. */
  on(event: 'update', listener: (update: FeedUpdate<T>) => void): Disposer {
    return this.emitter.on(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off(event: 'update', listener: (update: FeedUpdate<T>) => void): void {
    this.emitter.off(event, listener);
  }

  /**
   * Changes an objects feed's criteria in place (what is not given is cleared; `where: []` clears
   * the conditions); the difference arrives as one `'delta'`. Other feeds have no criteria and
   * reject with `InvalidArgumentError`.
   */
  update(criteria: Record<string, unknown>): Promise<void> {
    return this.owner.update(this as Feed<unknown>, criteria);
  }

  /** Ends the feed; no `'update'` follows. */
  cancel(): Promise<void> {
    return this.owner.cancel(this as Feed<unknown>);
  }

  /** Applies a frame from the server and tells the listeners. @internal */
  apply(data: FeedData<T>): void {
    if (this.cancelled) return;
    this.gotSet = true;
    if (data.kind === 'full') {
      this.current = new Map(Object.entries(data.added));
    } else {
      for (const [id, item] of Object.entries(data.added)) this.current.set(id, item);
      for (const [id, item] of Object.entries(data.updated)) this.current.set(id, item);
      for (const id of Object.keys(data.removed)) this.current.delete(id);
    }
    this.emitter.emit('update', { kind: data.kind, items: this.current, added: data.added, updated: data.updated, removed: data.removed });
  }

  /** Records new criteria the server accepted. @internal */
  setCriteria(criteria: Readonly<Record<string, unknown>>): void {
    this.criteriaNow = criteria;
  }

  /** Stops the feed: no more updates, listeners removed. @internal */
  end(): void {
    this.cancelled = true;
    this.emitter.clear();
  }
}
