import * as v from 'valibot';
import { flag, jsonObject, request, text } from './schema-kit.js';

/** A JWT as a request field: what `auth:refresh` and `auth:login` carry. */
const tokenField = v.pipe(text('token'), v.minLength(1, 'token must not be empty'), v.maxLength(16384, 'token must be at most 16384 characters'));

/** Longest `auth:login` params, JSON characters (as long as a token may be). */
export const MAX_LOGIN_PARAMS_LENGTH = 16384;

const tokenLoginSchema = request('login request', { token: tokenField });

const paramsLoginSchema = request('login request', {
  params: v.pipe(
    jsonObject('params'),
    v.check((params) => JSON.stringify(params).length <= MAX_LOGIN_PARAMS_LENGTH, `params must be at most ${MAX_LOGIN_PARAMS_LENGTH} characters of JSON`),
  ),
});

/**
 * `auth:login`: how a connection that opened without a token logs in (it is quarantined until
 * then): `{ token }` (a JWT), or `{ params }` (any JSON object, checked by the server's auth hook).
 * A union, told apart by the `params` field; each side is strict.
 *
 * @example
 * parseInput(loginRequestSchema, { token }, 'auth:login request');
 * parseInput(loginRequestSchema, { params: { type: 'email', email, password } }, 'auth:login request');
 */
export const loginRequestSchema = v.lazy((input: unknown) =>
  typeof input === 'object' && input !== null && 'params' in input ? paramsLoginSchema : tokenLoginSchema,
);

/**
 * `sys:ping`: a heartbeat; it carries nothing.
 *
 * @example
 * parseInput(pingRequestSchema, {}, 'sys:ping request');
 */
export const pingRequestSchema = request('ping request', {});

/** One request inside a `batch`: any event name (an unknown one fails that entry only). */
export const batchEntrySchema = request('batch entry', {
  event: v.pipe(text('event'), v.maxLength(100, 'event must be at most 100 characters')),
  request: v.optional(v.unknown()),
  ack: v.optional(flag('ack')),
});

/**
 * `batch`: requests sent in one frame, served one by one in order. Only the envelope is checked
 * here; each entry's request is checked by its own event's schema when it is served, so that one
 * bad entry fails alone. The number of entries and their bytes are bounded by the server
 * (`maxBatchEntries`, `maxBatchBytes`), which checks them before serving any.
 *
 * @example
 * parseInput(batchRequestSchema, { entries: [{ event: 'sys:ping', request: {} }] }, 'batch request');
 */
export const batchRequestSchema = request('batch request', {
  entries: v.array(batchEntrySchema, 'entries must be an array'),
});

export type LoginRequest = v.InferOutput<typeof loginRequestSchema>;
export type PingRequest = v.InferOutput<typeof pingRequestSchema>;
export type BatchEntry = v.InferOutput<typeof batchEntrySchema>;
export type BatchRequest = v.InferOutput<typeof batchRequestSchema>;
