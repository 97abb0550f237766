import { z } from 'zod';
import {
  conditionIssues,
  DATABASE_OPERATIONS,
  isColumnName,
  isReference,
  isValidRealm,
  isValidTopic,
  MAPPING_LIMITS,
  realmColumn,
  templateIssues,
  type MappingCondition,
  type MappingIssue,
  type MappingTemplate,
} from '../../shared/index.js';

/*
 * The REST bodies of `/api/database/mappings` (zod, as the other REST-only routes; the browser
 * bundle never needs them). The expression checks are the shared `templateIssues` and
 * `conditionIssues`, so every problem is reported with its path.
 */

const name = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .refine(isColumnName, `${field} must be a table or column name of 1 to ${MAPPING_LIMITS.maxNameLength} characters (no leading $)`);

/** Turns shared mapping issues into zod issues, at their paths inside the field. */
function withIssues<T>(check: (value: unknown) => MappingIssue[]) {
  return (value: T, ctx: z.RefinementCtx) => {
    for (const issue of check(value)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  };
}

const tableField = name('table');
const topicField = z
  .string({ error: 'topic must be a string' })
  .refine(isValidTopic, 'topic must be a topic: dot-separated lowercase segments, e.g. "session.status"');
const eventsField = z
  .array(z.enum(DATABASE_OPERATIONS, { error: 'events are insert, update or delete' }), { error: 'events must be a list of insert, update, delete' })
  .min(1, 'events must name at least one of insert, update, delete')
  .refine((events) => new Set(events).size === events.length, 'events must not repeat');
const triggerColumnsField = z
  .array(name('triggerColumns'), { error: 'triggerColumns must be a list of column names' })
  .max(MAPPING_LIMITS.maxTriggerColumns, `triggerColumns has at most ${MAPPING_LIMITS.maxTriggerColumns} columns`);
const payloadField = z
  .record(z.string(), z.unknown(), { error: 'payload must be an object template, e.g. { "id": "$row.id" }' })
  .superRefine(withIssues<Record<string, unknown>>((value) => templateIssues(value)))
  .transform((value) => value as Record<string, MappingTemplate>);
const whenField = z
  .unknown()
  .superRefine(withIssues<unknown>((value) => conditionIssues(value)))
  .transform((value) => value as MappingCondition);
const realmField = z
  .string({ error: 'realm must be a string' })
  .refine(
    (value) => isValidRealm(value) || (isReference(value) && realmColumn(value) !== undefined),
    'realm must be a realm id, or "$row.column" for a realm per row',
  );
const text = (field: string, max: number) => z.string({ error: `${field} must be a string` }).max(max, `${field} must be at most ${max} characters`);

/** `POST /api/database/mappings`: the reference shape verbatim, with `realm`, `description` and `active`. */
export const createMappingSchema = z.strictObject({
  table: tableField,
  topic: topicField,
  events: eventsField,
  triggerColumns: triggerColumnsField.optional(),
  payload: payloadField,
  when: whenField.optional(),
  realm: realmField.optional(),
  environment: text('environment', 64).optional(),
  description: text('description', 1000).optional(),
  active: z.boolean({ error: 'active must be true or false' }).optional(),
});

/** `PATCH /api/database/mappings/:id`: any field but the realm; `null` removes an optional one. */
export const updateMappingSchema = z.strictObject({
  realm: z.string({ error: 'realm must be a string' }).optional(),
  table: tableField.optional(),
  topic: topicField.optional(),
  events: eventsField.optional(),
  triggerColumns: triggerColumnsField.nullable().optional(),
  payload: payloadField.optional(),
  when: z.union([z.null(), whenField]).optional(),
  environment: text('environment', 64).nullable().optional(),
  description: text('description', 1000).nullable().optional(),
  active: z.boolean({ error: 'active must be true or false' }).optional(),
});

/** The query of the GET routes. */
export const mappingsQuery = z.strictObject({ realm: z.string({ error: 'realm must be a string' }).optional() });

/** A mapping id in a path. */
export const mappingIdParam = z.string().regex(/^map_[0-9A-Z]{26}$/, 'id must be a mapping id (map_...)');
