import { Router, type Request } from 'express';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { AuthError, ErrorCode, ForbiddenError, REALM_PATTERN, UnavailableError, isWellFormedText, type Principal } from '../../shared/index.js';
import { parseZodInput } from '../http/parse-zod-input.js';
import { tokenLifetimeSchema } from '../http/dev-token-policy.js';
import { documentBodies } from '../http/route-docs.js';
import { isAdmin, isPlatformAdmin } from './permissions.js';
import { rightsIn } from './rights-in.js';
import { MANAGED_ALGORITHMS, type SigningKeys } from './signing-keys.js';
import type { TokenVerifier } from './token-verifier.js';

const DEFAULT_ISSUED_TOKEN_SECONDS = 3600;

const realmSchema = z.string({ error: 'realm must be a string' }).regex(REALM_PATTERN, 'realm must be 1-64 letters, digits, _ or -');

const issueTokenSchema = z
  .strictObject({
    sub: z.string({ error: 'sub must be a string' }).min(1).max(256).refine(isWellFormedText, 'sub must be well-formed Unicode'),
    realm: realmSchema.optional(),
    realms: z
      .array(z.union([realmSchema, z.literal('*')]))
      .min(1)
      .max(100)
      .optional(),
    permissions: z.array(z.string().min(1).max(100)).max(50).optional(),
    per: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])).optional(),
    dpv: z.record(z.string(), z.array(z.string())).optional(),
    expiresIn: tokenLifetimeSchema('an issued token').optional(),
  })
  .refine((body) => (body.realm === undefined) !== (body.realms === undefined), 'give realm or realms (one of them)');

const keySchema = z.strictObject({
  alg: z.enum(MANAGED_ALGORITHMS, { error: `alg must be one of ${MANAGED_ALGORITHMS.join(', ')}` }).optional(),
  kid: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'kid must be 1-64 letters, digits, _ . or -')
    .optional(),
});

/** What the token and key routes need. */
export interface TokenRoutesOptions {
  verifier: TokenVerifier;
  keys: SigningKeys;
  /** The configured HS256 secret (`JWT_SECRET`), which signs when no managed key is primary. */
  fallbackSecret?: string;
}

/** Roles a caller may put in a token it issues, by the caller's own role. */
const ISSUABLE: Record<'admin' | 'service', ReadonlySet<string> | 'all'> = {
  admin: 'all',
  service: new Set(['service', 'client', 'subscribe', 'publish']),
};

/**
 * `POST /auth/token`, `GET /.well-known/jwks.json` and `/api/keys`.
 *
 * - `POST /auth/token` `{ sub, realm | realms, permissions?, per?, dpv?, expiresIn? }` → `201 { token, expiresAt, kid? }`:
 *   for admins and services of every realm named. An admin issues any role there; a service
 *   issues `service`, `client`, `subscribe` and `publish` only, and no `per` grants; `realms: ['*']`
 *   needs a platform admin. Signed by the primary managed key, else by `JWT_SECRET`.
 * - `GET /.well-known/jwks.json`: the public keys of the active ES256 / EdDSA keys.
 * - `/api/keys` (platform admins): `GET`, `POST { alg?, kid? }` (201; an HS256 key's `secret` is
 *   shown once), `POST /api/keys/rotate { alg?, kid? }`, `POST /api/keys/:kid/deactivate`,
 *   `POST /api/keys/:kid/activate`.
 *
 * Why issuing is bounded by the caller's rights: a backend that mints its users' tokens must not
 * be able to mint itself (or anybody) more than it has.
 *
 * @example
 * app.use(tokenRoutes({ verifier, keys, fallbackSecret }));
 */
