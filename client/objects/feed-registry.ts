import { InvalidArgumentError, isRetryable, toRealtimeError, withErrorDetails, type FeedData, type FeedSubscribeResult } from '../../shared/index.js';
import { rateLimitWait } from '../rate-limit-wait.js';
import type { ResubscribableStream } from '../resubscriber.js';
import { Feed, type FeedKind, type FeedOwner, type FeedUpdate } from './feed.js';
import type { ObjectsTransport } from './objects-transport.js';
import type { SubscriptionBudget } from './subscription-budget.js';

/**
 * Most `feed:data` frames kept for server subscription ids not known yet (the server may send a
 * feed's first set before the subscribe is acknowledged); only while a subscribe is in flight.
 *
 * @example
 * MAX_EARLY_FEED_FRAMES; // 1000
 */
export const MAX_EARLY_FEED_FRAMES = 1000;

/** The subscribe request of a feed, without the realm. */
type FeedRequest = Record<string, unknown>;

interface FeedEntry {
  feed: Feed<unknown>;
  /** What to send to subscribe again (criteria as last accepted). */
  request: FeedRequest;
  /** The server's id on the current connection, once acknowledged. */
  serverId: string | undefined;
}

const SUBSCRIBE_EVENT = { objects: 'objects:subscribe', areas: 'areas:subscribe', realms: 'realms:subscribe' } as const;

/**
 * The client's feeds (object, area and realm subscriptions) over one connection: routes each
 * `feed:data` frame to its feed by the server's subscription id, and, as a stream kind of the
 * {@link Resubscriber}, subscribes every feed again after a reconnect (the server's ids do not
 * survive a connection) with `executeImmediately: true`, so each feed's next frame is a fresh
 * `'full'` set.
 *
 * Why early frames are kept: the server may send a feed's first `'full'` before the subscribe's
 * acknowledgement names its id; those frames wait (bounded, and only while a subscribe is in
 * flight) and are applied once the id is known.
 *
 * @example
 * const feeds = new FeedRegistry(transport, budget);
 * socket.on('feed:data', (data) => feeds.receive(data));
 * const feed = await feeds.open('objects', 'london', { where: ['type="bike"'] });
 */
export class FeedRegistry implements ResubscribableStream {
  private readonly entries = new Map<Feed<unknown>, FeedEntry>();
  private readonly byServerId = new Map<string, FeedEntry>();
  private readonly early = new Map<string, FeedData<unknown>[]>();
  private earlyCount = 0;
  private inFlight = 0;
  private nextId = 1;
  private round = 0;
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();
  private readonly owner: FeedOwner = {
    update: (feed, criteria) => this.update(feed, criteria),
    cancel: (feed) => this.cancel(feed),
    reportListenerError: (err) => this.transport.reportError(toRealtimeError(err)),
  };

  constructor(
    private readonly transport: ObjectsTransport,
    private readonly budget: SubscriptionBudget,
  ) {}

  /**
   * Subscribes; resolves with the feed once the server confirms (`listener`, when given, hears
   * the first set too). Throws `LimitExceededError` when the client holds `maxObjectSubscriptions`.
   */
  async open<T>(kind: FeedKind, realm: string | undefined, request: FeedRequest, listener?: (update: FeedUpdate<T>) => void): Promise<Feed<T>> {
    this.budget.take(`a ${kind} feed`);
    const feed = new Feed<T>(`feed_${this.nextId++}`, kind, realm, criteriaOf(request), this.owner);
    if (listener !== undefined) feed.on('update', listener);
    const entry: FeedEntry = { feed: feed as Feed<unknown>, request, serverId: undefined };
    try {
      await this.subscribeAndBind(entry, request, () => true);
      this.entries.set(entry.feed, entry);
      return feed;
    } catch (err) {
      this.budget.release();
      feed.end();
      throw err;
    }
  }

  /** Delivers a frame to its feed (or keeps it until its subscribe is acknowledged). */
  receive(data: FeedData<unknown>): void {
    const entry = this.byServerId.get(data.subscriptionId);
    if (entry !== undefined) {
      entry.feed.apply(data);
      return;
    }
    if (this.inFlight === 0 || this.earlyCount >= MAX_EARLY_FEED_FRAMES) return;
    const frames = this.early.get(data.subscriptionId) ?? [];
    frames.push(data);
    this.early.set(data.subscriptionId, frames);
    this.earlyCount += 1;
  }

  /** Subscribes every feed again (on each reconnect); see the class comment. */
  resubscribe(): void {
    this.clearRetries();
    const round = ++this.round;
    this.byServerId.clear();
    for (const entry of this.entries.values()) {
      entry.serverId = undefined;
      this.resubscribeOne(entry, round);
    }
  }

