import {
  ListenerError,
  toRealtimeError,
  type ListenKind,
  type ListenOffer,
  type ListenOfferAnswer,
  type ListenStopNotice,
  type ProviderChangedNotice,
} from '../shared/index.js';
import { Emitter, type Disposer } from './emitter.js';
import type { FeatureClientDeps } from './feature-client-deps.js';
import type { ResubscribableStream } from './resubscriber.js';

/**
 * How a listener answers the offer of one stream. `accept()` makes this client the stream's one
 * provider (publish to it then); `reject()` lets another listener take it. `onStop` hears when
 * the provision ends: the last subscriber left, another listener took it, this client stopped
 * listening, or the connection dropped.
 *
 * @example
 * client.listen('prices.*', (match, response) => {
 *   response.accept();
 *   const timer = setInterval(() => client.publish(match, { price: quote(match) }), 1000);
 *   response.onStop(() => clearInterval(timer));
 * });
 */
export interface ListenResponse {
  accept(): void;
  reject(): void;
  /** Registers a callback for the end of the provision; returns its disposer. */
  onStop(callback: (reason: ListenStopReasonOnClient) => void): Disposer;
}

/** Why a provision ended, as the client sees it: the server's reasons, or this client's own. */
export type ListenStopReasonOnClient = ListenStopNotice['reason'] | 'unlistened' | 'disconnected';

/** A listener's handler: the stream's name (a topic, or a record name) and how to answer. */
export type ListenHandler = (match: string, response: ListenResponse) => void;

/** Options of `listen`. */
export interface ListenOptions {
  /** What to listen for: event topics or records. @default 'topic' */
  kind?: ListenKind;
  /** @default the client's realm */
  realm?: string;
}

interface Listener {
  realm: string;
  kind: ListenKind;
  pattern: string;
  handler: ListenHandler;
  /** Streams this listener provides now: name → stop callbacks. */
  providing: Map<string, Emitter<{ stop: ListenStopReasonOnClient }>>;
  /**
   * Whether the server has answered this listener's own `listen:add`. Only then is it re-sent on a
   * new connection: before, its first request is still queued or in flight, and sending it again
   * would be refused (`LISTENER_EXISTS`).
   */
  registered: boolean;
}

/**
 * Listening (active data providers), as `client.listen(pattern, handler)`: the platform offers
 * this client each stream matching `pattern` that somebody subscribes to and nobody provides.
 * Patterns use the platform's id patterns (`*`), never regular expressions. Listens are re-sent
 * after every reconnect; the streams provided before the drop end (`onStop` with
 * `'disconnected'`) and are offered again.
 *
 * @example
 * const stop = await client.listening.listen('prices.*', (match, response) => response.accept());
 */
export class ListenClient implements ResubscribableStream {
  private readonly listeners = new Map<string, Listener>();
  private readonly providerChanges: Emitter<{ change: ProviderChangedNotice }>;
  private readonly disposers: Disposer[];

  constructor(private readonly deps: FeatureClientDeps) {
    this.providerChanges = new Emitter((err) => deps.reportError(toRealtimeError(err)));
    const socket = deps.connection.socket;
    const onOffer = (offer: ListenOffer, ack: (answer: ListenOfferAnswer) => void): void => this.receive(offer, ack);
    const onStop = (notice: ListenStopNotice): void => this.stopped(notice.realm, notice.kind, notice.pattern, notice.name, notice.reason);
    const onProvider = (notice: ProviderChangedNotice): void => this.providerChanges.emit('change', notice);
    socket.on('listen:offer', onOffer);
    socket.on('listen:stop', onStop);
    socket.on('listen:provider', onProvider);
    this.disposers = [
      () => socket.off('listen:offer', onOffer),
      () => socket.off('listen:stop', onStop),
      () => socket.off('listen:provider', onProvider),
      deps.connection.events.on('change', ({ state }) => {
        if (state !== 'connected') this.endAll('disconnected');
      }),
    ];
  }