export function tokenRoutes(options: TokenRoutesOptions): Router {
  const router = Router();
  const { verifier, keys } = options;

  router.post('/auth/token', async (req, res) => {
    const caller = await bearer(req, verifier);
    const { sub, expiresIn = DEFAULT_ISSUED_TOKEN_SECONDS, ...claims } = parseZodInput(issueTokenSchema, req.body ?? {}, 'token request');
    assertMayIssue(caller, claims);
    const primary = await keys.primary();
    const expiresAt = Math.floor(Date.now() / 1000) + expiresIn;
    const jwt = new SignJWT({ ...claims }).setSubject(sub).setIssuedAt().setExpirationTime(expiresAt);
    let token: string;
    if (primary !== undefined) {
      token = await jwt.setProtectedHeader({ alg: primary.alg, typ: 'JWT', kid: primary.kid }).sign(primary.key);
    } else if (options.fallbackSecret !== undefined) {
      token = await jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(options.fallbackSecret));
    } else {
      throw new UnavailableError('No key to sign with: create one with POST /api/keys, or configure JWT_SECRET');
    }
    res.status(201).json({ token, expiresAt: expiresAt * 1000, ...(primary === undefined ? {} : { kid: primary.kid }) });
  });

  router.get('/.well-known/jwks.json', async (_req, res) => {
    res.set('Cache-Control', 'public, max-age=60').json(await keys.jwks());
  });

  const admin = async (req: Request): Promise<void> => {
    if (!isPlatformAdmin(await bearer(req, verifier))) throw new ForbiddenError('Signing keys need an admin of every realm (realms ["*"], role admin)');
  };
  router.get('/api/keys', async (req, res) => {
    await admin(req);
    res.json({ items: await keys.list() });
  });
  router.post('/api/keys', async (req, res) => {
    await admin(req);
    const { alg = 'ES256', kid } = parseZodInput(keySchema, req.body ?? {}, 'key');
    res.status(201).json(await keys.create(alg, kid));
  });
  router.post('/api/keys/rotate', async (req, res) => {
    await admin(req);
    const { alg = 'ES256', kid } = parseZodInput(keySchema, req.body ?? {}, 'key');
    res.status(201).json(await keys.rotate(alg, kid));
  });
  for (const action of ['activate', 'deactivate'] as const) {
    router.post(`/api/keys/:kid/${action}`, async (req, res) => {
      await admin(req);
      res.json(await keys.setActive(String(req.params.kid), action === 'activate'));
    });
  }
  documentBodies(router, { 'POST /auth/token': issueTokenSchema, 'POST /api/keys': keySchema, 'POST /api/keys/rotate': keySchema });
  return router;
}

async function bearer(req: Request, verifier: TokenVerifier): Promise<Principal> {
  const header = req.headers.authorization;
  if (header === undefined || !/^Bearer\s+\S+/i.test(header)) throw new AuthError(ErrorCode.AUTH_FAILED, 'Authorization: Bearer <token> header is required');
  return verifier.verify(header.replace(/^Bearer\s+/i, '').trim());
}

/**
 * Refuses a token the caller may not issue. Every realm the token names counts: `realm` /
 * `realms`, and the keys of `per` and `dpv` (a `per` key grants its realm by itself, so an admin of
 * one realm must not hand out grants in another).
 */
function assertMayIssue(
  caller: Principal,
  claims: {
    realm?: string | undefined;
    realms?: string[] | undefined;
    permissions?: string[] | undefined;
    per?: Record<string, unknown> | undefined;
    dpv?: Record<string, unknown> | undefined;
  },
): void {
  const named = new Set([
    ...(claims.realms ?? []),
    ...(claims.realm === undefined ? [] : [claims.realm]),
    ...Object.keys(claims.per ?? {}),
    ...Object.keys(claims.dpv ?? {}),
  ]);
  if (named.has('*') && !isPlatformAdmin(caller)) throw new ForbiddenError('Only an admin of every realm issues tokens for every realm');
  const requested = claims.permissions ?? [];
  const allowed = ISSUABLE.service as ReadonlySet<string>;
  for (const realm of [...named].filter((name) => name !== '*')) {
    if (isAdmin(caller, realm)) continue;
    if (!rightsIn(caller, realm).roles.includes('service'))
      throw new ForbiddenError(`Issuing tokens for realm "${realm}" needs the admin or service role there`, { details: { realm } });
    const beyond = requested.filter((permission) => !allowed.has(permission));
    if (beyond.length > 0)
      throw new ForbiddenError(`A service issues only ${[...allowed].join(', ')}; not ${beyond.join(', ')}`, { details: { realm, permissions: beyond } });
    if (claims.per !== undefined) throw new ForbiddenError('Only an admin issues tokens with per grants', { details: { realm } });
  }
}
