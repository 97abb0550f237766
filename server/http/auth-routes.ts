import { Router } from 'express';
import { z } from 'zod';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { signToken } from '../auth/token-signer.js';
import { assertLocalOrigin, devTokenLifetimeSchema, DEV_TOKEN_DEFAULT_SECONDS } from './dev-token-policy.js';
import { parseZodInput } from './parse-zod-input.js';
import { documentBodies } from './route-docs.js';
import { isWellFormedText, REALM_PATTERN } from '../../shared/index.js';

const realmSchema = z.string({ error: 'realm must be a string' }).regex(REALM_PATTERN, 'realm must be 1-64 letters, digits, _ or -');

const verifySchema = z.strictObject({ token: z.string({ error: 'token must be a string' }).min(1).max(16384) });

const devTokenSchema = z.strictObject({
  sub: z.string({ error: 'sub must be a string' }).min(1).max(256).refine(isWellFormedText, 'sub must be well-formed Unicode (it holds a lone surrogate)'),
  realm: realmSchema.optional(),
  realms: z
    .array(z.union([realmSchema, z.literal('*')]))
    .max(100)
    .optional(),
  permissions: z.array(z.string().min(1).max(100)).max(50).optional(),
  per: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])).optional(),
  dpv: z.record(z.string(), z.array(z.string())).optional(),
  expiresIn: devTokenLifetimeSchema.optional(),
});

/** What the auth routes need. */
export interface AuthRoutesOptions {
  verifier: TokenVerifier;
  /** Set only in development mode: enables `POST /auth/dev-token` signed with this secret. */
  developmentSecret?: string;
}

/**
 * `/auth` routes (no bearer token needed): `POST /auth/verify` answers what a token grants, and in
 * development mode only, `POST /auth/dev-token` mints a token for any user (never in production),
 * valid one hour unless `expiresIn` asks for up to 24 hours, for local pages only.
 *
 * @example
 * app.use('/auth', authRoutes({ verifier, developmentSecret }));
 */
export function authRoutes(options: AuthRoutesOptions): Router {
  const router = Router();
  router.post('/verify', async (req, res) => {
    const { token } = parseZodInput(verifySchema, req.body, 'verify request');
    const principal = await options.verifier.verify(token);
    res.json({
      valid: true,
      userId: principal.userId,
      realms: principal.realms,
      roles: principal.roles,
      // Where the roles apply: a realm granted only by a `per` key has its `per` grants alone.
      roleRealms: principal.roleRealms,
      expiresAt: principal.expiresAt,
    });
  });

  const secret = options.developmentSecret;
  if (secret !== undefined) {
    router.post('/dev-token', async (req, res) => {
      assertLocalOrigin(req);
      const { sub, expiresIn, ...claims } = parseZodInput(devTokenSchema, req.body, 'dev-token request');
      const lifetime = expiresIn ?? DEV_TOKEN_DEFAULT_SECONDS;
      const token = await signToken({ sub, secret, expiresIn: lifetime, claims });
      const principal = await options.verifier.verify(token);
      res.status(201).json({ token, expiresAt: principal.expiresAt });
    });
  }
  documentBodies(router, { 'POST /verify': verifySchema, 'POST /dev-token': devTokenSchema });
  return router;
}
