import { decodeJwt } from 'jose';
import { AuthError, ErrorCode, type RealtimeClaims } from '../shared/index.js';

/**
 * Reads a JWT's claims without verifying it (the server verifies). Throws `AuthError`
 * (`AUTH_FAILED`) for something that is not a JWT.
 *
 * @example
 * decodeToken(token).sub; // 'alice'
 */
export function decodeToken(token: string): RealtimeClaims {
  try {
    return decodeJwt(token) as RealtimeClaims;
  } catch (err) {
    throw new AuthError(ErrorCode.AUTH_FAILED, 'Token is not a valid JWT', { cause: err });
  }
}

/**
 * Milliseconds until the token expires (negative once expired); `Infinity` without `exp`.
 *
 * @example
 * console.log(`Expires in ${getTokenExpiresIn(token)}ms`);
 */
export function getTokenExpiresIn(token: string, now: number = Date.now()): number {
  const { exp } = decodeToken(token);
  return typeof exp === 'number' ? exp * 1000 - now : Number.POSITIVE_INFINITY;
}

/**
 * Whether the token's `exp` has passed.
 *
 * @example
 * if (isTokenExpired(token)) token = await login();
 */
export function isTokenExpired(token: string, now: number = Date.now()): boolean {
  return getTokenExpiresIn(token, now) <= 0;
}

/** Options of {@link shouldRefreshToken}. */
export interface RefreshThresholdOptions {
  /**
   * Refresh when fewer than this many ms remain.
   * @default 60000
   */
  thresholdMs?: number;
  /** The current time, ms (for tests). */
  now?: number;
}

/**
 * Whether the token is close to expiring (within `thresholdMs`, default one minute) and should be
 * refreshed, then handed to the client with `client.setToken()`.
 *
 * @example
 * if (shouldRefreshToken(token)) await client.setToken(await fetchNewToken());
 */
export function shouldRefreshToken(token: string, options: RefreshThresholdOptions = {}): boolean {
  return getTokenExpiresIn(token, options.now ?? Date.now()) <= (options.thresholdMs ?? 60_000);
}
