import { areaIdRequestSchema, areaWriteRequestSchema, realmListRequestSchema, type Area, type AreaWriteRequest } from '../../shared/index.js';
import { areaResource } from '../auth/permissions.js';
import { defineOperation } from '../kernel/operation.js';
import type { AreaWrite, ObjectService } from './object-service.js';
import { setEntry } from './set-entry.js';

function areaWrite({ realm: _realm, ...write }: AreaWriteRequest): AreaWrite {
  return write;
}

/**
 * The area operations (socket events, and `/api/realms/:realm/areas` over REST): `C` on
 * `area/<id>` to create, `U` to update, `R` to get, `D` to delete; `area:list` answers the areas
 * the caller may read. Writes count against the `writes` rate limits.
 *
 * @example
 * const operations = areaOperations(objects);
 */
export function areaOperations(objects: ObjectService) {
  const create = defineOperation({
    name: 'area:create',
    input: areaWriteRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => [{ resource: areaResource(id), right: 'C' }],
    run: (request, { realm }) => objects.writeArea(realm, areaWrite(request), 'create'),
  });
  const update = defineOperation({
    name: 'area:update',
    input: areaWriteRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => [{ resource: areaResource(id), right: 'U' }],
    run: (request, { realm }) => objects.writeArea(realm, areaWrite(request), 'update'),
  });
  const get = defineOperation({
    name: 'area:get',
    input: areaIdRequestSchema,
    requires: ({ id }) => [{ resource: areaResource(id), right: 'R' }],
    run: ({ id }, { realm }) => objects.getArea(realm, id),
  });
  const remove = defineOperation({
    name: 'area:delete',
    input: areaIdRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => [{ resource: areaResource(id), right: 'D' }],
    run: async ({ id }, { realm }) => {
      await objects.deleteArea(realm, id);
      return { id, deleted: true as const };
    },
  });
  const list = defineOperation({
    name: 'area:list',
    input: realmListRequestSchema,
    run: async (_request, access) => {
      const areas: Record<string, Area> = {};
      for (const area of await objects.listAreas(access.realm)) if (access.can(areaResource(area.id), 'R')) setEntry(areas, area.id, area);
      return { areas };
    },
  });
  return { 'area:create': create, 'area:update': update, 'area:get': get, 'area:list': list, 'area:delete': remove } as const;
}
