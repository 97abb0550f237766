import {
  historyRequestSchema,
  objectIdRequestSchema,
  objectListRequestSchema,
  objectWriteRequestSchema,
  MAX_HISTORY_LIMIT,
  MAX_OBJECT_LIST_LIMIT,
  type ObjectSummary,
  type ObjectWriteRequest,
  type PermissionLetter,
} from '../../shared/index.js';
import { areaResource, objectResource } from '../auth/permissions.js';
import type { Requirement } from '../kernel/access.js';
import { defineOperation } from '../kernel/operation.js';
import type { ObjectService, ObjectWrite } from './object-service.js';
import { setEntry } from './set-entry.js';

/** `letters` on `object/<id>`. */
function onObject(id: string, ...letters: PermissionLetter[]): Requirement[] {
  return letters.map((right) => ({ resource: objectResource(id), right }));
}

/** The write a request asks for, without its realm. */
function objectWrite({ realm: _realm, ...write }: ObjectWriteRequest): ObjectWrite {
  return write;
}

/** Unix ms of a history bound (ms, or ISO 8601). */
function toMillis(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/**
 * The object operations (socket events, and `/api/realms/:realm/objects` and `/history` over
 * REST): `object:create` needs `C` on `object/<id>`, `object:update` `U`, `object:set` both `C`
 * and `U` (it may do either), `object:get` and `object:history` `R`, `object:delete` `D`;
 * `object:list` answers only the objects the caller may read (and needs `R` on the area or target
 * object it names). `object:set` counts against the `locations` rate limits (its acknowledgement
 * is optional), the other writes against `writes`.
 *
 * @example
 * const operations = objectOperations(objects);
 */
export function objectOperations(objects: ObjectService) {
  const create = defineOperation({
    name: 'object:create',
    input: objectWriteRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => onObject(id, 'C'),
    run: (request, { realm }) => objects.writeObject(realm, objectWrite(request), 'create'),
  });
  const update = defineOperation({
    name: 'object:update',
    input: objectWriteRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => onObject(id, 'U'),
    run: (request, { realm }) => objects.writeObject(realm, objectWrite(request), 'update'),
  });
  const set = defineOperation({
    name: 'object:set',
    input: objectWriteRequestSchema,
    rateLimit: 'locations',
    requires: ({ id }) => onObject(id, 'C', 'U'),
    run: (request, { realm }) => objects.writeObject(realm, objectWrite(request), 'set'),
  });
  const get = defineOperation({
    name: 'object:get',
    input: objectIdRequestSchema,
    requires: ({ id }) => onObject(id, 'R'),
    run: ({ id }, { realm }) => objects.getObject(realm, id),
  });
  const remove = defineOperation({
    name: 'object:delete',
    input: objectIdRequestSchema,
    rateLimit: 'writes',
    requires: ({ id }) => onObject(id, 'D'),
    run: async ({ id }, { realm }) => {
      await objects.deleteObject(realm, id);
      return { id, deleted: true as const };
    },
  });
  const list = defineOperation({
    name: 'object:list',
    input: objectListRequestSchema,
    requires: ({ area, target }): Requirement[] => [
      ...(area === undefined ? [] : [{ resource: areaResource(area), right: 'R' } as const]),
      ...(target === undefined ? [] : onObject(target.id, 'R')),
    ],
    run: async ({ realm: _realm, limit, ...query }, access) => {
      const readable = (id: string): boolean => access.can(objectResource(id), 'R');
      const found = await objects.listObjects(access.realm, { ...query, limit: limit ?? MAX_OBJECT_LIST_LIMIT, readable });
      const answer: Record<string, ObjectSummary> = {};
      for (const object of found) setEntry(answer, object.id, object);
      return { objects: answer };
    },
  });
  const history = defineOperation({
    name: 'object:history',
    input: historyRequestSchema,
    requires: ({ id }) => onObject(id, 'R'),
    run: async ({ id, start, end, limit }, { realm }) => ({
      entries: await objects.history(realm, id, { start: toMillis(start), end: toMillis(end), limit: limit ?? MAX_HISTORY_LIMIT }),
    }),
  });
  return {
    'object:create': create,
    'object:update': update,
    'object:set': set,
    'object:get': get,
    'object:delete': remove,
    'object:list': list,
    'object:history': history,
  } as const;
}
