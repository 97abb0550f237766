import { toRealtimeError, type RealtimeError } from '../../shared/index.js';

/**
 * Where a live value stands: `'loading'` until its first value (or error) arrives, then
 * `'success'` or `'error'`. A later value after an error makes it `'success'` again.
 */
export type LiveStatus = 'loading' | 'success' | 'error';

/**
 * One immutable snapshot of a live value, as the hooks hand it to components.
 *
 * @example
 * const { status, data, error }: LiveSnapshot<SyncDocument | null> = resource.getSnapshot();
 */
export interface LiveSnapshot<T> {
  status: LiveStatus;
  data: T | undefined;
  error: RealtimeError | undefined;
}

/** What a resource's `start` function is given: push values and errors into it. */
export interface LiveSink<T> {
  next(data: T): void;
  /** `update(previous)` for a value computed from the current one (e.g. a presence event applied to the members). */
  update(fn: (previous: T | undefined) => T): void;
  /** `patch(current)` changes a value that arrived already; before the first value it does nothing. */
  patch(fn: (current: T) => T): void;
  error(err: unknown): void;
}

/** Options of a {@link LiveResource}. */
export interface LiveResourceOptions {
  /**
   * How long a resource that was read (a Suspense render) but never subscribed to stays open,
   * ms: React renders a suspended component again after the value arrives and subscribes only
   * once it commits.
   * @default 10000
   */
  unclaimedTimeoutMs?: number;
}

/** The defaults of {@link LiveResourceOptions}. */
export const DEFAULT_LIVE_RESOURCE_OPTIONS: Required<LiveResourceOptions> = { unclaimedTimeoutMs: 10_000 };

/** A promise marked the way React's `use()` recognises a settled one. */
type SettledPromise = Promise<void> & { status?: 'fulfilled'; value?: undefined };

const LOADING: LiveSnapshot<never> = { status: 'loading', data: undefined, error: undefined };

/**
 * A value kept live by one server-side subscription (a document watch, a channel membership, an
 * objects feed) and shared by every component that asks for the same key.
 *
 * Why this exists: `useSyncExternalStore` subscribes after commit and unsubscribes on unmount,
 * and StrictMode runs that twice (subscribe, unsubscribe, subscribe) in one go. The resource
 * counts its subscribers and stops the server subscription only when the count stays at zero
 * until the next macrotask, so the double mount neither leaks nor churns; a real unmount stops
 * it right after. Suspense needs the first value before anything commits: `promise()` starts the
 * subscription from render, and an unclaimed resource (never subscribed) stops by itself after
 * `unclaimedTimeoutMs`.
 *
 * @example
 * const resource = new LiveResource<number>((sink) => { const t = setInterval(() => sink.next(Date.now()), 1000); return () => clearInterval(t); }, onStop);
 * const off = resource.subscribe(() => render(resource.getSnapshot()));
 */
export class LiveResource<T> {
  private snapshot: LiveSnapshot<T> = LOADING;
  private readonly listeners = new Set<() => void>();
  private stopSource: (() => void) | undefined;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private firstValue: SettledPromise | undefined;
  private resolveFirst: (() => void) | undefined;
  private stopped = false;
  private readonly options: Required<LiveResourceOptions>;

  constructor(
    private readonly start: (sink: LiveSink<T>) => () => void,
    private readonly onStop: () => void,
    options: LiveResourceOptions = {},
  ) {
    this.options = { ...DEFAULT_LIVE_RESOURCE_OPTIONS, ...options };
  }

  /** The current snapshot; the same object until something changes (as `useSyncExternalStore` needs). */
  getSnapshot = (): LiveSnapshot<T> => this.snapshot;

  /** Whether the resource ended (its last subscriber left); a stopped resource is never reused. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Applies what the caller learned itself (e.g. its own presence update, which the server answers only to it). */
  update(fn: (previous: T | undefined) => T): void {
    this.set({ status: 'success', data: fn(this.snapshot.data), error: undefined });
  }

  /** Adds a listener, starting the subscription on the first; returns its disposer. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    this.cancelStop();
    this.ensureStarted();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.scheduleStop(0);
    };
  };

  /**
   * Resolves once the first value or error arrived (for Suspense: the same promise on every call),
   * starting the subscription if nobody did yet. Once settled it carries `status: 'fulfilled'`,
   * the mark React's `use()` reads to go on without suspending again.
   */
  promise(): Promise<void> {
    if (this.firstValue === undefined) {
      const settled: SettledPromise = new Promise<void>((resolve) => {
        this.resolveFirst = () => {
          settled.status = 'fulfilled';
          settled.value = undefined;
          resolve();
        };
      });
      this.firstValue = settled;
      if (this.snapshot.status !== 'loading') this.settleFirst();
    }
    if (this.listeners.size === 0 && this.stopSource === undefined) {
      this.ensureStarted();
      this.scheduleStop(this.options.unclaimedTimeoutMs);
    }
    return this.firstValue;
  }

  private ensureStarted(): void {
    if (this.stopSource !== undefined || this.stopped) return;
    const sink: LiveSink<T> = {
      next: (data) => this.set({ status: 'success', data, error: undefined }),
      update: (fn) => this.update(fn),
      patch: (fn) => {
        const current = this.snapshot.data;
        if (current !== undefined) this.set({ ...this.snapshot, data: fn(current) });
      },
      error: (err) => this.set({ status: 'error', data: this.snapshot.data, error: toRealtimeError(err) }),
    };
    let stop: (() => void) | undefined;
    try {
      stop = this.start(sink);
    } catch (err) {
      sink.error(err);
    }
    this.stopSource = stop ?? (() => {});
  }

  private set(snapshot: LiveSnapshot<T>): void {
    if (this.stopped) return;
    this.snapshot = snapshot;
    this.settleFirst();
    for (const listener of [...this.listeners]) listener();
  }

  private settleFirst(): void {
    this.resolveFirst?.();
    this.resolveFirst = undefined;
  }

  private scheduleStop(delayMs: number): void {
    this.cancelStop();
    this.stopTimer = setTimeout(() => {
      this.stopTimer = undefined;
      if (this.listeners.size === 0) this.stop();
    }, delayMs);
  }

  private cancelStop(): void {
    if (this.stopTimer === undefined) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const stop = this.stopSource;
    this.stopSource = undefined;
    this.settleFirst();
    this.onStop();
    stop?.();
  }
}

/**
 * The live resources of one client, by key: components asking for the same document, channel or
 * feed share one server subscription.
 *
 * @example
 * const doc = resources.get(`doc:${realm}:${service}:${id}`, (sink) => watch(sink));
 */
export class LiveResourceCache {
  private readonly resources = new Map<string, LiveResource<unknown>>();

  constructor(private readonly options: LiveResourceOptions = {}) {}

  /** The resource of `key`, made with `start` when there is none (or the last one stopped). */
  get<T>(key: string, start: (sink: LiveSink<T>) => () => void): LiveResource<T> {
    const existing = this.resources.get(key);
    if (existing !== undefined && !existing.isStopped) return existing as LiveResource<T>;
    const resource: LiveResource<T> = new LiveResource<T>(
      start,
      () => {
        if (this.resources.get(key) === (resource as LiveResource<unknown>)) this.resources.delete(key);
      },
      this.options,
    );
    this.resources.set(key, resource as LiveResource<unknown>);
    return resource;
  }

  /** How many resources are open (a test seam, and what a devtool would show). */
  get size(): number {
    return this.resources.size;
  }
}
