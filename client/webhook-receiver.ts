import {
  InvalidArgumentError,
  WEBHOOK_HEADERS,
  decodeWebhookSecret,
  verifyWebhookSignature,
  verifyWebhookSignatureSync,
  type RealtimeEvent,
} from '../shared/index.js';
import { WebhookVerificationError, WebhookVerificationReason } from './webhook-verification-error.js';

/**
 * Request headers as the common server frameworks give them: Node's `req.headers` (or any plain
 * object, with names in any case) or a Fetch `Headers` (`request.headers` in Next.js, Deno, Bun,
 * workers). Names are looked up case-insensitively.
 */
export type WebhookHeaders = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The raw request body: the exact bytes received (never a parsed object). */
export type WebhookRawBody = string | Uint8Array | ArrayBuffer;

/** Options of {@link WebhookReceiver} and {@link verifyWebhook}. */
export interface WebhookReceiverOptions {
  /**
   * How far `webhook-timestamp` may be from now, in ms, either way. Older (or newer) messages are
   * rejected with `TIMESTAMP_OUT_OF_TOLERANCE`; it is also how long a verified message is
   * remembered for replay protection.
   * @default 300000 (5 minutes)
   */
  toleranceMs?: number;
  /**
   * Most verified messages remembered for replay protection; beyond it the oldest are forgotten.
   * @default 10000
   */
  maxRememberedMessages?: number;
  /** The clock, Unix ms (a test seam). @default Date.now */
  now?: () => number;
}

/** The defaults of {@link WebhookReceiverOptions}. */
export const DEFAULT_WEBHOOK_RECEIVER_OPTIONS = {
  toleranceMs: 300_000,
  maxRememberedMessages: 10_000,
  now: (): number => Date.now(),
} as const satisfies Required<WebhookReceiverOptions>;

/**
 * A verified delivery: the event, the `webhook-id` (the event's id; use it as an idempotency key)
 * and the `webhook-timestamp` of this attempt in Unix ms.
 *
 * @example
 * const { event, id, timestamp } = receiver.verify(rawBody, headers);
 */
export interface WebhookEvent<P extends Record<string, unknown> = Record<string, unknown>> {
  event: RealtimeEvent<P>;
  id: string;
  timestamp: number;
}

const TIMESTAMP = /^\d{1,15}$/;

/** A delivery whose headers and timestamp passed, waiting for its signature check. */
interface CheckedDelivery {
  body: string | Uint8Array;
  id: string;
  timestampText: string;
  timestamp: number;
  signature: string;
  now: number;
}

/**
 * Verifies webhook deliveries of one endpoint secret (server-side: your backend receiving the
 * platform's webhooks). Follows Standard Webhooks, so it also verifies any Standard Webhooks
 * sender's messages.
 *
 * `verify()` is synchronous, as the reference SDK documents it: it returns the verified delivery
 * or throws, so a `try`/`catch` around it catches a forged delivery. (It uses `node:crypto` on
 * Node.js and a compact pure-TypeScript HMAC-SHA256 elsewhere; `verifyAsync()` does the same
 * through Web Crypto for runtimes that prefer it.) It checks, in order, the three headers, the
 * timestamp against `toleranceMs`, the `v1` signatures (any one may match: during a secret
 * rotation the platform signs with the old and the new secret), that the body is a JSON object,
 * and that this exact message was not verified before.
 *
 * Why replay protection keys on id *and* timestamp: a replayed capture repeats both, so it is
 * caught within the window (and rejected by the timestamp after it); a genuine retry of a delivery
 * keeps its id but carries a new timestamp and a new signature, so it passes, and your handler
 * can use `id` to skip events it already processed. Keying on the id alone would reject the
 * platform's own retries after your handler failed once.
 *
 * @example
 * const receiver = new WebhookReceiver(process.env.WEBHOOK_SECRET!);
 * app.post('/webhooks/realtime', express.text({ type: '*\/*' }), (req, res) => {
 *   try {
 *     const { event } = receiver.verify(req.body, req.headers);
 *     console.log(event.topic, event.type, event.payload);
 *     res.sendStatus(200);
 *   } catch (err) {
 *     res.sendStatus(400);
 *   }
 * });
 */
export class WebhookReceiver {
  private readonly key: Uint8Array;
  private readonly toleranceMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;
  /** Verified messages (`id.timestamp`) → when they leave the tolerance window, Unix ms. */
  private readonly seen = new Map<string, number>();

