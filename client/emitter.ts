/** Removes the listener it was returned for. */
export type Disposer = () => void;

type Listener<T> = (value: T) => void;

/**
 * A small typed event emitter: `on` returns its disposer; a throwing listener never stops the
 * others (its error goes to `onListenerError`).
 *
 * @example
 * const emitter = new Emitter<{ ping: { at: number } }>();
 * const off = emitter.on('ping', ({ at }) => console.log(at));
 * off();
 */
export class Emitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly onListenerError: (err: unknown, event: keyof Events) => void = rethrowLater) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Disposer {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** Removes a listener added with {@link on} (the same function reference). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    set.delete(listener as Listener<never>);
    if (set.size === 0) this.listeners.delete(event);
  }

  /** Calls every listener of `event` with `value`. */
  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set] as Listener<Events[K]>[]) {
      try {
        listener(value);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  /** Whether `event` has listeners. */
  has(event: keyof Events): boolean {
    return this.listeners.has(event);
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
