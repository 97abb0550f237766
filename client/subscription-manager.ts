import {
  InvalidArgumentError,
  errorFromShape,
  withErrorDetails,
  isRetryable,
  matchesFilter,
  parseInput,
  subscribeRequestSchema,
  toRealtimeError,
  type RealtimeError,
  type RealtimeEvent,
  type StreamPosition,
  type SubscriptionFilter,
  type SubscriptionRevokedNotice,
  type SyncEventReturnMode,
} from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import { rateLimitWait } from './rate-limit-wait.js';
import { closestName } from './unknown-options.js';
import type { Disposer } from './emitter.js';
import type { RequestManager } from './request-manager.js';
import type { ResubscribableStream } from './resubscriber.js';
import { StreamPositions } from './stream-positions.js';

/**
 * What `subscribe()` takes.
 *
 * @example
 * const options: SubscribeOptions = { topic: 'session.status', filter: { campusId: 12 } };
 */
export interface SubscribeOptions {
  /** Domain topic, e.g. `session.status`. */
  topic: string;
  /** Only events whose payload matches every key are delivered (evaluated on the server). */
  filter?: SubscriptionFilter;
  /**
   * What sync-document events carry: the document, a JSON Patch, or both.
   * @default 'full'
   */
  returnMode?: SyncEventReturnMode;
}

/**
 * Payload of the `'resubscribed'` event: a subscription was re-established after a reconnect.
 * `recovered: false` means events may have been missed (the history no longer covered the gap):
 * reload whatever state the subscription feeds.
 *
 * @example
 * client.on('resubscribed', ({ subscriptionId, recovered }) => { if (!recovered) reload(); });
 */
export interface ResubscribedNotice {
  subscriptionId: string;
  realm: string;
  topic: string;
  recovered: boolean;
  /** @internal Made by the client itself (a document watcher). */
  internal?: boolean;
}

/**
 * How one resubscription after a (re)connection went, as an internal subscription's owner hears
 * it. `recovered` is true only when the subscription resumed from a position and the server sent
 * everything after it; false when the gap was not covered, or there was no position to resume
 * from (the first connection, a stream without history). `round` counts the connections
 * ({@link SubscriptionManager.resubscribe} calls), so an owner of several subscriptions can tell
 * when all of one round have answered.
 *
 * @example
 * const outcome: ResubscribeOutcome = { recovered: true, round: 3 };
 */
export interface ResubscribeOutcome {
  recovered: boolean;
  round: number;
}

/**
 * Whoever made an internal subscription (a document watcher), and hears about it instead of the
 * user's listeners: `onRevoked` when the server ends it (instead of the client's `'error'`),
 * `onResubscribed` after each resubscription.
 *
 * @example
 * subscriptions.add('demo', { topic: 'sync.notes.updated' }, { onResubscribed: ({ recovered }) => recovered || reload() });
 */
export interface SubscriptionOwner {
  onRevoked?: (error: RealtimeError) => void;
  onResubscribed?: (outcome: ResubscribeOutcome) => void;
}

interface SubscriptionEntry {
  id: string;
  realm: string;
  options: SubscribeOptions;
  /** Made by the client itself (a document watcher), not by the user. */
  internal: boolean;
  /** The in-flight `subscribe` request of the current connection, if any. */
  pending?: Promise<void>;
  /** An internal subscription's owner. */
  owner?: SubscriptionOwner;
}

/** A `subscribe` sent again on a new connection: from where, and in which round. */
interface Resumption {
  since?: StreamPosition;
  round: number;
}

/**
 * The client's topic subscriptions: ids handed out at once (`sub_1`, `sub_2`, ...), sent when
 * connected, re-sent after every reconnect, and dropped (with an `'error'`) if the server refuses.
 * A subscribe refused with `RATE_LIMITED` is not refused for good: it is sent again after the
 * server's `retryAfterMs` (subscribing is idempotent: the same id replaces itself), and `ready()`
 * waits for it.
 *
 * @example
 * const id = subscriptions.add('demo', { topic: 'order.updated' });
 * subscriptions.remove(id);
 */