  /** Ends every feed and stops retries. */
  destroy(): void {
    this.clearRetries();
    for (const entry of this.entries.values()) entry.feed.end();
    this.entries.clear();
    this.byServerId.clear();
    this.early.clear();
    this.earlyCount = 0;
  }

  private async update(feed: Feed<unknown>, criteria: Record<string, unknown>): Promise<void> {
    const entry = this.entries.get(feed);
    if (entry === undefined) throw new InvalidArgumentError(`Feed ${feed.id} is cancelled`);
    if (feed.kind !== 'objects') throw new InvalidArgumentError(`Only objects feeds have criteria to update; ${feed.id} follows ${feed.kind}`);
    if (entry.serverId === undefined) {
      // Between connections: the next subscribe carries the new criteria.
      entry.request = { ...pickExecute(entry.request), ...criteria };
      feed.setCriteria(criteriaOf(entry.request));
      return;
    }
    const result = await this.transport.request('feed:update', { subscriptionId: entry.serverId, ...criteria } as never);
    entry.request = { ...pickExecute(entry.request), ...criteria };
    feed.setCriteria(criteriaOf(entry.request));
    if (result.subscriptionId !== entry.serverId && this.entries.get(feed) === entry) this.bind(entry, result.subscriptionId);
  }

  private async cancel(feed: Feed<unknown>): Promise<void> {
    const entry = this.entries.get(feed);
    if (entry === undefined) return;
    this.entries.delete(feed);
    this.budget.release();
    feed.end();
    // Without an id, a resubscription is in flight: its answer ends it (see subscribeAndBind).
    if (entry.serverId === undefined) return;
    this.byServerId.delete(entry.serverId);
    try {
      await this.transport.request('feed:cancel', { subscriptionId: entry.serverId });
    } catch (err) {
      // A connection lost meanwhile ended the server's subscription anyway.
      if (!isRetryable(err)) throw err;
    }
  }

  private endOnServer(subscriptionId: string): void {
    this.transport.request('feed:cancel', { subscriptionId }).catch(() => undefined);
  }

  /**
   * Subscribes and binds the entry to the server's id, applying frames that came first; while
   * it runs, frames of unknown ids are kept (see the class comment).
   */
  private async subscribeAndBind(entry: FeedEntry, request: FeedRequest, current: () => boolean): Promise<void> {
    this.inFlight += 1;
    try {
      const { kind, realm } = entry.feed;
      const payload = { ...(realm === undefined ? {} : { realm }), ...request };
      const result: FeedSubscribeResult = await this.transport.request(SUBSCRIBE_EVENT[kind], payload as never);
      if (current()) this.bind(entry, result.subscriptionId);
      else if (entry.feed.isCancelled) this.endOnServer(result.subscriptionId); // cancelled while re-subscribing
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) {
        this.early.clear();
        this.earlyCount = 0;
      }
    }
  }

  private resubscribeOne(entry: FeedEntry, round: number): void {
    const current = (): boolean => round === this.round && this.entries.get(entry.feed) === entry;
    const request = { ...entry.request, executeImmediately: true };
    this.subscribeAndBind(entry, request, current).catch((err: unknown) => {
      if (!current()) return;
      const wait = rateLimitWait(err);
      if (wait !== undefined) {
        const timer = setTimeout(() => {
          this.retries.delete(timer);
          if (current()) this.resubscribeOne(entry, round);
        }, wait);
        this.retries.add(timer);
        return;
      }
      if (isRetryable(err)) return; // the connection dropped again: the next round re-sends it
      this.entries.delete(entry.feed);
      this.budget.release();
      entry.feed.end();
      this.transport.reportError(withErrorDetails(toRealtimeError(err), { feedId: entry.feed.id }));
    });
  }

  private bind(entry: FeedEntry, serverId: string): void {
    if (entry.serverId !== undefined) this.byServerId.delete(entry.serverId);
    entry.serverId = serverId;
    this.byServerId.set(serverId, entry);
    const frames = this.early.get(serverId);
    if (frames === undefined) return;
    this.early.delete(serverId);
    this.earlyCount -= frames.length;
    for (const frame of frames) entry.feed.apply(frame);
  }

  private clearRetries(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }
}

/** The criteria part of a subscribe request (everything but `executeImmediately`). */
function criteriaOf(request: FeedRequest): Readonly<Record<string, unknown>> {
  const { executeImmediately: _executeImmediately, ...criteria } = request;
  return Object.freeze(criteria);
}

function pickExecute(request: FeedRequest): FeedRequest {
  return request.executeImmediately === undefined ? {} : { executeImmediately: request.executeImmediately };
}
