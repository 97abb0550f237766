import { ErrorCode, RealtimeError } from '../shared/index.js';

/**
 * Why a webhook failed verification:
 * - `MISSING_HEADER`: `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent;
 * - `INVALID_HEADER`: a header is present but malformed (a timestamp that is not whole seconds, a
 *   repeated id);
 * - `TIMESTAMP_OUT_OF_TOLERANCE`: the timestamp is further than `toleranceMs` from now (either way);
 * - `INVALID_SIGNATURE`: no `v1` signature matches the secret (tampered body, wrong secret);
 * - `REPLAYED`: this exact signed message (same id and timestamp) was already verified within the
 *   tolerance window;
 * - `INVALID_PAYLOAD`: the body is not the raw text or bytes of a JSON object (e.g. it was parsed
 *   by a JSON body parser before verification).
 *
 * @example
 * if (err.reason === WebhookVerificationReason.REPLAYED) return res.sendStatus(200);
 */
export const WebhookVerificationReason = {
  MISSING_HEADER: 'MISSING_HEADER',
  INVALID_HEADER: 'INVALID_HEADER',
  TIMESTAMP_OUT_OF_TOLERANCE: 'TIMESTAMP_OUT_OF_TOLERANCE',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  REPLAYED: 'REPLAYED',
  INVALID_PAYLOAD: 'INVALID_PAYLOAD',
} as const;

export type WebhookVerificationReason = (typeof WebhookVerificationReason)[keyof typeof WebhookVerificationReason];

/**
 * Thrown by `WebhookReceiver.verify()` and `verifyWebhook()` (and their `Async` forms reject with
 * it) when a delivery cannot be trusted.
 * `reason` says why; `code` is `INVALID_ARGUMENT` (so `status` is 400, the answer a receiver
 * should give), and `details` is `{ reason }` plus the header name when one is at fault.
 *
 * @example
 * try { receiver.verify(req.body, req.headers); }
 * catch (err) { if (err instanceof WebhookVerificationError) res.status(err.status).send(err.reason); }
 */
export class WebhookVerificationError extends RealtimeError {
  override readonly name = 'WebhookVerificationError';
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string, options: { header?: string; cause?: unknown } = {}) {
    super(ErrorCode.INVALID_ARGUMENT, message, {
      details: options.header === undefined ? { reason } : { reason, header: options.header },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.reason = reason;
  }
}
