import type { Request } from 'express';
import { z } from 'zod';
import { ForbiddenError } from '../../shared/index.js';

/** Lifetime of a development token when the request names none: one hour. */
export const DEV_TOKEN_DEFAULT_SECONDS = 3600;
/** The longest lifetime a development token may ask for: 24 hours. */
export const DEV_TOKEN_MAX_SECONDS = 24 * 3600;

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
/**
 * A token lifetime as requests give it: seconds, or `"<n>s|m|h|d"`, at most 24 hours; answers the
 * lifetime in seconds. `kind` names the token in the refusal (`a development token`).
 *
 * @example
 * tokenLifetimeSchema('an issued token').parse('12h'); // 43200
 */
export function tokenLifetimeSchema(kind: string) {
  return z
    .union([z.number().int().positive(), z.string().regex(/^\d+\s*[smhd]$/, 'expiresIn must be seconds or "<n>s|m|h|d", e.g. "1h"')])
    .transform((value) => {
      if (typeof value === 'number') return value;
      const unit = value.slice(-1);
      return Number.parseInt(value, 10) * (UNIT_SECONDS[unit] ?? 1);
    })
    .pipe(
      z
        .number()
        .positive('expiresIn must be positive')
        .max(DEV_TOKEN_MAX_SECONDS, `expiresIn must be at most 24 hours (${DEV_TOKEN_MAX_SECONDS} seconds) for ${kind}`),
    );
}

/**
 * `expiresIn` of `POST /auth/dev-token`: seconds, or `"<n>s|m|h|d"`, at most 24 hours; answers
 * the lifetime in seconds.
 *
 * @example
 * devTokenLifetimeSchema.parse('12h'); // 43200
 */
export const devTokenLifetimeSchema = tokenLifetimeSchema('a development token');

/**
 * Refuses `POST /auth/dev-token` from a page of another site. The route mints any token without
 * credentials, and development mode allows every CORS origin, so without this any web page the
 * developer visits could mint an admin token from the server on their machine. Allowed: callers
 * without an `Origin` (curl, scripts), loopback origins (`localhost`, `127.x.x.x`, `[::1]`: the
 * developer's own dev servers) and the server's own origin when it is reached by IP address (its
 * demo from another machine with `HOST=0.0.0.0`). A DNS name is never trusted as "this server":
 * DNS rebinding can point an attacker's name at 127.0.0.1.
 *
 * @throws ForbiddenError for any other origin, `null` included.
 * @example
 * assertLocalOrigin(req);
 */
export function assertLocalOrigin(req: Request): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let url: URL | undefined;
  try {
    url = new URL(origin);
  } catch {
    url = undefined;
  }
  if (url !== undefined && (isLoopbackHost(url.hostname) || (url.host === req.headers.host && isIpLiteral(url.hostname)))) return;
  throw new ForbiddenError('Development tokens are minted only for local pages (a loopback origin or this server itself)', {
    details: { origin: origin.slice(0, 200) },
  });
}

/** A host named by address, not by a DNS name that could be rebound to this machine. */
function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname);
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
