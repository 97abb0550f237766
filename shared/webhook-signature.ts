/**
 * The Standard Webhooks symmetric signature scheme (https://www.standardwebhooks.com/), shared by
 * the server (which signs deliveries) and the client package's `WebhookReceiver` (which verifies
 * them), so that both sides run the same code.
 *
 * - Secrets are `whsec_<base64>`; the HMAC key is the base64-decoded bytes.
 * - The signed content is `{webhook-id}.{webhook-timestamp}.{body}`, the timestamp in whole seconds
 *   and the body as the exact bytes sent.
 * - `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>`: one per secret, so
 *   that a receiver holding either the old or the new secret verifies during a rotation.
 *
 * Two ways to compute: Web Crypto (`globalThis.crypto.subtle`, in Node.js, Deno, Bun, workers and
 * browsers; asynchronous) for signing and for `WebhookReceiver.verifyAsync()`, and a synchronous
 * HMAC (`hmac-sha256.ts`: `node:crypto` on Node.js, a compact SHA-256 elsewhere) for
 * {@link verifyWebhookSignatureSync} and `WebhookReceiver.verify()`, which the reference SDK
 * documents as synchronous. Both compare in constant time.
 */
import { InvalidArgumentError, UnavailableError } from './errors.js';
import { constantTimeEqual, hmacSha256 } from './hmac-sha256.js';

/** The prefix of symmetric Standard Webhooks secrets. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** The fewest key bytes the Standard Webhooks specification allows (192 bits). */
export const MIN_WEBHOOK_SECRET_BYTES = 24;

/** The most key bytes the platform accepts for an endpoint secret. */
export const MAX_WEBHOOK_SECRET_BYTES = 64;

/** The version tag of symmetric (HMAC-SHA256) signatures. */
export const WEBHOOK_SIGNATURE_VERSION = 'v1';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const encoder = new TextEncoder();

/**
 * The HMAC key bytes of a `whsec_<base64>` secret (a bare base64 secret is accepted too, as the
 * Standard Webhooks libraries do).
 *
 * @throws InvalidArgumentError when the secret is empty or not base64.
 * @example
 * decodeWebhookSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').length; // 24
 */
export function decodeWebhookSecret(secret: string): Uint8Array<ArrayBuffer> {
  if (typeof secret !== 'string') throw new InvalidArgumentError('A webhook secret must be a string such as "whsec_..."');
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const bytes = decodeBase64(encoded);
  if (bytes === undefined || bytes.length === 0) {
    throw new InvalidArgumentError('A webhook secret must be "whsec_" followed by base64-encoded key bytes');
  }
  return bytes;
}

/**
 * Encodes key bytes as a `whsec_<base64>` secret.
 *
 * @example
 * encodeWebhookSecret(crypto.getRandomValues(new Uint8Array(32))); // 'whsec_...'
 */
export function encodeWebhookSecret(key: Uint8Array): string {
  return `${WEBHOOK_SECRET_PREFIX}${encodeBase64(key)}`;
}

/**
 * The `webhook-signature` header value: `v1,<base64>` for each key, space-separated.
 *
 * @example
 * const header = await signWebhook([decodeWebhookSecret(secret)], 'msg_1', 1614265330, body);
 */
export async function signWebhook(keys: readonly Uint8Array[], id: string, timestampSeconds: number, body: string | Uint8Array): Promise<string> {
  const subtle = webCrypto();
  const content = signedContent(id, String(timestampSeconds), body);
  const signatures = await Promise.all(
    keys.map(async (key) => {
      const cryptoKey = await subtle.importKey('raw', copyBytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const mac = new Uint8Array(await subtle.sign('HMAC', cryptoKey, content));
      return `${WEBHOOK_SIGNATURE_VERSION},${encodeBase64(mac)}`;
    }),
  );
  return signatures.join(' ');
}

/**
 * Whether any `v1` signature in a `webhook-signature` header is valid for `key` over
 * `{id}.{timestamp}.{body}`. Other versions (`v1a`, ...) and malformed entries are skipped.
 *
 * @example
 * if (!(await verifyWebhookSignature(key, id, timestamp, rawBody, signatureHeader))) reject();
 */
export async function verifyWebhookSignature(
  key: Uint8Array,
  id: string,
  timestamp: string,
  body: string | Uint8Array,
  signatureHeader: string,
): Promise<boolean> {
  const candidates = signatureCandidates(signatureHeader);
  if (candidates.length === 0) return false;
  const subtle = webCrypto();
  const cryptoKey = await subtle.importKey('raw', copyBytes(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const content = signedContent(id, timestamp, body);
  for (const candidate of candidates) {
    // subtle.verify compares in constant time.
    if (await subtle.verify('HMAC', cryptoKey, candidate, content)) return true;
  }
  return false;
}

/**
 * The same check as {@link verifyWebhookSignature}, synchronously (see `hmac-sha256.ts`).
 *
 * @example
 * if (!verifyWebhookSignatureSync(key, id, timestamp, rawBody, signatureHeader)) reject();
 */
export function verifyWebhookSignatureSync(key: Uint8Array, id: string, timestamp: string, body: string | Uint8Array, signatureHeader: string): boolean {
  const candidates = signatureCandidates(signatureHeader);
  if (candidates.length === 0) return false;
  const expected = hmacSha256(key, signedContent(id, timestamp, body));
  let matched = false;
  // Every candidate is compared, so the time taken does not tell which one matched.
  for (const candidate of candidates) if (constantTimeEqual(expected, candidate)) matched = true;
  return matched;
}

/** The decoded `v1` signatures of a `webhook-signature` header; other versions and junk skipped. */
function signatureCandidates(signatureHeader: string): Uint8Array<ArrayBuffer>[] {
  return signatureHeader
    .split(' ')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(`${WEBHOOK_SIGNATURE_VERSION},`))
    .map((entry) => decodeBase64(entry.slice(WEBHOOK_SIGNATURE_VERSION.length + 1)))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== undefined && bytes.length > 0);
}

function signedContent(id: string, timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const payload = typeof body === 'string' ? encoder.encode(body) : body;
  const content = new Uint8Array(prefix.length + payload.length);
  content.set(prefix, 0);
  content.set(payload, prefix.length);
  return content;
}

function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function webCrypto(): SubtleCrypto {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) {
    throw new UnavailableError('Web Crypto (globalThis.crypto.subtle) is not available in this runtime; use Node.js >= 20');
  }
  return subtle;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(encoded: string): Uint8Array<ArrayBuffer> | undefined {
  if (!BASE64.test(encoded)) return undefined;
  try {
    const binary = atob(encoded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}