export class SubscriptionManager implements ResubscribableStream {
  private readonly entries = new Map<string, SubscriptionEntry>();
  private counter = 0;
  private readonly disposers: Disposer[];
  /** Rate-limited subscribes waiting to be re-sent: their timers, and how to release their waiters. */
  private readonly retries = new Map<ReturnType<typeof setTimeout>, () => void>();
  /** How many times every subscription was re-sent (one round per connection). */
  private round = 0;

  /** Where each topic stream was last seen: what resubscriptions resume from. */
  readonly positions = new StreamPositions();

  constructor(
    private readonly connection: ConnectionManager,
    private readonly requests: RequestManager,
    private readonly reportError: (error: RealtimeError) => void,
    private readonly onResubscribed: (notice: ResubscribedNotice) => void,
  ) {
    const onRevoked = ({ subscriptionId, error }: SubscriptionRevokedNotice): void => {
      const entry = this.entries.get(subscriptionId);
      if (entry === undefined) return;
      this.entries.delete(subscriptionId);
      // An internal subscription's owner (a document watcher) reports it in its own terms.
      if (entry.owner?.onRevoked !== undefined) entry.owner.onRevoked(errorFromShape(error));
      else this.reportError(withErrorDetails(errorFromShape(error), { subscriptionId }));
    };
    connection.socket.on('subscription:revoked', onRevoked);
    this.disposers = [() => connection.socket.off('subscription:revoked', onRevoked)];
  }

  /**
   * Registers a subscription and returns its id at once. Throws `InvalidArgumentError` for bad
   * options. With an `owner` it is internal (made by the client itself, see {@link wantedByUser}),
   * and the owner hears of its revocation and resubscriptions.
   */
  add(realm: string, options: SubscribeOptions, owner?: SubscriptionOwner): string {
    validateOptions(options);
    const id = `sub_${++this.counter}`;
    const entry: SubscriptionEntry = { id, realm, options: { ...options }, internal: owner !== undefined, ...(owner === undefined ? {} : { owner }) };
    this.entries.set(id, entry);
    if (this.connection.state === 'connected') this.send(entry);
    return id;
  }

  /**
   * Sends every subscription again, each resuming from its stream's last known position, so the
   * server replays what was missed; called on each (re)connection (by the {@link Resubscriber},
   * first of all stream kinds).
   */
  resubscribe(): void {
    this.positions.retain([...this.entries.values()].map(({ realm, options }) => ({ realm, topic: options.topic })));
    const round = ++this.round;
    for (const entry of this.entries.values()) {
      const since = this.positions.get(entry.realm, entry.options.topic);
      this.send(entry, { round, ...(since === undefined ? {} : { since }) });
    }
  }

  /** Removes a subscription; the server stops delivering for it. Unknown ids are ignored. */
  remove(id: string): void {
    if (!this.entries.delete(id)) return;
    if (this.connection.state !== 'connected') return;
    this.requests.request('unsubscribe', { subscriptionId: id }).catch((err: unknown) => {
      const error = toRealtimeError(err);
      if (!isRetryable(error)) this.reportError(error);
    });
  }

  /**
   * Whether the user's own subscriptions want an event. The server sends each event once per
   * connection, so an event that only an internal subscription (a document watcher) matched must
   * not reach the user's `'event'` listeners. Where an internal subscription shares the topic, the
   * user's filters decide; otherwise the server's filtering already did.
   */
  wantedByUser(realm: string, event: RealtimeEvent): boolean {
    let sharedWithInternal = false;
    let topicMatch = false;
    let filterMatch = false;
    for (const entry of this.entries.values()) {
      if (entry.realm !== realm || entry.options.topic !== event.topic) continue;
      if (entry.internal) {
        sharedWithInternal = true;
        continue;
      }
      topicMatch = true;
      if (!filterMatch && matchesFilter(entry.options.filter, event.payload)) filterMatch = true;
    }
    return sharedWithInternal ? filterMatch : topicMatch;
  }

  /** Whether an id names a live subscription. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** Subscribe requests the server has not answered yet. */
  pending(): Promise<void>[] {
    const result: Promise<void>[] = [];
    for (const entry of this.entries.values()) if (entry.pending !== undefined) result.push(entry.pending);
    return result;
  }

