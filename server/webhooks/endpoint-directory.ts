import type { StoredEndpoint, WebhookStore } from './webhook-store.js';

interface Snapshot<T> {
  value: T;
  loadedAt: number;
}

/** How many realms' endpoint lists are kept; beyond it the least recently loaded are dropped. */
const MAX_CACHED_REALMS = 10_000;

/**
 * This node's copy of which realms have active endpoints, and of those realms' endpoints, so that
 * matching an event costs no database read and a realm without endpoints costs one set lookup on
 * the realtime path.
 *
 * Copies are trusted for `ttlMs`; changes made on this node invalidate them at once, changes made
 * on other nodes show within `ttlMs`. The store is asked two things: the set of realms with an
 * active endpoint (one query per `ttlMs`, however many realms are busy) and the endpoints of a realm
 * in that set. Loads are single-flight.
 *
 * @example
 * const directory = new EndpointDirectory(store, 2000, Date.now);
 * if (directory.mayHaveEndpoints('demo')) queue(event);
 */
export class EndpointDirectory {
  private realms: Snapshot<Set<string>> | undefined;
  private realmsLoading: Promise<Set<string>> | undefined;
  private readonly entries = new Map<string, Snapshot<StoredEndpoint[]>>();
  private readonly loading = new Map<string, Promise<StoredEndpoint[]>>();
  private generation = 0;

  constructor(
    private readonly store: WebhookStore,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * False when the copy says the realm has no active endpoint (the event can be dropped at once);
   * true when it has some, or when there is no copy yet. A copy past `ttlMs` still answers while
   * a fresh one loads (a busy node would otherwise queue every event of every realm at each
   * refresh), so another node's new endpoint shows within `ttlMs` plus one load.
   */
  mayHaveEndpoints(realm: string): boolean {
    if (!this.fresh(this.realms)) void this.activeRealms().catch(() => undefined);
    return this.realms === undefined ? true : this.realms.value.has(realm);
  }

  /** The realm's active endpoints (from the copy while it is fresh). */
  async active(realm: string): Promise<StoredEndpoint[]> {
    if (!(await this.activeRealms()).has(realm)) return [];
    const entry = this.entries.get(realm);
    if (this.fresh(entry)) return entry.value;
    let load = this.loading.get(realm);
    if (load === undefined) {
      const generation = this.generation;
      const started: Promise<StoredEndpoint[]> = this.store
        .listEndpoints(realm)
        .then((all) => {
          const endpoints = all.filter((endpoint) => endpoint.active);
          // An invalidation while loading means the list may be stale: use it, do not keep it.
          if (generation === this.generation) this.remember(realm, endpoints);
          return endpoints;
        })
        .finally(() => {
          if (this.loading.get(realm) === started) this.loading.delete(realm);
        });
      this.loading.set(realm, started);
      load = started;
    }
    return load;
  }

  /** Forgets what is known about a realm (after a change on this node). */
  invalidate(realm: string): void {
    this.generation += 1;
    this.entries.delete(realm);
    this.realms = undefined;
    // A load already under way may predate the change: later callers start a fresh one.
    this.loading.delete(realm);
    this.realmsLoading = undefined;
  }

  private activeRealms(): Promise<Set<string>> {
    if (this.fresh(this.realms)) return Promise.resolve(this.realms.value);
    if (this.realmsLoading === undefined) {
      const generation = this.generation;
      const started: Promise<Set<string>> = this.store
        .activeRealms()
        .then((realms) => {
          const value = new Set(realms);
          if (generation === this.generation) this.realms = { value, loadedAt: this.now() };
          return value;
        })
        .finally(() => {
          if (this.realmsLoading === started) this.realmsLoading = undefined;
        });
      this.realmsLoading = started;
    }
    return this.realmsLoading;
  }

  private fresh<T>(snapshot: Snapshot<T> | undefined): snapshot is Snapshot<T> {
    return snapshot !== undefined && this.now() - snapshot.loadedAt <= this.ttlMs;
  }

  private remember(realm: string, endpoints: StoredEndpoint[]): void {
    this.entries.delete(realm);
    this.entries.set(realm, { value: endpoints, loadedAt: this.now() });
    if (this.entries.size > MAX_CACHED_REALMS) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}
