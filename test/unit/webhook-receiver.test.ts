import { describe, expect, it } from 'vitest';
import {
  RealtimeError,
  WebhookReceiver,
  WebhookVerificationError,
  WebhookVerificationReason,
  verifyWebhook,
} from '../../client/index.js';
import { decodeWebhookSecret, encodeWebhookSecret, signWebhook, type RealtimeEvent } from '../../shared/index.js';

const SECRET = encodeWebhookSecret(new Uint8Array(32).map((_, i) => 255 - i));
const NOW = 1_750_000_000_000;

const event: RealtimeEvent = {
  id: '01JTESTEVENT0000000000000',
  topic: 'orders.created',
  source: 'api',
  type: 'order.created',
  payload: { orderId: 7 },
  metadata: { timestamp: NOW - 10, realm: 'demo' },
};

async function signed(options: { id?: string; at?: number; body?: string; secret?: string } = {}) {
  const id = options.id ?? event.id;
  const timestamp = Math.floor((options.at ?? NOW) / 1000);
  const body = options.body ?? JSON.stringify(event);
  const signature = await signWebhook([decodeWebhookSecret(options.secret ?? SECRET)], id, timestamp, body);
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature } };
}

const receiver = (options: { now?: number; toleranceMs?: number; maxRememberedMessages?: number } = {}) =>
  new WebhookReceiver(SECRET, {
    now: () => options.now ?? NOW,
    ...(options.toleranceMs === undefined ? {} : { toleranceMs: options.toleranceMs }),
    ...(options.maxRememberedMessages === undefined ? {} : { maxRememberedMessages: options.maxRememberedMessages }),
  });

async function reason(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(err).toBeInstanceOf(WebhookVerificationError);
  return (err as WebhookVerificationError).reason;
}

