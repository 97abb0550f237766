import type { PubsubMessage } from '../../shared/index.js';
import type { HivekitContext } from './hivekit-context.js';
import { hivekitError } from './hivekit-errors.js';

/**
 * A Hivekit pub/sub callback: the message's data and the object id it is about.
 *
 * @example
 * const callback: HivekitPubsubCallback = (data, id) => console.log(id, data);
 */
export type HivekitPubsubCallback = (data: unknown, id: string) => unknown;

/**
 * `realm.pubsub`: Hivekit's publish/subscribe over the platform's realm pub/sub. One server
 * subscription per event name and id pattern; further callbacks for the same pair are local.
 * Subscriptions are re-sent after a reconnect; messages published while disconnected are lost.
 *
 * @example
 * await realm.pubsub.subscribe('connectionStatusChanged', 'deliveryRiders/*', (data, id) => console.log(id, data));
 * await realm.pubsub.publish('alert', 'deliveryRiders/7', { text: 'Road closed' });
 */
export class HivekitPubsub {
  /** The platform handler behind each Hivekit callback, per event and pattern. */
  private readonly handlers = new Map<string, Map<HivekitPubsubCallback, (message: PubsubMessage) => void>>();

  constructor(
    private readonly realmId: string,
    private readonly context: HivekitContext,
  ) {}

  /** `subscribe(eventName, [idPattern = '*'], callback)`: resolves once subscribed. */
  subscribe(eventName: string, idPatternOrCallback: string | HivekitPubsubCallback, maybeCallback?: HivekitPubsubCallback): Promise<void> {
    const [idPattern, callback] = typeof idPatternOrCallback === 'function' ? ['*', idPatternOrCallback] : [idPatternOrCallback, maybeCallback];
    return this.context.call('pubsub.subscribe', [eventName, idPattern], async () => {
      if (typeof callback !== 'function') throw hivekitError('pubsub.subscribe needs a callback');
      const key = keyOf(eventName, idPattern);
      const byCallback = this.handlers.get(key) ?? new Map<HivekitPubsubCallback, (message: PubsubMessage) => void>();
      if (byCallback.has(callback)) return;
      const handler = (message: PubsubMessage): void => {
        try {
          callback(message.data, message.id);
        } catch (err) {
          this.context.reportListenerError(err);
        }
      };
      byCallback.set(callback, handler);
      this.handlers.set(key, byCallback);
      try {
        await this.context.backend().pubsub(this.realmId).subscribe(eventName, idPattern, handler);
      } catch (err) {
        byCallback.delete(callback);
        if (byCallback.size === 0) this.handlers.delete(key);
        throw err;
      }
    });
  }

  /**
   * `unsubscribe(eventName, [idPattern | callback], [callback])`: removes one callback, or every
   * callback of the event and pattern; rejects with `{ message: 'no subscription with that id
   * pattern', code: 400 }` when there is none.
   */
  unsubscribe(eventName: string, idPatternOrCallback?: string | HivekitPubsubCallback, maybeCallback?: HivekitPubsubCallback): Promise<void> {
    const [idPattern, callback] = typeof idPatternOrCallback === 'function' ? ['*', idPatternOrCallback] : [idPatternOrCallback ?? '*', maybeCallback];
    return this.context.call('pubsub.unsubscribe', [eventName, idPattern], async () => {
      const key = keyOf(eventName, idPattern);
      const byCallback = this.handlers.get(key);
      if (byCallback === undefined || (callback !== undefined && !byCallback.has(callback))) {
        throw hivekitError('no subscription with that id pattern');
      }
      const pubsub = this.context.backend().pubsub(this.realmId);
      const removed = callback === undefined ? [...byCallback.entries()] : [[callback, byCallback.get(callback)] as const];
      for (const [cb, handler] of removed) {
        byCallback.delete(cb);
        if (handler !== undefined) await pubsub.unsubscribe(eventName, idPattern, handler);
      }
      if (byCallback.size === 0) this.handlers.delete(key);
    });
  }

  /** `publish(eventName, [idOrPattern = '*'], data)`: any JSON data. */
  publish(eventName: string, idOrData: unknown, maybeData?: unknown): Promise<void> {
    // biome-ignore lint/complexity/noArguments: an explicit `undefined` data argument differs from none.
    const [id, data] = arguments.length >= 3 ? [idOrData as string, maybeData] : ['*', idOrData];
    return this.context.call('pubsub.publish', [eventName, id, data], () => this.context.backend().pubsub(this.realmId).publish(eventName, id, data));
  }
}

function keyOf(eventName: string, idPattern: string): string {
  return `${eventName}\u0000${idPattern}`;
}
