import type * as v from 'valibot';
import { realmField } from './common-schemas.js';
import { listenNameSchema } from './listening-schemas.js';
import { request } from './schema-kit.js';

/**
 * `record:subscribe` and `record:unsubscribe`: a record's name (`user/lisa`), as listening names
 * streams ("/"-separated segments of letters, digits, `_ . : -`).
 */
export const recordSubscriptionRequestSchema = request('record subscription request', { ...realmField, name: listenNameSchema });

/** `record:subscribe` / `record:unsubscribe` request. */
export type RecordSubscriptionRequest = v.InferOutput<typeof recordSubscriptionRequestSchema>;
