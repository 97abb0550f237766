import { ForbiddenError, isSyncTopic, type Principal } from '../../shared/index.js';
import { can, topicResource } from '../auth/permissions.js';
import { SERVER_ONLY_EVENT_TYPES, SERVER_ONLY_TOPICS } from '../events/server-only-topics.js';
import type { Requirement } from '../kernel/access.js';

/**
 * Whether a principal may subscribe to a topic: `R` on `topic/<topic>`. Document change topics
 * (`sync.*`) are open to every member of the realm because each delivery is checked against `R`
 * on the document itself.
 *
 * @example
 * if (!canSubscribe(principal, realm, 'order.updated')) revoke();
 */
export function canSubscribe(principal: Principal, realm: string, topic: string): boolean {
  return isSyncTopic(topic) || can(principal, realm, topicResource(topic), 'R');
}

/**
 * What subscribing to a topic requires (see {@link canSubscribe}).
 *
 * @example
 * requires: ({ topic }) => subscribeRequirements(topic)
 */
export function subscribeRequirements(topic: string): Requirement[] {
  return isSyncTopic(topic) ? [] : [{ resource: topicResource(topic), right: 'R' }];
}

/**
 * What publishing to a topic requires: `C` on `topic/<topic>`, and never a topic only the server
 * writes (`sync.*`, the sync service's, and {@link SERVER_ONLY_TOPICS}: `presence.status`,
 * `webhooks.status`) nor an event type only the server uses ({@link SERVER_ONLY_EVENT_TYPES}:
 * `webhook.disabled`), so that nobody can forge the server's reports.
 *
 * @example
 * requires: ({ topic, type }) => publishRequirements(topic, type)
 */
export function publishRequirements(topic: string, type?: string): Requirement[] {
  return [(access) => assertNotReserved(access.realm, topic, type), { resource: topicResource(topic), right: 'C' }];
}

function assertNotReserved(realm: string, topic: string, type: string | undefined): void {
  const details = { realm, resource: topicResource(topic), permission: 'C' };
  if (isSyncTopic(topic)) {
    throw new ForbiddenError('sync.* topics are published by the sync service only; write the document instead', { details });
  }
  const reserved = SERVER_ONLY_TOPICS.get(topic);
  if (reserved !== undefined) throw new ForbiddenError(`${topic} is published by the server only (${reserved})`, { details });
  if (type !== undefined && SERVER_ONLY_EVENT_TYPES.has(type)) {
    throw new ForbiddenError(`Events of type "${type}" are published by the server only`, { details: { ...details, type } });
  }
}
