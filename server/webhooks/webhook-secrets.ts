import { randomBytes } from 'node:crypto';
import { MAX_WEBHOOK_SECRET_BYTES, MIN_WEBHOOK_SECRET_BYTES, WEBHOOK_SECRET_PREFIX, decodeWebhookSecret, encodeWebhookSecret } from '../../shared/index.js';
import type { StoredEndpoint, StoredSecret } from './webhook-store.js';

/** How many secrets an endpoint holds at most (the current one and those still in their grace period). */
export const MAX_ENDPOINT_SECRETS = 5;

/**
 * A new random endpoint secret: `whsec_` and 32 random bytes in base64.
 *
 * @example
 * generateWebhookSecret(); // 'whsec_0p6z...'
 */
export function generateWebhookSecret(): string {
  return encodeWebhookSecret(randomBytes(32));
}

/**
 * Why a secret a caller supplied is unusable, or `undefined` when it is fine: it must be
 * `whsec_<base64>` of 24 to 64 bytes, so that every Standard Webhooks verifier accepts it.
 *
 * @example
 * secretProblem('hunter2'); // 'secret must be "whsec_" followed by ...'
 */
export function secretProblem(secret: string): string | undefined {
  const rule = `secret must be "${WEBHOOK_SECRET_PREFIX}" followed by ${MIN_WEBHOOK_SECRET_BYTES}-${MAX_WEBHOOK_SECRET_BYTES} random bytes in base64 (omit it to have one generated)`;
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return rule;
  try {
    const bytes = decodeWebhookSecret(secret);
    return bytes.length >= MIN_WEBHOOK_SECRET_BYTES && bytes.length <= MAX_WEBHOOK_SECRET_BYTES ? undefined : rule;
  } catch {
    return rule;
  }
}

/**
 * The secrets that sign a delivery now: the current one and every rotated-out one still in its
 * grace period, newest first.
 *
 * @example
 * const keys = signingSecrets(endpoint, Date.now()).map(decodeWebhookSecret);
 */
export function signingSecrets(endpoint: Pick<StoredEndpoint, 'secrets'>, now: number): string[] {
  return endpoint.secrets.filter((secret) => secret.expiresAt === undefined || secret.expiresAt > now).map((secret) => secret.value);
}

/**
 * The secrets after a rotation: `next` becomes current; the previous ones keep signing until
 * `now + graceMs` (or their earlier expiry), expired ones are dropped, and at most
 * {@link MAX_ENDPOINT_SECRETS} are kept.
 *
 * @example
 * endpoint.secrets = rotateSecrets(endpoint.secrets, generateWebhookSecret(), Date.now(), 86_400_000);
 */
export function rotateSecrets(secrets: readonly StoredSecret[], next: string, now: number, graceMs: number): StoredSecret[] {
  const until = now + graceMs;
  const previous = secrets.map((secret) => ({ ...secret, expiresAt: Math.min(secret.expiresAt ?? until, until) })).filter((secret) => secret.expiresAt > now);
  return [{ value: next, createdAt: now }, ...previous].slice(0, MAX_ENDPOINT_SECRETS);
}

/**
 * When the last rotated-out secret stops signing, or `undefined` when only the current one signs.
 *
 * @example
 * previousSecretExpiresAt(endpoint, Date.now()); // 1795454291980
 */
export function previousSecretExpiresAt(endpoint: Pick<StoredEndpoint, 'secrets'>, now: number): number | undefined {
  let latest: number | undefined;
  for (const secret of endpoint.secrets.slice(1)) {
    if (secret.expiresAt !== undefined && secret.expiresAt > now) latest = Math.max(latest ?? 0, secret.expiresAt);
  }
  return latest;
}