  /**
   * @param secret the endpoint's `whsec_...` secret, as returned when the endpoint was created.
   * @throws InvalidArgumentError for a secret that is not `whsec_<base64>`, or bad options.
   */
  constructor(secret: string, options: WebhookReceiverOptions = {}) {
    this.key = decodeWebhookSecret(secret);
    this.toleranceMs = options.toleranceMs ?? DEFAULT_WEBHOOK_RECEIVER_OPTIONS.toleranceMs;
    this.maxRemembered = options.maxRememberedMessages ?? DEFAULT_WEBHOOK_RECEIVER_OPTIONS.maxRememberedMessages;
    this.now = options.now ?? DEFAULT_WEBHOOK_RECEIVER_OPTIONS.now;
    if (!Number.isFinite(this.toleranceMs) || this.toleranceMs <= 0) {
      throw new InvalidArgumentError('toleranceMs must be a positive number of milliseconds');
    }
    if (!Number.isInteger(this.maxRemembered) || this.maxRemembered < 1) {
      throw new InvalidArgumentError('maxRememberedMessages must be a positive whole number');
    }
  }

  /**
   * Verifies one delivery and returns its event, synchronously.
   *
   * @param rawBody the exact request body: a string, `Buffer`, `Uint8Array` or `ArrayBuffer`
   *   (`express.text({ type: '*\/*' })`, `express.raw()`, `await request.text()`), never a parsed object.
   * @param headers the request headers (Node or Fetch style).
   * @throws WebhookVerificationError with a `reason` (see {@link WebhookVerificationReason}).
   * @example
   * try {
   *   const { event, id } = receiver.verify(req.body, req.headers);
   * } catch (err) {
   *   if (err instanceof WebhookVerificationError) res.status(400).send(err.reason);
   * }
   */
  verify<P extends Record<string, unknown> = Record<string, unknown>>(rawBody: WebhookRawBody, headers: WebhookHeaders): WebhookEvent<P> {
    const delivery = this.check(rawBody, headers);
    const valid = verifyWebhookSignatureSync(this.key, delivery.id, delivery.timestampText, delivery.body, delivery.signature);
    return this.accept<P>(delivery, valid);
  }

  /**
   * The same as {@link verify}, computing the HMAC with Web Crypto (`globalThis.crypto.subtle`),
   * for runtimes that offer only that. Rejects with the same errors.
   *
   * @example
   * const { event } = await receiver.verifyAsync(await request.text(), request.headers);
   */
  async verifyAsync<P extends Record<string, unknown> = Record<string, unknown>>(rawBody: WebhookRawBody, headers: WebhookHeaders): Promise<WebhookEvent<P>> {
    const delivery = this.check(rawBody, headers);
    const valid = await verifyWebhookSignature(this.key, delivery.id, delivery.timestampText, delivery.body, delivery.signature);
    // After the last await: the replay check and the record run without interruption, so two
    // concurrent verifications of the same message cannot both pass.
    return this.accept<P>(delivery, valid);
  }

  /** The header and timestamp checks that come before the signature. */
  private check(rawBody: WebhookRawBody, headers: WebhookHeaders): CheckedDelivery {
    const body = rawBytesOrText(rawBody);
    const id = requiredHeader(headers, WEBHOOK_HEADERS.id);
    const timestampText = requiredHeader(headers, WEBHOOK_HEADERS.timestamp);
    const signature = requiredHeader(headers, WEBHOOK_HEADERS.signature, true);
    if (!TIMESTAMP.test(timestampText)) {
      throw new WebhookVerificationError(WebhookVerificationReason.INVALID_HEADER, 'webhook-timestamp must be whole Unix seconds', {
        header: WEBHOOK_HEADERS.timestamp,
      });
    }
    const timestamp = Number(timestampText) * 1000;
    const now = this.now();
    if (Math.abs(now - timestamp) > this.toleranceMs) {
      throw new WebhookVerificationError(
        WebhookVerificationReason.TIMESTAMP_OUT_OF_TOLERANCE,
        `webhook-timestamp is ${Math.round((now - timestamp) / 1000)} s from now; at most ${this.toleranceMs / 1000} s is tolerated`,
        { header: WEBHOOK_HEADERS.timestamp },
      );
    }
    return { body, id, timestampText, timestamp, signature, now };
  }