  /** Forgets every subscription and stops listening. */
  destroy(): void {
    this.entries.clear();
    for (const [timer, release] of this.retries) {
      clearTimeout(timer);
      release();
    }
    this.retries.clear();
    for (const dispose of this.disposers) dispose();
  }

  private send(entry: SubscriptionEntry, resumption?: Resumption): void {
    const { topic, filter, returnMode } = entry.options;
    const since = resumption?.since;
    const request = this.requests.request('subscribe', {
      subscriptionId: entry.id,
      realm: entry.realm,
      topic,
      ...(filter === undefined ? {} : { filter }),
      ...(returnMode === undefined ? {} : { returnMode }),
      ...(since === undefined ? {} : { since }),
    });
    const pending = request.then(
      (result) => {
        if (entry.pending === pending) delete entry.pending;
        if (result.position !== undefined) this.positions.note(entry.realm, topic, result.position);
        if (resumption === undefined || this.entries.get(entry.id) !== entry) return;
        const recovered = since !== undefined && result.recovered === true;
        if (since !== undefined) {
          this.onResubscribed({ subscriptionId: entry.id, realm: entry.realm, topic, recovered, internal: entry.internal });
        }
        entry.owner?.onResubscribed?.({ recovered, round: resumption.round });
      },
      (err: unknown): Promise<void> | undefined => {
        const error = toRealtimeError(err);
        const wait = rateLimitWait(error);
        if (wait !== undefined && this.entries.get(entry.id) === entry) return this.retryLater(entry, pending, wait, resumption);
        if (entry.pending === pending) delete entry.pending;
        // Lost with the connection: it is sent again on the next connect.
        if (isRetryable(error)) throw error;
        if (this.entries.get(entry.id) === entry) {
          this.entries.delete(entry.id);
          this.reportError(withErrorDetails(error, { subscriptionId: entry.id }));
        }
        throw error;
      },
    );
    entry.pending = pending;
    // The rejection is reported through 'error' and ready(); do not leave it unhandled.
    pending.catch(() => undefined);
  }

  /**
   * Re-sends a rate-limited subscribe after `waitMs` ({@link rateLimitWait}: jitter included) unless something else re-sent
   * it meanwhile (a reconnect) or it is gone; resolves when that re-sent request settles.
   */
  private retryLater(entry: SubscriptionEntry, pending: Promise<void>, waitMs: number, resumption?: Resumption): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        resolve();
      }, waitMs);
      this.retries.set(timer, resolve);
    }).then(() => {
      if (entry.pending !== pending || this.entries.get(entry.id) !== entry) return undefined;
      delete entry.pending;
      if (this.connection.state !== 'connected') return undefined; // sent again on the next connect
      this.send(entry, resumption);
      return entry.pending;
    });
  }
}

const SUBSCRIBE_OPTION_NAMES = ['topic', 'filter', 'returnMode'] as const satisfies readonly (keyof SubscribeOptions)[];

function validateOptions(options: SubscribeOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('subscribe() needs an options object: { topic, filter?, returnMode? }');
  }
  // A mistyped `filter` would otherwise subscribe to every event of the topic, unfiltered.
  for (const key of Object.keys(options)) {
    if ((SUBSCRIBE_OPTION_NAMES as readonly string[]).includes(key)) continue;
    const suggestion = closestName(key, SUBSCRIBE_OPTION_NAMES);
    throw new InvalidArgumentError(
      `Unknown subscribe() option ${JSON.stringify(key)}` +
        (suggestion === undefined ? `; the options are ${SUBSCRIBE_OPTION_NAMES.join(', ')}` : `; did you mean ${JSON.stringify(suggestion)}?`),
      { details: { option: key, ...(suggestion === undefined ? {} : { suggestion }) } },
    );
  }
  // The server's own schema (shared/schemas/): a topic, filter or returnMode it would refuse
  // throws here, worded as the server's answer to the same request.
  const { topic, filter, returnMode } = options;
  parseInput(
    subscribeRequestSchema,
    { topic, ...(filter === undefined ? {} : { filter }), ...(returnMode === undefined ? {} : { returnMode }) },
    'subscribe request',
  );
}
