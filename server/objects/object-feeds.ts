import type { Logger } from 'pino';
import {
  LimitExceededError,
  UnavailableError,
  type FeedData,
  type ObjectChangeRelay,
  type ConnectionStatus,
  type RealmObject,
  type Shape,
} from '../../shared/index.js';
import { can, objectResource } from '../auth/permissions.js';
import type { RealtimeSocket } from '../socket-types.js';
import type { FeedEntry } from './feed-registry.js';
import type { MatchDelta } from './matching/match-delta.js';
import type { MatcherCriteria } from './matching/matcher-subscription.js';
import { ObjectMatcher } from './matching/object-matcher.js';
import type { ObjectMatching } from './matching/object-matcher-options.js';
import type { ObjectStore } from './object-store.js';
import { setEntry } from './set-entry.js';

/** What the object feeds are built from. */
export interface ObjectFeedsOptions {
  store: ObjectStore;
  statusOf: (realm: string, id: string) => Promise<ConnectionStatus>;
  /** Most objects loaded into a realm's matcher (the realm's object limit). */
  maxObjects: number;
  /** Most members one feed holds. */
  maxMembers: number;
  /** How each realm's matcher finds the feeds a write concerns (`'scan'`: brute force, for benchmarks). @default 'index' */
  matching?: ObjectMatching;
  logger: Logger;
}

/** One realm's feeds on this node: its matcher, the objects' current state, and its feeds. */
interface RealmFeedState {
  readonly matcher: ObjectMatcher;
  readonly objects: Map<string, RealmObject>;
  readonly feeds: Map<string, FeedEntry>;
  /** Resolves once the realm's objects are loaded. */
  readonly loaded: Promise<void>;
  /** Changes heard while loading, applied (in order) after it. */
  pending: ObjectChangeRelay[] | undefined;
}

/** How many object statuses are asked for at once while a realm loads. */
const STATUS_BATCH = 256;

/**
 * The object feeds (`objects:subscribe`) of this node's connections: one {@link ObjectMatcher} per
 * realm that has feeds here, fed from the store when its first feed starts (at most the realm's
 * object limit) and kept current from the object bus, which brings every node's writes. Each
 * change goes through the matcher and reaches only the feeds it concerns, each as one
 * `feed:data` delta on the subscribing connection (never a broadcast).
 *
 * Why loads hold changes: a realm's first feed reads the store while writes keep coming; changes
 * heard meanwhile are applied after the load, in order, so nothing is lost (a change already in
 * what was read is applied twice, which changes nothing).
 *
 * Permissions: a connection only ever receives objects it may read (`R` on `object/<id>`), checked
 * per delivery against its current token; a feed's set may hold others, which it never sees.
 * Feeds are not replayed after a reconnect: the client subscribes again and gets a fresh `'full'`.
 *
 * @example
 * const entry = registry.add(socket, 'objects', 'london');
 * const ids = await feeds.add(entry, { shape: { cx: -0.12, cy: 51.5, r: 500 } });
 * feeds.sendFull(entry.id);
 */
export class ObjectFeeds {
  private readonly realms = new Map<string, RealmFeedState>();
  private readonly byId = new Map<string, FeedEntry>();

  /** `onRevoked(entry)`: a feed the matcher dropped (it grew past its bound) is forgotten there too. */
  constructor(
    private readonly options: ObjectFeedsOptions,
    private readonly onRevoked: (entry: FeedEntry) => void = () => undefined,
  ) {}

  /**
   * Starts a feed with its criteria (the realm loads first when it is its first feed here).
   *
   * @throws InvalidArgumentError for malformed criteria; LimitExceededError when the set would
   *   pass `maxFeedMembers`.
   */
  async add(entry: FeedEntry, criteria: MatcherCriteria): Promise<void> {
    const state = this.stateOf(entry.realm);
    try {
      await state.loaded;
      // Closed while the realm loaded: its feeds were already dropped, so this one must not start.
      if (!entry.socket.connected) throw new UnavailableError('the connection closed');
      state.matcher.addSubscription(entry.id, criteria);
    } catch (err) {
      this.dropIfUnused(entry.realm, state);
      throw err;
    }
    state.feeds.set(entry.id, entry);
    this.byId.set(entry.id, entry);
  }

