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
 * Why Web Crypto: `globalThis.crypto.subtle` exists in Node.js (>= 19), Deno, Bun, workers and
 * browsers, so nothing Node-only enters the client bundle and no hash is hand-written. Its HMAC is
 * asynchronous, hence `Promise`s here and in `WebhookReceiver.verify()`. Comparison is done by
 * `subtle.verify`, which compares in constant time.
 */
import { InvalidArgumentError, UnavailableError } from './errors.js';

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
export async function signWebhook(
  keys: readonly Uint8Array[],
  id: string,
  timestampSeconds: number,
  body: string | Uint8Array,
): Promise<string> {
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
  const candidates = signatureHeader
    .split(' ')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(`${WEBHOOK_SIGNATURE_VERSION},`))
    .map((entry) => decodeBase64(entry.slice(WEBHOOK_SIGNATURE_VERSION.length + 1)))
    .filter((bytes): bytes is Uint8Array<ArrayBuffer> => bytes !== undefined && bytes.length > 0);
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
