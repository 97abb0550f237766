import type { NextFunction, Request, Response } from 'express';
import { AuthError, ErrorCode, type Principal } from '../../shared/index.js';
import type { TokenVerifier } from '../auth/token-verifier.js';

/** The verified principal of a REST call, set by {@link authenticate}. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}

/**
 * Express middleware: requires `Authorization: Bearer <jwt>` and stores the verified principal
 * for {@link principalOf}.
 *
 * @example
 * app.use('/api', authenticate(verifier));
 */
export function authenticate(verifier: TokenVerifier) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const header = req.headers.authorization;
      if (header === undefined || !/^Bearer\s+\S+/i.test(header)) {
        throw new AuthError(ErrorCode.AUTH_FAILED, 'Authorization: Bearer <token> header is required');
      }
      res.locals.principal = await verifier.verify(header.replace(/^Bearer\s+/i, '').trim());
      next();
    } catch (err) {
      next(err);
    }
  };
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