  /** After the signature check: the body, then replay protection. */
  private accept<P extends Record<string, unknown>>(delivery: CheckedDelivery, signatureValid: boolean): WebhookEvent<P> {
    const { body, id, timestampText, timestamp, now } = delivery;
    if (!signatureValid) {
      throw new WebhookVerificationError(WebhookVerificationReason.INVALID_SIGNATURE, 'No webhook-signature matches this secret', {
        header: WEBHOOK_HEADERS.signature,
      });
    }
    const event = parseEvent<P>(body);
    this.remember(`${id}.${timestampText}`, timestamp + this.toleranceMs, now);
    return { event, id, timestamp };
  }

  private remember(message: string, expiresAt: number, now: number): void {
    const known = this.seen.get(message);
    if (known !== undefined && known > now) {
      throw new WebhookVerificationError(WebhookVerificationReason.REPLAYED, 'This webhook message was already received', {
        header: WEBHOOK_HEADERS.id,
      });
    }
    this.seen.delete(message);
    this.seen.set(message, expiresAt);
    // Forget what left the window (oldest first), and the oldest beyond the cap.
    for (const [key, until] of this.seen) {
      if (until > now && this.seen.size <= this.maxRemembered) break;
      this.seen.delete(key);
    }
  }
}

/**
 * Verifies one delivery without a receiver instance, synchronously: the headers, timestamp and
 * signature, but no replay memory across calls (keep a {@link WebhookReceiver} for that).
 *
 * @throws WebhookVerificationError with a `reason`; InvalidArgumentError for a malformed secret.
 * @example
 * const { event } = verifyWebhook(await request.text(), request.headers, process.env.WEBHOOK_SECRET!);
 */
export function verifyWebhook<P extends Record<string, unknown> = Record<string, unknown>>(
  rawBody: WebhookRawBody,
  headers: WebhookHeaders,
  secret: string,
  options?: WebhookReceiverOptions,
): WebhookEvent<P> {
  return new WebhookReceiver(secret, options).verify<P>(rawBody, headers);
}

/**
 * {@link verifyWebhook} through Web Crypto (see `WebhookReceiver.verifyAsync`).
 *
 * @example
 * const { event } = await verifyWebhookAsync(await request.text(), request.headers, secret);
 */
export function verifyWebhookAsync<P extends Record<string, unknown> = Record<string, unknown>>(
  rawBody: WebhookRawBody,
  headers: WebhookHeaders,
  secret: string,
  options?: WebhookReceiverOptions,
): Promise<WebhookEvent<P>> {
  return new WebhookReceiver(secret, options).verifyAsync<P>(rawBody, headers);
}

function rawBytesOrText(rawBody: unknown): string | Uint8Array {
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  throw new WebhookVerificationError(
    WebhookVerificationReason.INVALID_PAYLOAD,
    'rawBody must be the raw request body (string, Buffer, Uint8Array or ArrayBuffer), not a parsed object: ' +
      "use express.text({ type: '*/*' }) or express.raw() on the webhook route",
  );
}

function requiredHeader(headers: WebhookHeaders, name: string, joinRepeated = false): string {
  const value = lookup(headers, name);
  if (value === undefined || (typeof value === 'string' && value.trim() === '') || value.length === 0) {
    throw new WebhookVerificationError(WebhookVerificationReason.MISSING_HEADER, `Missing ${name} header`, { header: name });
  }
  if (typeof value === 'string') return value.trim();
  if (value.length === 1 || joinRepeated) return value.join(' ').trim();
  throw new WebhookVerificationError(WebhookVerificationReason.INVALID_HEADER, `${name} must appear once`, { header: name });
}

function lookup(headers: WebhookHeaders, name: string): string | readonly string[] | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const direct = record[name];
  if (direct !== undefined) return direct;
  for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key];
  return undefined;
}

function parseEvent<P extends Record<string, unknown>>(body: string | Uint8Array): RealtimeEvent<P> {
  let parsed: unknown;
  try {
    const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
    parsed = JSON.parse(text);
  } catch (err) {
    throw new WebhookVerificationError(WebhookVerificationReason.INVALID_PAYLOAD, 'The webhook body is not JSON', { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WebhookVerificationError(WebhookVerificationReason.INVALID_PAYLOAD, 'The webhook body is not a JSON object');
  }
  // Authentic (signed by the endpoint's secret), so its shape is the platform's RealtimeEvent.
  return parsed as RealtimeEvent<P>;
}
