import type { ObjectPresence, PresenceMember, PresenceTarget } from '../../shared/index.js';
import { checkedRequest, realmOf, segment, sendIn, type RestScope } from './rest-scope.js';

/**
 * Presence for backends (`/api/presence/*`, `/api/socket/channels/:channel/members`,
 * `/api/socket/connections`): `rest.presence`. Reading presence is not rate limited; every call
 * is a read, so it is retried on `UNAVAILABLE` and timeouts too.
 *
 * @example
 * const members = await rest.presence.members('chat:room1');
 * const { connectionStatus } = await rest.presence.status('riders/7');
 */
export class RestPresenceClient {
  constructor(private readonly scope: RestScope) {}

  /**
   * The members of a channel (a name) or of a document's presence (`{ service, id }`) that appear
   * in presence, in join order. Needs `P` on the channel or document. Channel members also carry
   * `socketId`, the reference platform's name of `connectionId`.
   */
  async members(target: PresenceTarget): Promise<PresenceMember[]> {
    const request = typeof target === 'string' ? { channel: target } : { document: { service: target.service, id: target.id } };
    checkedRequest('presence:list', { ...realmOf(this.scope), ...request });
    const path =
      typeof target === 'string'
        ? `/api/socket/channels/${segment(target)}/members`
        : `/api/presence/documents/${segment(target.service)}/${segment(target.id)}/members`;
    return sendIn(this.scope, { method: 'GET', path });
  }

  /** The data-provider presence of an object id (`riders/7`). Needs `P` on `object/<id>`. */
  async status(objectId: string): Promise<ObjectPresence> {
    checkedRequest('presence:status', { ...realmOf(this.scope), id: objectId });
    return sendIn(this.scope, { method: 'GET', path: `/api/presence/objects/${segment(objectId)}` });
  }

  /** How many connections are granted the realm, on every node. Needs `P` on `user/*`. */
  async connectionCount(): Promise<number> {
    const { count } = await sendIn<{ count: number }>(this.scope, { method: 'GET', path: '/api/socket/connections' });
    return count;
  }
}
