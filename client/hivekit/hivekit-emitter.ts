/**
 * A Hivekit listener: any arguments; returning `false` stops the listeners after it.
 *
 * @example
 * const listener: HivekitListener = (status: string) => status !== 'disconnected';
 */
export type HivekitListener = (...args: never[]) => unknown;

interface ListenerEntry {
  id: number;
  callback: HivekitListener;
  context: unknown;
  order: number;
  /** Insertion sequence: listeners of equal `order` run in the order they were added. */
  seq: number;
}

/**
 * Hivekit's event emitter, shared by the client, realms and subscriptions: `on(event, callback,
 * context?, order?)` returns a listener id; `callback` runs with `this` = `context`; listeners run
 * by ascending `order` (then in the order added); a listener returning `false` stops the chain.
 *
 * @example
 * const id = emitter.on('update', function (this: View) { this.render(); }, view, 1);
 * emitter.off('update', callback, view);
 * emitter.removeListenerById('update', id);
 */
export class HivekitEmitter {
  private readonly listeners = new Map<string, ListenerEntry[]>();
  private nextId = 1;

  constructor(private readonly onListenerError: (err: unknown, eventName: string) => void = rethrowLater) {}

  /** Adds a listener; returns its id (for {@link removeListenerById}). */
  on(eventName: string, callback: HivekitListener, context?: unknown, order?: number): number {
    if (typeof callback !== 'function') throw new TypeError(`on('${eventName}') needs a callback function`);
    const entries = this.listeners.get(eventName) ?? [];
    const id = this.nextId++;
    entries.push({ id, callback, context, order: typeof order === 'number' && Number.isFinite(order) ? order : 0, seq: id });
    entries.sort((a, b) => a.order - b.order || a.seq - b.seq);
    this.listeners.set(eventName, entries);
    return id;
  }

  /** Removes the listeners added with this callback (and this context, when given). */
  off(eventName: string, callback: HivekitListener, context?: unknown): void {
    const entries = this.listeners.get(eventName);
    if (entries === undefined) return;
    const kept = entries.filter((entry) => entry.callback !== callback || (context !== undefined && entry.context !== context));
    if (kept.length === 0) this.listeners.delete(eventName);
    else this.listeners.set(eventName, kept);
  }

  /** Removes one listener by the id `on` returned; throws when there is none. */
  removeListenerById(eventName: string, id: number): void {
    const entries = this.listeners.get(eventName) ?? [];
    const index = entries.findIndex((entry) => entry.id === id);
    if (index < 0) throw new Error(`no listener with id ${id} for event ${eventName}`);
    entries.splice(index, 1);
    if (entries.length === 0) this.listeners.delete(eventName);
  }

  /** Whether `eventName` has listeners. */
  hasListeners(eventName: string): boolean {
    return this.listeners.has(eventName);
  }

  /** Calls the listeners in order until one returns `false`. A throwing listener does not stop the others. */
  emit(eventName: string, ...args: unknown[]): void {
    const entries = this.listeners.get(eventName);
    if (entries === undefined) return;
    for (const entry of [...entries]) {
      let result: unknown;
      try {
        result = (entry.callback as (...values: unknown[]) => unknown).apply(entry.context, args);
      } catch (err) {
        this.onListenerError(err, eventName);
        continue;
      }
      if (result === false) return;
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners.clear();
  }
}

function rethrowLater(err: unknown): void {
  queueMicrotask(() => {
    throw err;
  });
}
