import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChannelMessage, RealtimeError } from '../../shared/index.js';
import type { ChannelPublishOptions } from '../socket-client.js';
import type { LiveStatus } from './live-resource.js';
import { membershipResource, socketClientOf } from './presence-membership.js';
import { useRealtimeContext } from './realtime-provider.js';
import { useLiveResource } from './use-live-resource.js';

/** Options of {@link useChannel}. */
export interface UseChannelOptions {
  /** @default the client's realm */
  realm?: string;
  /** Called with every message (the latest function is used; no re-join when it changes). */
  onMessage?: (message: ChannelMessage) => void;
  /**
   * How many of the latest messages `messages` keeps (older ones are dropped, so a long-open
   * channel does not grow memory without bound). `0` keeps none (use `onMessage`).
   * @default 100
   */
  maxMessages?: number;
  /** `false` joins nothing. @default true */
  enabled?: boolean;
}

/** The default of {@link UseChannelOptions.maxMessages}. */
export const DEFAULT_MAX_CHANNEL_MESSAGES = 100;

/** What {@link useChannel} returns. */
export interface UseChannelResult {
  /** The messages received since mount, oldest first, at most `maxMessages`. */
  messages: ChannelMessage[];
  status: LiveStatus;
  error: RealtimeError | undefined;
  /** Publishes to the channel (`C`; a `client`-role token must have joined, which this hook did). */
  publish(event: string, data?: unknown, options?: ChannelPublishOptions): Promise<void>;
}

/**
 * Joins a channel while mounted (shared with {@link usePresence} on the same channel), collects
 * its messages and publishes to it; leaves when the last component in it unmounts.
 *
 * @example
 * const { messages, publish } = useChannel('chat:lobby');
 * await publish('message', { text: 'Hello' });
 */
export function useChannel(channel: string, options: UseChannelOptions = {}): UseChannelResult {
  const { client, resources } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const enabled = options.enabled !== false;
  const maxMessages = options.maxMessages ?? DEFAULT_MAX_CHANNEL_MESSAGES;
  const resource = enabled ? membershipResource(client, resources, realm, channel, undefined) : undefined;
  const { status, error } = useLiveResource(resource, false);
  const [messages, setMessages] = useState<ChannelMessage[]>([]);
  const onMessage = useRef(options.onMessage);
  onMessage.current = options.onMessage;

  useEffect(() => {
    if (!enabled) return undefined;
    setMessages([]);
    return socketClientOf(client, realm).on('message', (message) => {
      if (message.realm !== realm || message.channel !== channel) return;
      onMessage.current?.(message);
      if (maxMessages > 0) setMessages((previous) => [...previous.slice(Math.max(0, previous.length + 1 - maxMessages)), message]);
    });
  }, [client, realm, channel, enabled, maxMessages]);

  const publish = useCallback(
    (event: string, data?: unknown, publishOptions?: ChannelPublishOptions) => socketClientOf(client, realm).publish(channel, event, data, publishOptions),
    [client, realm, channel],
  );
  return { messages, status, error, publish };
}
