import { ForbiddenError, type PermissionLetter, type Principal } from '../../shared/index.js';
import { assertCan, can, isAdmin } from '../auth/permissions.js';

/**
 * A caller's rights in the one realm a request works in, as the permission gate resolved them.
 * Operations receive it to shape what they answer (a write without `R` answers metadata only);
 * they never ask the permission module themselves.
 *
 * @example
 * const readable = access.can(docResource('notes', id), 'R');
 */
export interface Access {
  readonly principal: Principal;
  /** The realm the request works in: named by it and granted, or the token's only realm. */
  readonly realm: string;
  /** Whether the caller holds `right` on `resource` in this realm. */
  can(resource: string, right: PermissionLetter): boolean;
}

/**
 * What an operation needs before it runs:
 * - `{ resource, right }`: that right on that resource in the request's realm;
 * - `'admin'`: the `admin` role in the realm (management APIs);
 * - a rule, for rights that depend on more than the request: a function that throws
 *   `ForbiddenError` (publishing to a channel as a member, a topic's reserved types), or answers
 *   the requirements it found (the user behind a connection id), which the gate then checks.
 *
 * @example
 * const needs: Requirement[] = [{ resource: channelResource('lobby'), right: 'R' }];
 */
export type Requirement =
  | { readonly resource: string; readonly right: PermissionLetter }
  | 'admin'
  | ((access: Access) => void | readonly Requirement[] | Promise<void | readonly Requirement[]>);

/**
 * The caller's {@link Access} in a resolved realm.
 *
 * @example
 * const access = accessIn(principal, 'demo');
 */
export function accessIn(principal: Principal, realm: string): Access {
  return { principal, realm, can: (resource, right) => can(principal, realm, resource, right) };
}

/**
 * The permission gate: checks every requirement, in order, and throws the first refusal
 * (`FORBIDDEN` with `details: { realm, resource, permission }`). Both transports run it before an
 * operation's handler, so no handler checks permissions by itself.
 *
 * @example
 * await authorize(access, [{ resource: topicResource('order.updated'), right: 'C' }]);
 */
export async function authorize(access: Access, requirements: readonly Requirement[]): Promise<void> {
  for (const requirement of requirements) {
    if (requirement === 'admin') {
      if (!isAdmin(access.principal, access.realm)) {
        throw new ForbiddenError(`This needs the admin role in realm "${access.realm}"`, {
          details: { realm: access.realm, permission: 'admin' },
        });
      }
    } else if (typeof requirement === 'function') {
      const found = await requirement(access);
      if (found !== undefined) await authorize(access, found);
    } else {
      assertCan(access.principal, access.realm, requirement.resource, requirement.right);
    }
  }
}
