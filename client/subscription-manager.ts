import {
  InvalidArgumentError,
  errorFromShape,
  isRetryable,
  isValidTopic,
  toRealtimeError,
  type RealtimeError,
  type SubscriptionFilter,
  type SubscriptionRevokedNotice,
  type SyncEventReturnMode,
} from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { Disposer } from './emitter.js';
import type { RequestManager } from './request-manager.js';

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

interface SubscriptionEntry {
  id: string;
  realm: string;
  options: SubscribeOptions;
  /** The in-flight `subscribe` request of the current connection, if any. */
  pending?: Promise<void>;
}

/**
 * The client's topic subscriptions: ids handed out at once (`sub_1`, `sub_2`, ...), sent when
 * connected, re-sent after every reconnect, and dropped (with an `'error'`) if the server refuses.
 *
 * @example
 * const id = subscriptions.add('demo', { topic: 'order.updated' });
 * subscriptions.remove(id);
 */
export class SubscriptionManager {
  private readonly entries = new Map<string, SubscriptionEntry>();
  private counter = 0;
  private readonly disposers: Disposer[];

  constructor(
    private readonly connection: ConnectionManager,
    private readonly requests: RequestManager,
    private readonly reportError: (error: RealtimeError) => void,
  ) {
    const onRevoked = ({ subscriptionId, error }: SubscriptionRevokedNotice): void => {
      if (this.entries.delete(subscriptionId)) this.reportError(withSubscription(errorFromShape(error), subscriptionId));
    };
    connection.socket.on('subscription:revoked', onRevoked);
    this.disposers = [() => connection.socket.off('subscription:revoked', onRevoked)];
  }

  /** Registers a subscription and returns its id at once. Throws `InvalidArgumentError` for bad options. */
  add(realm: string, options: SubscribeOptions): string {
    validateOptions(options);
    const id = `sub_${++this.counter}`;
    const entry: SubscriptionEntry = { id, realm, options: { ...options } };
    this.entries.set(id, entry);
    if (this.connection.state === 'connected') this.send(entry);
    return id;
  }

  /** Sends every subscription again; called on each (re)connection. */
  resubscribeAll(): void {
    for (const entry of this.entries.values()) this.send(entry);
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
    for (const dispose of this.disposers) dispose();
  }

  private send(entry: SubscriptionEntry): void {
    const { topic, filter, returnMode } = entry.options;
    const request = this.requests.request('subscribe', {
      subscriptionId: entry.id,
      realm: entry.realm,
      topic,
      ...(filter === undefined ? {} : { filter }),
      ...(returnMode === undefined ? {} : { returnMode }),
    });
    const pending = request.then(
      () => {
        if (entry.pending === pending) delete entry.pending;
      },
      (err: unknown) => {
        if (entry.pending === pending) delete entry.pending;
        const error = toRealtimeError(err);
        // Lost with the connection: it is sent again on the next connect.
        if (isRetryable(error)) throw error;
        if (this.entries.get(entry.id) === entry) {
          this.entries.delete(entry.id);
          this.reportError(withSubscription(error, entry.id));
        }
        throw error;
      },
    );
    entry.pending = pending;
    // The rejection is reported through 'error' and ready(); do not leave it unhandled.
    pending.catch(() => undefined);
  }

}

/** The same error with `details.subscriptionId`, so listeners know which subscription failed. */
function withSubscription(error: RealtimeError, subscriptionId: string): RealtimeError {
  const details = typeof error.details === 'object' && error.details !== null ? error.details : {};
  return errorFromShape({ ...error.toJSON(), details: { ...details, subscriptionId } });
}

function validateOptions(options: SubscribeOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('subscribe() needs an options object: { topic, filter?, returnMode? }');
  }
  if (!isValidTopic(options.topic)) {
    throw new InvalidArgumentError(
      `Invalid topic ${JSON.stringify(options.topic)}: use dot-separated lowercase segments, e.g. "order.updated"`,
    );
  }
  if (options.filter !== undefined && (typeof options.filter !== 'object' || options.filter === null || Array.isArray(options.filter))) {
    throw new InvalidArgumentError('filter must be an object of field → value');
  }
  if (options.returnMode !== undefined && !['full', 'diff', 'both'].includes(options.returnMode)) {
    throw new InvalidArgumentError('returnMode must be "full", "diff" or "both"');
  }
}
