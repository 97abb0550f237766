import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey, type JWTHeaderParameters, type FlattenedJWSInput } from 'jose';
import { AuthError, UnavailableError, type Principal, type RealtimeClaims } from '../../shared/index.js';
import type { AuthOptions } from '../config.js';
import { hmacKey } from './hmac-key.js';
import { principalFromClaims } from './principal-from-claims.js';
import { SharedPermissions } from './shared-permissions.js';

/** The only algorithm used with shared secrets. */
const SECRET_ALGORITHM = 'HS256';
const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256'];

/** Keys the platform manages (`SigningKeys`): the verification key of an active `kid`, if any. */
export interface ManagedKeyLookup {
  verificationKey(kid: string, alg: string): Promise<CryptoKey | Uint8Array | undefined>;
}

/** The algorithms managed keys use; accepted once {@link TokenVerifier.useManagedKeys} is called. */
const MANAGED_KEY_ALGORITHMS = ['HS256', 'ES256', 'EdDSA'];

/**
 * Verifies JWTs with jose and turns their claims into a {@link Principal}.
 *
 * Why this exists: algorithm confusion is the classic JWT hole. Shared secrets are only ever used
 * for HS256 and JWKS keys only for the pinned asymmetric algorithms; `none` is never in the list.
 * A token with a `kid` must name a configured secret (or a JWKS key); a token without one is only
 * accepted by the single `secret`.
 *
 * @example
 * const verifier = new TokenVerifier({ secret: process.env.JWT_SECRET });
 * const principal = await verifier.verify(token); // throws AuthError
 */
export class TokenVerifier {
  private managed: ManagedKeyLookup | undefined;
  private readonly secretKeys = new Map<string, Uint8Array<ArrayBuffer>>();
  private readonly defaultSecret?: Uint8Array<ArrayBuffer>;
  /** The secrets as HMAC keys, imported once each (see {@link hmacKey}). */
  private readonly secretCryptoKeys = new WeakMap<Uint8Array<ArrayBuffer>, Promise<CryptoKey>>();
  private readonly jwks?: JWTVerifyGetKey;
  private algorithms: string[];
  /** What the JWKS URL's keys may sign with: managed keys' algorithms do not widen it. */
  private readonly jwksAlgorithms: ReadonlySet<string>;
  /** Principals with equal permissions share one frozen copy of them (see SharedPermissions). */
  private readonly permissions = new SharedPermissions();

  constructor(private readonly options: AuthOptions) {
    const encoder = new TextEncoder();
    for (const [kid, secret] of Object.entries(options.secrets ?? {})) this.secretKeys.set(kid, encoder.encode(secret));
    if (options.secret !== undefined) this.defaultSecret = encoder.encode(options.secret);
    const hasSecrets = this.secretKeys.size > 0 || this.defaultSecret !== undefined;
    const algorithms = hasSecrets ? [SECRET_ALGORITHM] : [];
    this.jwksAlgorithms = new Set(options.jwksUrl === undefined ? [] : (options.jwksAlgorithms ?? DEFAULT_JWKS_ALGORITHMS));
    if (options.jwksUrl !== undefined) {
      this.jwks = createRemoteJWKSet(new URL(options.jwksUrl));
      algorithms.push(...this.jwksAlgorithms);
    }
    if (algorithms.length === 0) throw new Error('TokenVerifier needs a secret, secrets or a JWKS URL');
    this.algorithms = algorithms;
  }

  /**
   * Accepts tokens signed by the platform's managed keys too (a `kid` of an active key, with that
   * key's algorithm), beside the configured ones.
   */
  useManagedKeys(keys: ManagedKeyLookup): void {
    this.managed = keys;
    this.algorithms = [...new Set([...this.algorithms, ...MANAGED_KEY_ALGORITHMS])];
  }

  /**
   * Verifies signature, algorithm, `exp` (required), `sub` (required) and, when configured, `iss`
   * and `aud`. Rejects with `AuthError` (`TOKEN_EXPIRED` or `AUTH_FAILED`), or `UnavailableError`
   * when the JWKS endpoint cannot be reached.
   */
  async verify(token: unknown): Promise<Principal> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new AuthError('AUTH_FAILED', 'A token is required');
    }
    try {
      const { payload } = await jwtVerify(token, this.resolveKey, {
        algorithms: this.algorithms,
        requiredClaims: ['exp', 'sub'],
        ...(this.options.issuer === undefined ? {} : { issuer: this.options.issuer }),
        ...(this.options.audience === undefined ? {} : { audience: this.options.audience }),
        clockTolerance: this.options.clockToleranceSeconds ?? 0,
      });
      return this.permissions.share(principalFromClaims(payload as RealtimeClaims));
    } catch (err) {
      throw toAuthError(err);
    }
  }

  private readonly resolveKey = async (header: JWTHeaderParameters, input: FlattenedJWSInput): Promise<Awaited<ReturnType<JWTVerifyGetKey>>> => {
    if (this.managed !== undefined && header.kid !== undefined && !this.secretKeys.has(header.kid)) {
      const managed = await this.managed.verificationKey(header.kid, String(header.alg));
      if (managed !== undefined) return managed;
      if (header.alg !== SECRET_ALGORITHM && this.jwks === undefined) throw new AuthError('AUTH_FAILED', 'Unknown token key id (kid)');
    }
    if (header.alg === SECRET_ALGORITHM) {
      if (this.defaultSecret === undefined && this.secretKeys.size === 0) throw new AuthError('AUTH_FAILED', 'Unknown token key id (kid)');
      const key = header.kid === undefined ? this.defaultSecret : this.secretKeys.get(header.kid);
      if (key === undefined) {
        throw new AuthError('AUTH_FAILED', header.kid === undefined ? 'Token has no kid and no default secret is configured' : 'Unknown token key id (kid)');
      }
      return this.secretCryptoKey(key);
    }
    if (this.jwks === undefined || !this.jwksAlgorithms.has(String(header.alg)))
      throw new AuthError('AUTH_FAILED', `Algorithm ${String(header.alg)} is not accepted`);
    return this.jwks(header, input);
  };

  private secretCryptoKey(secret: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
    let key = this.secretCryptoKeys.get(secret);
    if (key === undefined) {
      key = hmacKey(secret, ['verify']);
      this.secretCryptoKeys.set(secret, key);
    }
    return key;
  }
}

function toAuthError(err: unknown): AuthError | UnavailableError {
  if (err instanceof AuthError) return err;
  if (err instanceof joseErrors.JWTExpired) return new AuthError('TOKEN_EXPIRED', 'Token has expired');
  if (err instanceof joseErrors.JWKSTimeout) {
    return new UnavailableError('Token keys (JWKS) could not be fetched in time', { cause: err });
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return new AuthError('AUTH_FAILED', `Token claim "${err.claim}" is invalid: ${err.reason}`);
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return new AuthError('AUTH_FAILED', 'Token algorithm is not accepted');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new AuthError('AUTH_FAILED', 'Token signature is invalid');
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) return new AuthError('AUTH_FAILED', 'No JWKS key matches the token');
  if (err instanceof joseErrors.JOSEError) return new AuthError('AUTH_FAILED', 'Token is malformed or invalid');
  if (err instanceof TypeError) return new AuthError('AUTH_FAILED', 'Token is malformed');
  // Network failures reaching the JWKS endpoint.
  return new UnavailableError('Token could not be verified', { cause: err });
}
