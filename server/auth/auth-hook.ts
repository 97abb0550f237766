import { AuthError, ErrorCode, UnavailableError, type Principal, type RealtimeClaims } from '../../shared/index.js';
import { principalFromClaims } from './principal-from-claims.js';

/** Where a login with `{ params }` is checked: deepstream's HTTP auth. */
export interface AuthHookOptions {
  /** The URL the server POSTs `{ authData, connectionData }` to. */
  url: string;
  /**
   * Longest wait for the hook's answer, ms; a slower hook is `UNAVAILABLE`.
   * @default 5000
   */
  timeoutMs?: number;
}

/** What the server tells the hook about the connection logging in. */
export interface AuthHookConnectionData {
  remoteAddress?: string;
  /** Only `user-agent` and `origin`. */
  headers?: { 'user-agent'?: string; origin?: string };
}

/** A login the hook accepted. */
export interface AuthHookAcceptance {
  principal: Principal;
  /** The hook's `clientData`, for the client. */
  clientData?: Record<string, unknown>;
}

/** Default of {@link AuthHookOptions.timeoutMs}. */
export const DEFAULT_AUTH_HOOK_TIMEOUT_MS = 5000;

/**
 * `expiresAt` of a principal from the hook: it has no token, so it never expires (the largest
 * time a `Date` holds).
 */
export const NO_EXPIRY_MS = 8.64e15;

/** Longest answer body read from the hook, bytes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Checks login params with an HTTP auth hook: POSTs `{ authData: params, connectionData }` as JSON
 * to `url`. A 2xx answer `{ userId | id | username, realm?, realms?, permissions?, per?, dpv?,
 * clientData? }` is read exactly as a token's claims are (`principalFromClaims`, with `sub` = the
 * user id), with no expiry. The params are never logged.
 *
 * @throws AuthError `AUTH_FAILED` when the hook refuses (401/403, any other non-2xx below 500) or
 *   accepts with an answer that is not a JSON object or not a valid principal; the error's `details.clientData` carries the hook's
 *   `clientData` if it sent one.
 * @throws UnavailableError `UNAVAILABLE` when the hook cannot be reached, answers 5xx or more than
 *   64 KiB, or takes longer than `timeoutMs` (not a failed attempt: the credentials were not judged).
 * @example
 * const { principal, clientData } = await checkWithAuthHook({ url: 'http://auth.local/login' }, { type: 'email', email, password }, {});
 */
export async function checkWithAuthHook(
  options: AuthHookOptions,
  params: Record<string, unknown>,
  connectionData: AuthHookConnectionData,
): Promise<AuthHookAcceptance> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AUTH_HOOK_TIMEOUT_MS;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  let status: number;
  let body: unknown;
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authData: params, connectionData }),
      signal: abort.signal,
      redirect: 'error',
    });
    status = response.status;
    body = await readJson(response);
  } catch (err) {
    const timedOut = abort.signal.aborted;
    throw new UnavailableError(timedOut ? `The auth hook did not answer within ${timeoutMs} ms` : 'The auth hook cannot be reached', { cause: err });
  } finally {
    clearTimeout(timer);
  }
  if (status >= 500) throw new UnavailableError(`The auth hook failed (HTTP ${status})`);
  const answer = isObject(body) ? body : {};
  const clientData = isObject(answer.clientData) ? answer.clientData : undefined;
  if (status < 200 || status >= 300) {
    throw new AuthError(ErrorCode.AUTH_FAILED, refusal(answer), clientData === undefined ? {} : { details: { clientData } });
  }
  if (!isObject(body)) throw new AuthError(ErrorCode.AUTH_FAILED, 'The auth hook accepted the login but did not answer a JSON object');
  const principal = principalFromClaims(claimsOf(answer));
  return clientData === undefined ? { principal } : { principal, clientData };
}

function claimsOf(answer: Record<string, unknown>): RealtimeClaims {
  const sub = answer.userId ?? answer.id ?? answer.username;
  const claims: RealtimeClaims = { sub: sub as string, exp: NO_EXPIRY_MS / 1000 };
  for (const key of ['realm', 'realms', 'permissions', 'per', 'dpv'] as const) {
    if (answer[key] !== undefined) claims[key] = answer[key] as never;
  }
  return claims;
}

function refusal(answer: Record<string, unknown>): string {
  const message = answer.message ?? answer.reason;
  if (typeof message === 'string' && message.length > 0) return `The auth hook refused the login: ${message.slice(0, 200)}`;
  return 'The auth hook refused the login';
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length > MAX_ANSWER_BYTES) throw new Error(`auth hook answer over ${MAX_ANSWER_BYTES} bytes`);
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
