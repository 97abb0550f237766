import { matchesPattern, type WebhookDeliveryEventType, type WebhookEventType } from '../../shared/index.js';
import type { StoredEndpoint } from './webhook-store.js';

/**
 * A topic pattern: dot-separated segments that are names (`a-z 0-9 _ -`) or `*`. A `*` segment in
 * the middle matches exactly one segment (`sync.*.deleted`); a trailing `*` matches the rest
 * (`order.*` matches `order.created` and `order.item.added`); `*` alone matches every topic. These
 * are the permission pattern rules, with `.` for `/`.
 *
 * @example
 * TOPIC_FILTER_PATTERN.test('sync.*.deleted'); // true
 */
export const TOPIC_FILTER_PATTERN = /^(?:\*|[a-z0-9_-]+)(?:\.(?:\*|[a-z0-9_-]+))*$/;

/**
 * Whether a topic matches a topic pattern (see {@link TOPIC_FILTER_PATTERN}).
 *
 * @example
 * topicMatches('sync.*.deleted', 'sync.notes.deleted'); // true
 * topicMatches('order.*', 'order.item.added'); // true
 * topicMatches('order.*', 'orders.created'); // false
 */
export function topicMatches(pattern: string, topic: string): boolean {
  // Topics never contain "/", so the permission matcher's segments are the topic's.
  return matchesPattern(pattern.replaceAll('.', '/'), topic.replaceAll('.', '/'));
}

/**
 * Whether an endpoint wants an event: its type is among `events` (or `events` is empty) and its
 * topic matches one of `topics` (or `topics` is empty). Test events always pass.
 *
 * @example
 * endpointAccepts(endpoint, 'document.updated', 'sync.notes.updated');
 */
export function endpointAccepts(endpoint: Pick<StoredEndpoint, 'events' | 'topics'>, type: WebhookDeliveryEventType, topic: string): boolean {
  if (type === 'webhook.test') return true;
  if (endpoint.events.length > 0 && !endpoint.events.includes(type as WebhookEventType)) return false;
  return endpoint.topics.length === 0 || endpoint.topics.some((pattern) => topicMatches(pattern, topic));
}