  /**
   * Listens on `pattern`; resolves with its disposer once the server registered it. The same
   * pattern twice rejects with `LISTENER_EXISTS`.
   */
  async listen(pattern: string, handler: ListenHandler, options: ListenOptions = {}): Promise<Disposer> {
    const realm = options.realm ?? this.deps.defaultRealm();
    const kind = options.kind ?? 'topic';
    const key = listenerKey(realm, kind, pattern);
    if (this.listeners.has(key)) {
      throw new ListenerError('LISTENER_EXISTS', `This client already listens on ${kind} pattern "${pattern}"`, { details: { kind, pattern } });
    }
    const listener: Listener = { realm, kind, pattern, handler, providing: new Map(), registered: false };
    this.listeners.set(key, listener);
    try {
      await this.deps.requests.request('listen:add', { realm, kind, pattern });
      listener.registered = true;
    } catch (err) {
      if (this.listeners.get(key) === listener) this.listeners.delete(key);
      throw err;
    }
    return () => {
      void this.unlisten(pattern, { realm, kind }).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
    };
  }

  /** Stops listening on `pattern`: the streams it provides end (`onStop` with `'unlistened'`) and go to other listeners. */
  async unlisten(pattern: string, options: ListenOptions = {}): Promise<void> {
    const realm = options.realm ?? this.deps.defaultRealm();
    const kind = options.kind ?? 'topic';
    const listener = this.listeners.get(listenerKey(realm, kind, pattern));
    if (listener === undefined)
      throw new ListenerError('NOT_LISTENING', `This client does not listen on ${kind} pattern "${pattern}"`, { details: { kind, pattern } });
    this.listeners.delete(listenerKey(realm, kind, pattern));
    for (const name of [...listener.providing.keys()]) this.stopped(realm, kind, pattern, name, 'unlistened', listener);
    if (this.deps.connection.state === 'connected') await this.deps.requests.request('listen:remove', { realm, kind, pattern });
  }

  /** Whether a stream has a provider now. */
  async hasProvider(name: string, options: ListenOptions = {}): Promise<boolean> {
    const realm = options.realm ?? this.deps.defaultRealm();
    const result = await this.deps.requests.request('listen:has-provider', { realm, kind: options.kind ?? 'topic', name });
    return result.hasProvider;
  }

  /**
   * Hears whether streams this client subscribes to have a provider, as it changes
   * (`{ realm, kind, name, hasProvider }`); returns its disposer.
   */
  onProviderChanged(handler: (change: ProviderChangedNotice) => void): Disposer {
    return this.providerChanges.on('change', handler);
  }

  /** Listens again on a new connection (the listeners the server had; the others' first requests are still on their way). */
  resubscribe(): void {
    for (const { realm, kind, pattern, registered } of this.listeners.values()) {
      if (!registered) continue;
      this.deps.requests.request('listen:add', { realm, kind, pattern }).catch((err: unknown) => this.deps.reportError(toRealtimeError(err)));
    }
  }

  /** Stops listening to the server and forgets every listener. */
  destroy(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.endAll('disconnected');
    this.listeners.clear();
  }

  private receive(offer: ListenOffer, ack: (answer: ListenOfferAnswer) => void): void {
    const listener = this.listeners.get(listenerKey(offer.realm, offer.kind, offer.pattern));
    if (listener === undefined) {
      ack({ accepted: false });
      return;
    }
    if (listener.providing.has(offer.name)) {
      ack({ accepted: true }); // offered again (two nodes at once): it is ours already
      return;
    }
    let answered = false;
    const stops = new Emitter<{ stop: ListenStopReasonOnClient }>((err) => this.deps.reportError(toRealtimeError(err)));
    const response: ListenResponse = {
      accept: () => {
        if (answered) return;
        answered = true;
        listener.providing.set(offer.name, stops);
        ack({ accepted: true });
      },
      reject: () => {
        if (answered) return;
        answered = true;
        ack({ accepted: false });
      },
      onStop: (callback) => stops.on('stop', callback),
    };
    try {
      listener.handler(offer.name, response);
    } catch (err) {
      this.deps.reportError(toRealtimeError(err));
      response.reject();
    }
  }

  private stopped(realm: string, kind: ListenKind, pattern: string, name: string, reason: ListenStopReasonOnClient, found?: Listener): void {
    const listener = found ?? this.listeners.get(listenerKey(realm, kind, pattern));
    const stops = listener?.providing.get(name);
    if (listener === undefined || stops === undefined) return;
    listener.providing.delete(name);
    stops.emit('stop', reason);
  }

  private endAll(reason: ListenStopReasonOnClient): void {
    for (const listener of this.listeners.values()) {
      for (const name of [...listener.providing.keys()]) this.stopped(listener.realm, listener.kind, listener.pattern, name, reason, listener);
    }
  }
}

function listenerKey(realm: string, kind: ListenKind, pattern: string): string {
  return `${realm}\u0000${kind}\u0000${pattern}`;
}