describe('WebhookReceiver', () => {
  it('returns the event, its id and the attempt timestamp (ms)', async () => {
    const { body, headers } = await signed();
    expect(await receiver().verify(body, headers)).toEqual({ event, id: event.id, timestamp: Math.floor(NOW / 1000) * 1000 });
  });

  it('reads Node, Fetch and mixed-case headers, and string, Buffer, Uint8Array or ArrayBuffer bodies', async () => {
    const { body, headers } = await signed();
    const bytes = new TextEncoder().encode(body);
    const variants: [unknown, unknown][] = [
      [Buffer.from(body), headers],
      [bytes, new Headers(headers)],
      [bytes.buffer, { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'Webhook-Signature': [headers['webhook-signature']] }],
    ];
    for (const [rawBody, headerObject] of variants) {
      const result = await receiver().verify(rawBody as Uint8Array, headerObject as Headers);
      expect(result.event).toEqual(event);
    }
  });

  it('names each failure', async () => {
    const { body, headers } = await signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      const err = await receiver().verify(body, rest).catch((error: unknown) => error as WebhookVerificationError);
      expect(err).toMatchObject({ reason: 'MISSING_HEADER', details: { reason: 'MISSING_HEADER', header: name } });
      expect(await reason(receiver().verify(body, { ...headers, [name]: ' ' }))).toBe('MISSING_HEADER');
    }
    expect(await reason(receiver().verify(body, { ...headers, 'webhook-timestamp': 'yesterday' }))).toBe('INVALID_HEADER');
    expect(await reason(receiver().verify(body, { ...headers, 'webhook-id': ['a', 'b'] }))).toBe('INVALID_HEADER');
    expect(await reason(receiver().verify(body.replace('7', '8'), headers))).toBe('INVALID_SIGNATURE');
    expect(await reason(receiver().verify(body, { ...headers, 'webhook-id': 'other' }))).toBe('INVALID_SIGNATURE');
    const forged = await signed({ secret: encodeWebhookSecret(new Uint8Array(32)) });
    expect(await reason(receiver().verify(forged.body, forged.headers))).toBe('INVALID_SIGNATURE');
    expect(await reason(receiver().verify(JSON.parse(body) as string, headers))).toBe('INVALID_PAYLOAD');
    const notJson = await signed({ body: 'hello' });
    expect(await reason(receiver().verify(notJson.body, notJson.headers))).toBe('INVALID_PAYLOAD');
    const array = await signed({ body: '[1]' });
    expect(await reason(receiver().verify(array.body, array.headers))).toBe('INVALID_PAYLOAD');
  });

  it('enforces the tolerance both ways (default 5 minutes)', async () => {
    const old = await signed({ at: NOW - 301_000 });
    expect(await reason(receiver().verify(old.body, old.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const future = await signed({ at: NOW + 301_000 });
    expect(await reason(receiver().verify(future.body, future.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const recent = await signed({ at: NOW - 299_000 });
    await receiver().verify(recent.body, recent.headers);
    const strict = await signed({ at: NOW - 31_000 });
    expect(await reason(receiver({ toleranceMs: 30_000 }).verify(strict.body, strict.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
  });

  it('rejects a replayed message, but lets a retry (same id, new timestamp) through', async () => {
    const verifier = receiver();
    const first = await signed({ at: NOW - 5000 });
    await verifier.verify(first.body, first.headers);
    expect(await reason(verifier.verify(first.body, first.headers))).toBe('REPLAYED');
    // Concurrent copies: only one passes.
    const copy = await signed({ at: NOW - 4000 });
    const outcomes = await Promise.allSettled([verifier.verify(copy.body, copy.headers), verifier.verify(copy.body, copy.headers)]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const retry = await signed({ at: NOW });
    expect((await verifier.verify(retry.body, retry.headers)).id).toBe(event.id);
    // A forged copy is not remembered, so it cannot block the real message.
    const forged = await signed({ id: 'evt_x', secret: encodeWebhookSecret(new Uint8Array(32)) });
    await expect(verifier.verify(forged.body, forged.headers)).rejects.toThrow();
    const real = await signed({ id: 'evt_x' });
    await verifier.verify(real.body, real.headers);
  });

  it('forgets messages beyond maxRememberedMessages, oldest first', async () => {
    const verifier = receiver({ maxRememberedMessages: 2 });
    const messages = await Promise.all(['a', 'b', 'c'].map((id) => signed({ id })));
    for (const message of messages) await verifier.verify(message.body, message.headers);
    await verifier.verify(messages[0]!.body, messages[0]!.headers); // forgotten: passes again
    expect(await reason(verifier.verify(messages[2]!.body, messages[2]!.headers))).toBe('REPLAYED');
  });

  it('throws a typed error: name, INVALID_ARGUMENT (HTTP 400), reason', async () => {
    const { body, headers } = await signed();
    const err = (await receiver()
      .verify(body, { ...headers, 'webhook-signature': 'v1,AAAA' })
      .catch((error: unknown) => error)) as WebhookVerificationError;
    expect(err).toBeInstanceOf(RealtimeError);
    expect(err.name).toBe('WebhookVerificationError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.status).toBe(400);
    expect(err.reason).toBe(WebhookVerificationReason.INVALID_SIGNATURE);
    expect(err.toJSON()).toMatchObject({ code: 'INVALID_ARGUMENT', details: { reason: 'INVALID_SIGNATURE', header: 'webhook-signature' } });
  });

  it('validates its secret and options at construction', () => {
    expect(() => new WebhookReceiver('your-webhook-secret!')).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }));
    expect(() => new WebhookReceiver(SECRET, { toleranceMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new WebhookReceiver(SECRET, { maxRememberedMessages: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('verifyWebhook() verifies once, without replay memory', async () => {
    const { body, headers } = await signed({ at: Date.now() });
    expect((await verifyWebhook(body, headers, SECRET)).event).toEqual(event);
    expect((await verifyWebhook(body, headers, SECRET)).event).toEqual(event);
  });
});
