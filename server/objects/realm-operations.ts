import {
  ALL_REALMS,
  ForbiddenError,
  realmIdRequestSchema,
  realmListRequestSchema,
  realmWriteRequestSchema,
  searchRequestSchema,
  type Principal,
} from '../../shared/index.js';
import { areaResource, hasRealm, objectResource } from '../auth/permissions.js';
import { rightsIn } from '../auth/rights-in.js';
import type { Access, Requirement } from '../kernel/access.js';
import { defineOperation } from '../kernel/operation.js';
import type { ObjectService } from './object-service.js';

/** Writing a realm's record needs the `admin` or `service` role in it. */
const managesRealm: Requirement = (access: Access) => {
  const { roles } = rightsIn(access.principal, access.realm);
  if (roles.includes('admin') || roles.includes('service')) return;
  throw new ForbiddenError(`This needs the admin or service role in realm "${access.realm}"`, {
    details: { realm: access.realm, permission: 'admin' },
  });
};

/** The realms a token names (for `realm:list`); `'all'` for a token granting every realm. */
export function namedRealms(principal: Principal): readonly string[] | 'all' {
  return principal.realms.includes(ALL_REALMS) ? 'all' : principal.realms;
}

/**
 * The realm operations: `realm:get` (the realm granted), `realm:create`, `realm:update` and
 * `realm:delete` (the `admin` or `service` role in the realm; writes count against `writes`),
 * `realm:list` (the records of the realms the token grants; in no realm) and `realm:search` (only
 * what the caller may read is searched).
 *
 * @example
 * const operations = realmOperations(objects);
 */
export function realmOperations(objects: ObjectService) {
  const get = defineOperation({
    name: 'realm:get',
    input: realmIdRequestSchema,
    run: (_request, { realm }) => objects.getRealm(realm),
  });
  const create = defineOperation({
    name: 'realm:create',
    input: realmWriteRequestSchema,
    rateLimit: 'writes',
    requires: () => [managesRealm],
    run: ({ label, data }, { realm }) =>
      objects.writeRealm(realm, { ...(label === undefined ? {} : { label }), ...(data === undefined ? {} : { data }) }, 'create'),
  });
  const update = defineOperation({
    name: 'realm:update',
    input: realmWriteRequestSchema,
    rateLimit: 'writes',
    requires: () => [managesRealm],
    run: ({ label, data }, { realm }) =>
      objects.writeRealm(realm, { ...(label === undefined ? {} : { label }), ...(data === undefined ? {} : { data }) }, 'update'),
  });
  const remove = defineOperation({
    name: 'realm:delete',
    input: realmIdRequestSchema,
    rateLimit: 'writes',
    requires: () => [managesRealm],
    run: async (_request, { realm }) => {
      await objects.deleteRealm(realm);
      return { id: realm, deleted: true as const };
    },
  });
  const list = defineOperation({
    name: 'realm:list',
    input: realmListRequestSchema,
    scope: 'connection',
    run: async (_request, { principal }: { principal: Principal }) => ({
      realms: (await objects.listRealms(namedRealms(principal))).filter((info) => hasRealm(principal, info.id)),
    }),
  });
  const search = defineOperation({
    name: 'realm:search',
    input: searchRequestSchema,
    run: async ({ realm: _realm, ...query }, access) => ({
      results: await objects.search(access.realm, query, (type, id) => access.can(type === 'object' ? objectResource(id) : areaResource(id), 'R')),
    }),
  });
  return { 'realm:get': get, 'realm:create': create, 'realm:update': update, 'realm:list': list, 'realm:delete': remove, 'realm:search': search } as const;
}
