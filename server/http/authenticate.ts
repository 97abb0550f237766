import type { NextFunction, Request, Response } from 'express';
import { AuthError, ErrorCode, type Principal } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';

/** Checks the credentials of one REST call; set by {@link authenticate}, run by {@link requireAuth}. */
type Authenticator = () => Promise<Principal>;

const MISSING = 'Authorization: Bearer <token> header is required';

/**
 * The verified principal of a REST call, set by {@link requireAuth}. Throws `AUTH_FAILED` on a
 * route that did not require authentication, so such a route can never act for nobody.
 */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (principal === undefined) throw new AuthError(ErrorCode.AUTH_FAILED, MISSING);
  return principal;
}

/**
 * Express middleware for a path prefix (`/api`): prepares the check of `Authorization: Bearer
 * <jwt>` that {@link requireAuth} runs once a route matched. So an unknown route answers
 * `404 NOT_FOUND` whoever asks, and a known one `401` without a valid token.
 *
 * @example
 * app.use('/api', authenticate(verifier));
 * router.post('/events', requireAuth, handler);
 */
export function authenticate(verifier: TokenVerifier) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const authenticator: Authenticator = async () => {
      const header = req.headers.authorization;
      if (header === undefined || !/^Bearer\s+\S+/i.test(header)) throw new AuthError(ErrorCode.AUTH_FAILED, MISSING);
      return verifier.verify(header.replace(/^Bearer\s+/i, '').trim());
    };
    res.locals.authenticate = authenticator;
    next();
  };
}

/**
 * Route middleware: verifies the bearer token (see {@link authenticate}) and stores the principal
 * for {@link principalOf}; `401` when it is missing or invalid.
 *
 * @example
 * router.get('/socket/channels', requireAuth, async (req, res) => { const principal = principalOf(res); });
 */
export async function requireAuth(_req: Request, res: Response, next: NextFunction): Promise<void> {
  try {
    const authenticator = res.locals.authenticate as Authenticator | undefined;
    if (authenticator === undefined) throw new AuthError(ErrorCode.AUTH_FAILED, MISSING);
    res.locals.principal = await authenticator();
    next();
  } catch (err) {
    next(err);
  }
}

/**
 * The realm a REST call addresses: the body's `realm`, else the `X-Realm` header.
 *
 * @example
 * const realm = resolveRealm(principal, requestedRealm(req, body.realm));
 */
export function requestedRealm(req: Request, bodyRealm?: string): string | undefined {
  if (bodyRealm !== undefined) return bodyRealm;
  const header = req.headers['x-realm'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}
