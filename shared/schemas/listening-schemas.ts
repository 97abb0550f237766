import * as v from 'valibot';
import { LISTEN_NAME_PATTERN, LISTEN_PATTERN_PATTERN, MAX_LISTEN_PATTERN_LENGTH } from '../rpc-name.js';
import { realmField } from './common-schemas.js';
import { request, text } from './schema-kit.js';

/** What can be listened for: event topics, or records. */
export const listenKindSchema = v.picklist(['topic', 'record'], 'kind must be "topic" or "record"');

/** A listen pattern: a stream name with `*` as in id patterns (`news.*`, `prices/*`). */
export const listenPatternSchema = v.pipe(
  text('pattern'),
  v.maxLength(MAX_LISTEN_PATTERN_LENGTH, `pattern must be at most ${MAX_LISTEN_PATTERN_LENGTH} characters`),
  v.regex(LISTEN_PATTERN_PATTERN, 'pattern must be "/"-separated segments of letters, digits, _ . : - or *'),
);

/** A listened stream's name (a topic, or a record name). */
export const listenNameSchema = v.pipe(
  text('name'),
  v.maxLength(MAX_LISTEN_PATTERN_LENGTH, `name must be at most ${MAX_LISTEN_PATTERN_LENGTH} characters`),
  v.regex(LISTEN_NAME_PATTERN, 'name must be "/"-separated segments of letters, digits, _ . : or -'),
);

/** `listen:add` and `listen:remove`. */
export const listenRequestSchema = request('listen request', { ...realmField, kind: listenKindSchema, pattern: listenPatternSchema });

/** `listen:has-provider`: whether a stream has an accepted provider now. */
export const hasProviderRequestSchema = request('has-provider request', { ...realmField, kind: listenKindSchema, name: listenNameSchema });

/** `listen:add` / `listen:remove` request. */
export type ListenRequest = v.InferOutput<typeof listenRequestSchema>;
/** `listen:has-provider` request. */
export type HasProviderRequest = v.InferOutput<typeof hasProviderRequestSchema>;
/** What can be listened for. */
export type ListenKind = v.InferOutput<typeof listenKindSchema>;
