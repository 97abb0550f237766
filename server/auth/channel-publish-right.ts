import createDebug from 'debug';
import { ForbiddenError, type Principal } from '../../shared/index.js';
import { assertCan, can, channelResource } from './permissions.js';

const debug = createDebug('realtime:auth:channel-publish-right');

/**
 * Whether the principal may publish to a channel without being a member of it: `C` on
 * `channel/<name>` from anything but the `client` role, that is the `service` or `admin` role or a
 * `per` grant. This is the backends' right (REST has no membership).
 *
 * @example
 * hasPublishRight(servicePrincipal, 'demo', 'lobby'); // true
 * hasPublishRight(clientPrincipal, 'demo', 'lobby');  // false: a plain client must join first
 */
export function hasPublishRight(principal: Principal, realm: string, channel: string): boolean {
  const withoutClientRole: Principal = { ...principal, roles: principal.roles.filter((role) => role !== 'client') };
  return can(withoutClientRole, realm, channelResource(channel), 'C');
}

/**
 * Throws unless the principal may publish to the channel: it needs `C` on `channel/<name>`, and
 * with `C` from the `client` role alone it must also be a member (have joined the channel on this
 * connection).
 *
 * Why membership: the `client` role grants `C` on every channel, and messages are kept for
 * recovery, so without it any client could write into any channel's history (and into every
 * member's inbox) without ever being seen there.
 *
 * `isMember` is asked only when needed; it is absent for REST callers, who are never members.
 *
 * @throws ForbiddenError `Not permitted: C on channel/<name> ...` without `C`; `Join the channel ...`
 *   with `C` from the client role only and no membership. Details `{ realm, resource, permission: 'C' }`.
 * @example
 * await assertMayPublish(principal, realm, 'lobby', () => presence.isChannelMember(socket, realm, 'lobby'));
 */
export async function assertMayPublish(principal: Principal, realm: string, channel: string, isMember?: () => Promise<boolean>): Promise<void> {
  const resource = channelResource(channel);
  assertCan(principal, realm, resource, 'C');
  if (hasPublishRight(principal, realm, channel)) return;
  if (isMember !== undefined && (await isMember())) return;
  debug('refused a publish to %s in realm %s by non-member %s', resource, realm, principal.userId);
  const instead =
    isMember === undefined
      ? `a REST caller is never a member: use a token with the service or admin role, or a per grant of C on ${resource}`
      : `publishing without joining needs the service or admin role, or a per grant of C on ${resource}`;
  throw new ForbiddenError(`Join the channel "${channel}" before publishing to it: the client role may publish only as a member (${instead})`, {
    details: { realm, resource, permission: 'C', member: false },
  });
}
