import { isRetryable, matchesPattern, toRealtimeError, withErrorDetails, type PubsubMessage } from '../../shared/index.js';
import { rateLimitWait } from '../rate-limit-wait.js';
import type { ResubscribableStream } from '../resubscriber.js';
import type { ObjectsTransport } from './objects-transport.js';
import type { SubscriptionBudget } from './subscription-budget.js';

/**
 * A pub/sub listener: gets each message whose event and id match its subscription.
 *
 * @example
 * const handler: PubsubHandler = ({ id, data }) => console.log(id, data);
 */
export type PubsubHandler = (message: PubsubMessage) => void;

interface PubsubEntry {
  realm: string;
  event: string;
  idPattern: string;
  handlers: Set<PubsubHandler>;
  /** The server's id on the current connection, once acknowledged. */
  serverId: string | undefined;
  /** Settles when the first subscribe is answered. */
  confirmed: Promise<void>;
  /** Whether the first subscribe succeeded: only then is it the Resubscriber's to re-send (a queued first one goes out by itself). */
  established: boolean;
}

/**
 * Removes the handler it was returned for; answers whether it was still there.
 *
 * @example
 * const unsubscribe: PubsubUnsubscribe = await client.pubsub.subscribe('alert', '*', handler);
 */
export type PubsubUnsubscribe = () => Promise<boolean>;

/**
 * The client's realm pub/sub subscriptions over one connection: one server subscription per
 * realm, event name and id pattern, however many handlers share it (the last one leaving
 * unsubscribes); each `pubsub:message` goes to every handler whose event and pattern match (the
 * server sends a message once per connection). A stream kind of the {@link Resubscriber}: every
 * subscription is sent again after a reconnect. Messages are ephemeral: what was published while
 * this client was disconnected is not replayed.
 *
 * @example
 * const pubsub = new PubsubRegistry(transport, budget);
 * socket.on('pubsub:message', (message) => pubsub.receive(message));
 * const off = await pubsub.subscribe('london', 'alert', 'riders/*', ({ id, data }) => console.log(id, data));
 */
export class PubsubRegistry implements ResubscribableStream {
  private readonly entries = new Map<string, PubsubEntry>();
  private round = 0;
  private readonly retries = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly transport: ObjectsTransport,
    private readonly budget: SubscriptionBudget,
  ) {}

  /**
   * Adds `handler`; resolves once the server subscription exists (sent for the first handler of
   * an event and pattern only) with the function that removes it. Throws `LimitExceededError`
   * when the client holds `maxObjectSubscriptions`.
   */
  async subscribe(realm: string, event: string, idPattern: string, handler: PubsubHandler): Promise<PubsubUnsubscribe> {
    const key = keyOf(realm, event, idPattern);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.handlers.add(handler);
      await existing.confirmed;
      return () => this.unsubscribe(realm, event, idPattern, handler);
    }
    this.budget.take(`a pub/sub subscription to ${event}`);
    const entry: PubsubEntry = { realm, event, idPattern, handlers: new Set([handler]), serverId: undefined, confirmed: Promise.resolve(), established: false };
    entry.confirmed = this.transport.request('pubsub:subscribe', { realm, event, idPattern }).then(
      (result) => {
        entry.established = true;
        entry.serverId = result.subscriptionId; // also when unsubscribed meanwhile: unsubscribe() waits for it
      },
      (err: unknown) => {
        if (this.entries.get(key) === entry) {
          this.entries.delete(key);
          this.budget.release();
        }
        throw err;
      },
    );
    this.entries.set(key, entry);
    await entry.confirmed;
    return () => this.unsubscribe(realm, event, idPattern, handler);
  }

  /**
   * Removes one handler, or every handler of the event and pattern when `handler` is not given;
   * the server subscription ends with the last one. Answers whether anything was removed.
   */
  async unsubscribe(realm: string, event: string, idPattern: string, handler?: PubsubHandler): Promise<boolean> {
    const key = keyOf(realm, event, idPattern);
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    if (handler !== undefined) {
      if (!entry.handlers.delete(handler)) return false;
      if (entry.handlers.size > 0) return true;
    }
    this.entries.delete(key);
    this.budget.release();
    await entry.confirmed.catch(() => undefined);
    // Without an id, a resubscription is in flight: its answer ends it (see resubscribeOne).
    if (entry.serverId !== undefined) await this.endOnServer(entry.serverId);
    return true;
  }

  private async endOnServer(subscriptionId: string): Promise<void> {
    try {
      await this.transport.request('pubsub:unsubscribe', { subscriptionId });
    } catch (err) {
      // A connection lost meanwhile ended the server's subscription anyway.
      if (!isRetryable(err)) throw err;
    }
  }

  /** Hands a message to every matching handler. */
  receive(message: PubsubMessage): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.realm !== message.realm || entry.event !== message.event || !matchesPattern(entry.idPattern, message.id)) continue;
      for (const handler of [...entry.handlers]) {
        try {
          handler(message);
        } catch (err) {
          this.transport.reportError(toRealtimeError(err));
        }
      }
    }
  }

  /** Sends every subscription again (on each reconnect). */
  resubscribe(): void {
    this.clearRetries();
    const round = ++this.round;
    for (const [key, entry] of this.entries) {
      if (!entry.established) continue;
      entry.serverId = undefined;
      this.resubscribeOne(key, entry, round);
    }
  }

  /** Forgets every subscription and stops retries. */
  destroy(): void {
    this.clearRetries();
    this.entries.clear();
  }

  private resubscribeOne(key: string, entry: PubsubEntry, round: number): void {
    const current = (): boolean => round === this.round && this.entries.get(key) === entry;
    this.transport.request('pubsub:subscribe', { realm: entry.realm, event: entry.event, idPattern: entry.idPattern }).then(
      (result) => {
        if (current()) entry.serverId = result.subscriptionId;
        else if (round === this.round && !this.entries.has(key)) this.endOnServer(result.subscriptionId); // unsubscribed meanwhile
      },
      (err: unknown) => {
        if (!current()) return;
        const wait = rateLimitWait(err);
        if (wait !== undefined) {
          const timer = setTimeout(() => {
            this.retries.delete(timer);
            if (current()) this.resubscribeOne(key, entry, round);
          }, wait);
          this.retries.add(timer);
          return;
        }
        if (isRetryable(err)) return; // the connection dropped again: the next round re-sends it
        this.entries.delete(key);
        this.budget.release();
        this.transport.reportError(withErrorDetails(toRealtimeError(err), { realm: entry.realm, event: entry.event, idPattern: entry.idPattern }));
      },
    );
  }

  private clearRetries(): void {
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
  }
}

function keyOf(realm: string, event: string, idPattern: string): string {
  return `${realm}\u0000${event}\u0000${idPattern}`;
}
