import * as v from 'valibot';
import { OFFSET_PATTERN } from '../stream-position.js';
import { MAX_TOPIC_LENGTH, REALM_PATTERN, TOPIC_PATTERN } from '../topic.js';
import { patternText, request, text } from './schema-kit.js';

/** A realm id (every request may name one; the token's only realm otherwise). */
export const realmSchema = patternText('realm', REALM_PATTERN, 'realm must be 1-64 letters, digits, _ or -');

/** A topic name: dot-separated lowercase segments. */
export const topicSchema = v.pipe(
  text('topic'),
  v.maxLength(MAX_TOPIC_LENGTH, `topic must be at most ${MAX_TOPIC_LENGTH} characters`),
  v.regex(TOPIC_PATTERN, 'topic must be dot-separated lowercase segments (letters, digits, _ and -), e.g. "order.updated"'),
);

/** A position in a stream (a topic's or a channel's), as `since` resumes after it. */
export const streamPositionSchema = request('since', {
  epoch: v.pipe(text('epoch'), v.minLength(1, 'epoch must not be empty'), v.maxLength(64, 'epoch must be at most 64 characters')),
  offset: patternText('offset', OFFSET_PATTERN, 'offset must look like "0-42"'),
});

/** The optional `realm` field of every request. */
export const realmField = { realm: v.optional(realmSchema) };
