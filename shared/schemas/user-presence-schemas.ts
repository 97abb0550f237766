import * as v from 'valibot';
import { userIdSchema } from './channel-schemas.js';
import { realmField } from './common-schemas.js';
import { request } from './schema-kit.js';

/** The users of a presence request: at most 100, or absent for every user. */
export const userListSchema = v.pipe(v.array(userIdSchema, 'users must be an array of user ids'), v.maxLength(100, 'users must list at most 100 user ids'));

/** `users:subscribe`, `users:unsubscribe` and `users:get`: the given users, or every user when `users` is absent. */
export const userPresenceRequestSchema = request('users request', { ...realmField, users: v.optional(userListSchema) });

/** `users:subscribe`, `users:unsubscribe` and `users:get` request. */
export type UserPresenceRequest = v.InferOutput<typeof userPresenceRequestSchema>;
