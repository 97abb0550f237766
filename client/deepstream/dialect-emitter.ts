/** A listener of a {@link DialectEmitter} event: deepstream passes positional arguments. */
export type DialectListener = (...args: never[]) => void;

/**
 * The small emitter deepstream objects are (`on`, `off`, `once`, `emit`, with positional
 * arguments, as deepstream's API has them). A listener that throws is reported to `onListenerError`
 * and the others still run.
 *
 * @example
 * const emitter = new DialectEmitter((err) => console.error(err));
 * emitter.on('ready', () => start());
 */
export class DialectEmitter {
  private readonly listeners = new Map<string, Set<(...args: unknown[]) => void>>();

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  on(event: string, listener: (...args: never[]) => void): () => void {
    const fn = listener as (...args: unknown[]) => void;
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(fn);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs once. */
  once(event: string, listener: (...args: never[]) => void): () => void {
    const off = this.on(event, (...args: never[]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener, every listener of `event` without one, or every listener without arguments. */
  off(event?: string, listener?: (...args: never[]) => void): void {
    if (event === undefined) this.listeners.clear();
    else if (listener === undefined) this.listeners.delete(event);
    else this.listeners.get(event)?.delete(listener as (...args: unknown[]) => void);
  }

  /** Calls every listener of `event` with `args`. */
  emit(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** Whether `event` has a listener. */
  hasListeners(event: string): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }
}
