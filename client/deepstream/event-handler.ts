import {
  ClientOfflineError,
  InvalidArgumentError,
  eventNameOf,
  eventTopic,
  eventTopicPattern,
  toRealtimeError,
  type RealtimeEvent,
} from '../../shared/index.js';
import type { ListenResponse } from '../listen-client.js';
import type { RealtimeClient } from '../realtime-client.js';
import { TOPIC } from './constants.js';
import type { DialectHost } from './dialect-host.js';

/** A deepstream event listener: the emitted data. */
export type EventCallback = (data: unknown) => void;

/**
 * A deepstream listener: told the event name somebody subscribed to, it answers `accept()` (this
 * client provides it until `onStop`) or `reject()`.
 */
export type EventListenCallback = (match: string, response: ListenResponse) => void;

/** The payload a deepstream event is published with: its data and the emitting client's id. */
interface EventPayload {
  data?: unknown;
  origin?: string;
}

interface EventSubscription {
  topic: string;
  callbacks: Set<EventCallback>;
  subscriptionId: string | undefined;
}

/**
 * `client.event`: deepstream events as platform topics (`news/sports` → `ds.news.sports`, see
 * `eventTopic`), so topic permissions apply (`C` to emit, `R` to subscribe). `emit` delivers to
 * this client's own callbacks at once and publishes `{ data, origin }`; the copy the server sends
 * back to this client is recognised by `origin` and not delivered twice. Emits made while offline
 * wait in the client's offline queue (bounded, `CLIENT_OFFLINE` when full or expired).
 *
 * @example
 * client.event.subscribe('news/sports', (data) => show(data));
 * client.event.emit('news/sports', { score: '2:1' });
 */
export class EventHandler {
  private readonly subscriptions = new Map<string, EventSubscription>();
  /** Listen patterns (event-name patterns with `*`) and their callbacks. */
  private readonly listeners = new Map<string, EventListenCallback>();
  private realtime: RealtimeClient | undefined;

  constructor(
    private readonly host: DialectHost,
    private readonly origin: string,
  ) {}

  /** Starts serving the subscriptions made so far over `realtime` (after the first login). */
  attach(realtime: RealtimeClient): void {
    this.realtime = realtime;
    realtime.on('event', (event) => this.received(event));
    for (const subscription of this.subscriptions.values()) subscription.subscriptionId = realtime.subscribe({ topic: subscription.topic });
    for (const [pattern, callback] of this.listeners) this.startListening(realtime, pattern, callback);
  }

  /**
   * Listens for subscribers of the events `pattern` matches: a name pattern where `*` matches any
   * run of characters (`news/*`; the platform's linear-time patterns, not regular expressions).
   * `callback(name, response)` runs when a matching event gains its first subscriber anywhere in
   * the cluster and nobody provides it; `LISTENER_EXISTS` for the same pattern twice.
   */
  listen(pattern: string, callback: EventListenCallback): void {
    if (typeof callback !== 'function') throw new InvalidArgumentError('event.listen needs a callback');
    eventTopicPattern(pattern);
    if (this.listeners.has(pattern)) throw new InvalidArgumentError(`Already listening on ${pattern}`);
    this.listeners.set(pattern, callback);
    if (this.realtime !== undefined) this.startListening(this.realtime, pattern, callback);
  }

  /** Stops listening on `pattern`: the events it provides end (`onStop`) and go to other listeners. */
  unlisten(pattern: string): void {
    if (!this.listeners.delete(pattern)) return;
    this.realtime?.listening.unlisten(eventTopicPattern(pattern)).catch((err: unknown) => this.host.reportError(toRealtimeError(err), TOPIC.EVENT));
  }

  private startListening(realtime: RealtimeClient, pattern: string, callback: EventListenCallback): void {
    realtime.listening
      .listen(eventTopicPattern(pattern), (topic, response) => {
        const name = eventNameOf(topic);
        if (name === undefined) response.reject();
        else callback(name, response);
      })
      .catch((err: unknown) => {
        this.listeners.delete(pattern);
        this.host.reportError(toRealtimeError(err), TOPIC.EVENT);
      });
  }

  /** Calls `callback` with the data of every `name` event. */
  subscribe(name: string, callback: EventCallback): void {
    if (typeof callback !== 'function') throw new InvalidArgumentError('event.subscribe needs a callback');
    const topic = eventTopic(name);
    let subscription = this.subscriptions.get(name);
    if (subscription === undefined) {
      subscription = { topic, callbacks: new Set(), subscriptionId: this.realtime?.subscribe({ topic }) };
      this.subscriptions.set(name, subscription);
    }
    subscription.callbacks.add(callback);
  }

  /** Removes `callback` (every callback of `name` without one); the last one ends the subscription. */
  unsubscribe(name: string, callback?: EventCallback): void {
    const subscription = this.subscriptions.get(name);
    if (subscription === undefined) return;
    if (callback === undefined) subscription.callbacks.clear();
    else subscription.callbacks.delete(callback);
    if (subscription.callbacks.size > 0) return;
    this.subscriptions.delete(name);
    if (subscription.subscriptionId !== undefined) this.realtime?.unsubscribe(subscription.subscriptionId);
  }

  /** Sends `data` to every subscriber of `name`, this client's included (at once). */
  emit(name: string, data?: unknown): void {
    const topic = eventTopic(name);
    this.deliver(name, data);
    const realtime = this.realtime;
    if (realtime === undefined) {
      this.host.reportError(new ClientOfflineError(`Event ${name} was not sent: log in first`), TOPIC.EVENT);
      return;
    }
    const payload: EventPayload = data === undefined ? { origin: this.origin } : { data, origin: this.origin };
    realtime.publish(topic, payload as Record<string, unknown>).catch((err: unknown) => this.host.reportError(toRealtimeError(err), TOPIC.EVENT));
  }

  /** The names subscribed to. */
  eventNames(): string[] {
    return [...this.subscriptions.keys()];
  }

  private received(event: RealtimeEvent): void {
    const payload = event.payload as EventPayload;
    if (payload.origin === this.origin) return; // delivered locally when emitted
    for (const [name, subscription] of this.subscriptions) {
      if (subscription.topic === event.topic) this.deliver(name, payload.data);
    }
  }

  private deliver(name: string, data: unknown): void {
    for (const callback of [...(this.subscriptions.get(name)?.callbacks ?? [])]) {
      try {
        callback(structuredClone(data));
      } catch (err) {
        this.host.reportError(toRealtimeError(err), TOPIC.EVENT);
      }
    }
  }
}
