import { useEffect, useRef, useState } from 'react';
import { matchesFilter, toRealtimeError, type RealtimeError, type RealtimeEvent, type SubscriptionFilter } from '../../shared/index.js';
import type { SubscribeOptions } from '../subscription-manager.js';
import type { LiveStatus } from './live-resource.js';
import { useRealtimeContext } from './realtime-provider.js';

/** Options of {@link useTopic}. */
export interface UseTopicOptions {
  /** Server-side payload filter (see "Concepts" in the README); also applied to what this hook keeps. */
  filter?: SubscriptionFilter;
  /** @default 'full' */
  returnMode?: SubscribeOptions['returnMode'];
  /** @default the client's realm */
  realm?: string;
  /** Called with every event (the latest function is used; no resubscribe when it changes). */
  onEvent?: (event: RealtimeEvent) => void;
  /**
   * How many of the latest events `events` keeps (older ones are dropped). `0` keeps none.
   * @default 50
   */
  maxEvents?: number;
  /** `false` subscribes to nothing. @default true */
  enabled?: boolean;
}

/** The default of {@link UseTopicOptions.maxEvents}. */
export const DEFAULT_MAX_TOPIC_EVENTS = 50;

/** What {@link useTopic} returns. */
export interface UseTopicResult {
  /** The events received since the subscription started, oldest first, at most `maxEvents`. */
  events: RealtimeEvent[];
  /** The newest event. */
  lastEvent: RealtimeEvent | undefined;
  /** `'loading'` until the server confirmed the subscription; `'error'` when it refused it. */
  status: LiveStatus;
  error: RealtimeError | undefined;
}

/**
 * Subscribes to a topic while mounted (`client.subscribe`), unsubscribes on unmount or when the
 * topic, filter or realm change, and keeps the latest events. Re-sent by the client after every
 * reconnect, with the events missed meanwhile.
 *
 * @example
 * const { events, status } = useTopic('demo.feed', { filter: { level: { in: ['warn', 'error'] } } });
 */
export function useTopic(topic: string, options: UseTopicOptions = {}): UseTopicResult {
  const { client } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const enabled = options.enabled !== false;
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_TOPIC_EVENTS;
  const filterKey = options.filter === undefined ? '' : JSON.stringify(options.filter);
  const returnMode = options.returnMode;
  const onEvent = useRef(options.onEvent);
  onEvent.current = options.onEvent;
  const [result, setResult] = useState<UseTopicResult>(INITIAL);

  useEffect(() => {
    if (!enabled) return undefined;
    setResult(INITIAL);
    const filter = filterKey === '' ? undefined : (JSON.parse(filterKey) as SubscriptionFilter);
    const view = realm === client.realmId ? client : client.realm(realm);
    let active = true;
    let subscriptionId: string | undefined;
    const offEvent = view.on(`event:${topic}`, (event) => {
      // Another subscription of this connection to the topic may have a wider filter.
      if (filter !== undefined && !matchesFilter(filter, event.payload)) return;
      onEvent.current?.(event);
      setResult((previous) => ({
        ...previous,
        events: maxEvents > 0 ? [...previous.events.slice(Math.max(0, previous.events.length + 1 - maxEvents)), event] : previous.events,
        lastEvent: event,
      }));
    });
    const refused = (error: RealtimeError): void => {
      if (active) setResult((previous) => ({ ...previous, status: 'error', error }));
    };
    const offError = client.on('error', (error) => {
      if ((error.details as { subscriptionId?: unknown } | undefined)?.subscriptionId === subscriptionId) refused(error);
    });
    try {
      subscriptionId = view.subscribe({ topic, ...(filter === undefined ? {} : { filter }), ...(returnMode === undefined ? {} : { returnMode }) });
      client.ready().then(
        () => {
          if (active) setResult((previous) => (previous.status === 'loading' ? { ...previous, status: 'success' } : previous));
        },
        () => {}, // a refusal of this subscription arrives on 'error' above
      );
    } catch (err) {
      refused(toRealtimeError(err));
    }
    return () => {
      active = false;
      offEvent();
      offError();
      if (subscriptionId === undefined) return;
      try {
        view.unsubscribe(subscriptionId);
      } catch {
        // a destroyed client has no subscriptions left
      }
    };
  }, [client, realm, topic, filterKey, returnMode, enabled, maxEvents]);

  return result;
}

const INITIAL: UseTopicResult = { events: [], lastEvent: undefined, status: 'loading', error: undefined };