  /**
   * Sends a feed its whole current set as `'full'`. Called once the subscribe was acknowledged
   * (`setImmediate`: after the acknowledgement's packet went out, so the client knows the id).
   */
  sendFullSoon(id: string): void {
    setImmediate(() => {
      const entry = this.byId.get(id);
      const state = entry === undefined ? undefined : this.realms.get(entry.realm);
      if (entry === undefined || state === undefined) return;
      const added: Record<string, RealmObject> = {};
      for (const objectId of state.matcher.members(id)) this.include(entry, state, objectId, added);
      emit(entry.socket, { subscriptionId: id, kind: 'full', added, updated: {}, removed: {} });
    });
  }

  /**
   * Replaces a feed's criteria and sends the difference as one delta (nothing when nothing changed).
   *
   * @throws as {@link add}; the old criteria stay then.
   */
  update(entry: FeedEntry, criteria: MatcherCriteria): void {
    const state = this.realms.get(entry.realm);
    if (state === undefined) return;
    const { added, removed } = state.matcher.updateSubscription(entry.id, criteria);
    const data = delta(entry.id);
    for (const id of added) this.include(entry, state, id, data.added);
    for (const id of removed) this.include(entry, state, id, data.removed);
    if (Object.keys(data.added).length > 0 || Object.keys(data.removed).length > 0) emit(entry.socket, data);
  }

  /** Ends a feed. */
  remove(entry: FeedEntry): void {
    this.byId.delete(entry.id);
    const state = this.realms.get(entry.realm);
    if (state === undefined) return;
    state.feeds.delete(entry.id);
    state.matcher.removeSubscription(entry.id);
    this.dropIfUnused(entry.realm, state);
  }

  /** Applies a change from the bus to this node's feeds. */
  apply(change: ObjectChangeRelay): void {
    if (change.kind === 'pubsub') return;
    const state = this.realms.get(change.realm);
    if (state === undefined) return;
    if (state.pending !== undefined) {
      state.pending.push(change);
      return;
    }
    this.applyTo(state, change);
  }

  /** How many realms have a matcher on this node (a test seam for the cleanup). */
  get realmCount(): number {
    return this.realms.size;
  }

  private applyTo(state: RealmFeedState, change: Exclude<ObjectChangeRelay, { kind: 'pubsub' }>): void {
    if (change.kind === 'object') {
      const { object } = change;
      const previous = state.objects.get(object.id);
      if (change.op === 'deleted') {
        const result = state.matcher.removeObject(object.id);
        state.objects.delete(object.id);
        this.deliver(state, result, new Map([[object.id, previous ?? object]]));
      } else {
        state.objects.set(object.id, object);
        this.deliver(state, state.matcher.upsertObject(object), new Map(previous === undefined ? [] : [[object.id, previous]]));
      }
    } else if (change.kind === 'area') {
      const shape: Shape | null = change.op === 'deleted' ? null : change.area.shapeData;
      this.deliver(state, state.matcher.setAreaShape(change.area.id, shape), new Map());
    } else if (change.op === 'deleted') {
      // The realm and everything in it is gone: every member leaves every feed.
      for (const [id, object] of [...state.objects]) {
        const result = state.matcher.removeObject(id);
        state.objects.delete(id);
        this.deliver(state, result, new Map([[id, object]]));
      }
    }
  }

