import type { Feed, FeedUpdate } from '../objects/feed.js';
import { hivekitCall } from './hivekit-errors.js';
import { HivekitEmitter, type HivekitListener } from './hivekit-emitter.js';
import { toObjectCriteria } from './hivekit-criteria.js';

/**
 * What `'update'` listeners get: every item by id, what changed, and whether it was the whole set.
 *
 * @example
 * const listener: HivekitUpdateListener<RealmObject> = (objects, { added }, type) => render(objects, added, type);
 */
export type HivekitUpdateListener<T> = (
  itemsById: Record<string, T>,
  changes: { added: Record<string, T>; updated: Record<string, T>; removed: Record<string, T> },
  type: 'full' | 'delta',
) => unknown;

/**
 * Hivekit's `Subscription`, over one platform {@link Feed}: `on('update', (itemsById, { added,
 * updated, removed }, 'full' | 'delta') => ...)`, `update(options)` (objects), `cancel()`. A
 * listener added after the first set arrived gets the current set at once (as a `'full'`), so
 * `const s = await realm.object.subscribe(); s.on('update', ...)` never misses it.
 *
 * @example
 * const subscription = await realm.object.subscribe({ shape: { cx: 13.4, cy: 52.5, r: 500 } });
 * subscription.on('update', (objects, { added, removed }) => redraw(objects));
 * await subscription.update({ shape: { cx: 13.5, cy: 52.5, r: 500 } });
 * await subscription.cancel();
 */
export class HivekitSubscription<T = unknown> {
  private readonly emitter: HivekitEmitter;
  private received = false;

  constructor(
    private readonly feed: Feed<T>,
    onListenerError: (err: unknown) => void,
  ) {
    this.emitter = new HivekitEmitter(onListenerError);
    this.received = feed.hasSet; // a set that came with the subscribe's answer is replayed to listeners
    feed.on('update', (update) => this.deliver(update));
  }

  /** The subscription's id (stable across reconnects). */
  get id(): string {
    return this.feed.id;
  }

  /** The realm it is in (`undefined` for a realm subscription). */
  get realmId(): string | undefined {
    return this.feed.realm;
  }

  /** Listens to `'update'`; returns the listener id. */
  on(eventName: 'update', callback: HivekitUpdateListener<T>, context?: unknown, order?: number): number {
    const id = this.emitter.on(eventName, callback as HivekitListener, context, order);
    if (eventName === 'update' && this.received) {
      // Late listener: hand it the current set, as Hivekit hands a later subscriber its cached result.
      queueMicrotask(() => {
        const items = Object.fromEntries(this.feed.items);
        const single = new HivekitEmitter();
        single.on('update', callback as HivekitListener, context);
        if (!this.feed.isCancelled) single.emit('update', items, { added: items, updated: {}, removed: {} }, 'full');
      });
    }
    return id;
  }

  /** Removes a listener. */
  off(eventName: 'update', callback: HivekitUpdateListener<T>, context?: unknown): void {
    this.emitter.off(eventName, callback as HivekitListener, context);
  }

  /** Changes an objects subscription's options in place (`where: []` clears the conditions). */
  update(options: unknown): Promise<void> {
    return hivekitCall(() => this.feed.update(toObjectCriteria(options, false) as Record<string, unknown>));
  }

  /** Ends it. */
  cancel(): Promise<void> {
    return hivekitCall(() => this.feed.cancel());
  }

  private deliver(update: FeedUpdate<T>): void {
    this.received = true;
    this.emitter.emit(
      'update',
      Object.fromEntries(update.items),
      { added: { ...update.added }, updated: { ...update.updated }, removed: { ...update.removed } },
      update.kind,
    );
  }
}
