import { PRESENCE_STATUS_TOPIC, WEBHOOK_STATUS_TOPIC } from '../../shared/index.js';

/**
 * Topics only the server publishes on, with what it reports there: a client or REST caller
 * publishing on one is refused with `FORBIDDEN` whatever its permissions (`sync.*` topics are
 * reserved the same way, for the sync service).
 *
 * @example
 * if (SERVER_ONLY_TOPICS.has(topic)) throw new ForbiddenError(`${topic} is published by the server only`);
 */
export const SERVER_ONLY_TOPICS: ReadonlyMap<string, string> = new Map([
  [PRESENCE_STATUS_TOPIC, 'data-provider presence'],
  [WEBHOOK_STATUS_TOPIC, 'webhook endpoint reports'],
]);

/**
 * Event types only the server uses, refused on every topic for the same reason: a receiver that
 * reacts to `type === 'webhook.disabled'` must be able to trust it.
 *
 * @example
 * if (SERVER_ONLY_EVENT_TYPES.has(type)) throw new ForbiddenError(`"${type}" is the server's`);
 */
export const SERVER_ONLY_EVENT_TYPES: ReadonlySet<string> = new Set(['webhook.disabled']);
