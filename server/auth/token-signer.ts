import { SignJWT } from 'jose';
import type { RealtimeClaims } from '../../shared/index.js';

/**
 * What to put in a development or service token.
 */
export interface SignTokenOptions {
  /** The user id (`sub`). */
  sub: string;
  /** HS256 secret (UTF-8 bytes). */
  secret: string;
  /** Key id to put in the header (needed when the server verifies with `JWT_SECRETS`). */
  kid?: string;
  /**
   * Lifetime: seconds, or a jose time span such as `'1h'`, `'30m'`, `'7d'`.
   * @default '1h'
   */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  /** Further claims: `realm`, `realms`, `permissions`, `per`, `dpv`, ... */
  claims?: Omit<RealtimeClaims, 'sub' | 'exp' | 'iat'>;
}

/**
 * Signs an HS256 token the server accepts. For development, tests and backends that mint tokens
 * for their users; production user tokens usually come from your identity provider.
 *
 * @example
 * const token = await signToken({ sub: 'alice', secret, claims: { realm: 'demo', permissions: ['client'] } });
 */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const expiresIn = options.expiresIn ?? '1h';
  let jwt = new SignJWT({ ...(options.claims ?? {}) })
    .setProtectedHeader(options.kid === undefined ? { alg: 'HS256', typ: 'JWT' } : { alg: 'HS256', typ: 'JWT', kid: options.kid })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
