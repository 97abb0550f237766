import * as v from 'valibot';
import { MAX_RPC_NAME_LENGTH, RPC_NAME_PATTERN } from '../rpc-name.js';
import { realmField } from './common-schemas.js';
import { flag, request, text } from './schema-kit.js';

/** An RPC name: `/`-separated segments of letters, digits and `_ . : -` (`math/multiply`). */
export const rpcNameSchema = v.pipe(
  text('name'),
  v.maxLength(MAX_RPC_NAME_LENGTH, `name must be at most ${MAX_RPC_NAME_LENGTH} characters`),
  v.regex(RPC_NAME_PATTERN, 'name must be "/"-separated segments of letters, digits, _ . : or - (e.g. "math/multiply")'),
);

/** A call id, as the server made it. */
export const rpcCallIdSchema = v.pipe(text('callId'), v.regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'callId must be 1-100 letters, digits or _ . : -'));

/** `rpc:provide`: this connection provides `name` in the realm. */
export const provideRpcRequestSchema = request('provide request', { ...realmField, name: rpcNameSchema });

/** `rpc:unprovide`. */
export const unprovideRpcRequestSchema = request('unprovide request', { ...realmField, name: rpcNameSchema });

/** `rpc:make` and `POST /api/rpc/:name`: `data` is any JSON value. */
export const makeRpcRequestSchema = request('make request', { ...realmField, name: rpcNameSchema, data: v.optional(v.unknown()) });

/** The error a provider answers with: a message, and optional JSON data for the caller. */
export const rpcProviderErrorSchema = request('error', {
  message: v.pipe(text('error.message'), v.maxLength(1000, 'error.message must be at most 1000 characters')),
  data: v.optional(v.unknown()),
});

/**
 * `rpc:respond`: a provider's answer to a call it accepted: `data` (the result), or `error`, or
 * `reject: true` (too late to accept it after all: the server offers it to another provider).
 */
export const respondRpcRequestSchema = v.pipe(
  request('respond request', {
    callId: rpcCallIdSchema,
    data: v.optional(v.unknown()),
    error: v.optional(rpcProviderErrorSchema),
    reject: v.optional(flag('reject')),
  }),
  v.check((r) => !(r.error !== undefined && (r.data !== undefined || r.reject === true)), 'error cannot come with data or reject'),
  v.check((r) => !(r.reject === true && r.data !== undefined), 'reject cannot come with data'),
);

/** `rpc:provide` request. */
export type ProvideRpcRequest = v.InferOutput<typeof provideRpcRequestSchema>;
/** `rpc:unprovide` request. */
export type UnprovideRpcRequest = v.InferOutput<typeof unprovideRpcRequestSchema>;
/** `rpc:make` request. */
export type MakeRpcRequest = v.InferOutput<typeof makeRpcRequestSchema>;
/** `rpc:respond` request. */
export type RespondRpcRequest = v.InferOutput<typeof respondRpcRequestSchema>;