  /** Sends each feed its part of a matcher delta; `previous` holds the last state of objects that changed. */
  private deliver(state: RealmFeedState, result: MatchDelta, previous: Map<string, RealmObject>): void {
    const byFeed = new Map<string, FeedData<RealmObject>>();
    for (const { subscriptionId, objectId, kind } of result.changes) {
      const entry = state.feeds.get(subscriptionId);
      if (entry === undefined) continue;
      let data = byFeed.get(subscriptionId);
      if (data === undefined) byFeed.set(subscriptionId, (data = delta(subscriptionId)));
      const object = kind === 'removed' ? (previous.get(objectId) ?? state.objects.get(objectId)) : state.objects.get(objectId);
      if (object !== undefined && mayRead(entry, objectId)) setEntry(data[kind], objectId, object);
    }
    for (const [id, data] of byFeed) {
      const entry = state.feeds.get(id);
      if (entry !== undefined && !isEmpty(data)) emit(entry.socket, data);
    }
    for (const id of result.overflowed) this.revoke(state, id);
  }

  /** A feed whose set grew past its bound was dropped by the matcher: it ends with LIMIT_EXCEEDED. */
  private revoke(state: RealmFeedState, id: string): void {
    const entry = state.feeds.get(id);
    if (entry === undefined) return;
    state.feeds.delete(id);
    this.byId.delete(id);
    this.onRevoked(entry);
    const error = new LimitExceededError(`feed ${id} grew past ${this.options.maxMembers} members and was ended`, {
      details: { limit: this.options.maxMembers },
    });
    entry.socket.emit('subscription:revoked', { subscriptionId: id, error: error.toJSON() });
  }

  private include(entry: FeedEntry, state: RealmFeedState, id: string, into: Record<string, RealmObject>): void {
    const object = state.objects.get(id);
    if (object !== undefined && mayRead(entry, id)) setEntry(into, id, object);
  }

  private stateOf(realm: string): RealmFeedState {
    const existing = this.realms.get(realm);
    if (existing !== undefined) return existing;
    const matcher = new ObjectMatcher({
      maxMembersPerSubscription: this.options.maxMembers,
      ...(this.options.matching === undefined ? {} : { matching: this.options.matching }),
    });
    const objects = new Map<string, RealmObject>();
    const state: RealmFeedState = { matcher, objects, feeds: new Map(), pending: [], loaded: Promise.resolve() };
    (state as { loaded: Promise<void> }).loaded = this.load(realm, state);
    this.realms.set(realm, state);
    return state;
  }

  private async load(realm: string, state: RealmFeedState): Promise<void> {
    try {
      const stored = await this.options.store.listObjects(realm, { limit: this.options.maxObjects });
      for (let i = 0; i < stored.length; i += STATUS_BATCH) {
        const batch = stored.slice(i, i + STATUS_BATCH);
        const statuses = await Promise.all(batch.map((object) => this.options.statusOf(realm, object.id)));
        batch.forEach((object, index) => {
          const loaded: RealmObject = { ...object, connectionStatus: statuses[index] ?? 'disconnected' };
          state.objects.set(object.id, loaded);
          state.matcher.upsertObject(loaded);
        });
      }
    } catch (err) {
      // A failed load fails the subscribe that waits on it; the next subscribe loads again.
      if (this.realms.get(realm) === state) this.realms.delete(realm);
      throw err;
    }
    const pending = state.pending ?? [];
    state.pending = undefined;
    for (const change of pending) if (change.kind !== 'pubsub') this.applyTo(state, change);
  }

  private dropIfUnused(realm: string, state: RealmFeedState): void {
    if (state.feeds.size === 0 && state.matcher.subscriptionCount === 0 && state.pending === undefined && this.realms.get(realm) === state) {
      this.realms.delete(realm);
    }
  }
}

function mayRead(entry: FeedEntry, objectId: string): boolean {
  return can(entry.socket.data.principal, entry.realm, objectResource(objectId), 'R');
}

function delta(subscriptionId: string): FeedData<RealmObject> {
  return { subscriptionId, kind: 'delta', added: {}, updated: {}, removed: {} };
}

function isEmpty(data: FeedData<RealmObject>): boolean {
  return Object.keys(data.added).length === 0 && Object.keys(data.updated).length === 0 && Object.keys(data.removed).length === 0;
}

function emit(socket: RealtimeSocket, data: FeedData<RealmObject>): void {
  socket.emit('feed:data', data);
}
