import { describe, expect, it } from 'vitest';
import { RealtimeError, WebhookReceiver, WebhookVerificationError, WebhookVerificationReason, verifyWebhook, verifyWebhookAsync } from '../../client/index.js';
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

/** The reason `verify` throws with (it throws synchronously, as the reference SDK documents). */
function reason(verify: () => unknown): string {
  let caught: unknown;
  try {
    verify();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WebhookVerificationError);
  return (caught as WebhookVerificationError).reason;
}

describe('WebhookReceiver', () => {
  it('returns the event, its id and the attempt timestamp (ms)', async () => {
    const { body, headers } = await signed();
    expect(receiver().verify(body, headers)).toEqual({ event, id: event.id, timestamp: Math.floor(NOW / 1000) * 1000 });
  });

  it('verifies synchronously, as the reference documents: a try/catch around it catches a forgery', async () => {
    const genuine = await signed();
    const forged = await signed({ secret: encodeWebhookSecret(new Uint8Array(32)) });
    // Exactly the reference's snippet: `const { event } = receiver.verify(rawBody, headers);`
    const handle = (rawBody: string, headers: Record<string, string>): unknown => {
      try {
        const { event: verified } = receiver().verify(rawBody, headers);
        return verified;
      } catch (err) {
        return err;
      }
    };
    expect(handle(genuine.body, genuine.headers)).toEqual(event);
    expect(handle(forged.body, forged.headers)).toMatchObject({ name: 'WebhookVerificationError', reason: 'INVALID_SIGNATURE' });
    expect(receiver().verify(genuine.body, genuine.headers)).not.toBeInstanceOf(Promise);
  });

  it('offers verifyAsync (Web Crypto), with the same answers as a promise', async () => {
    const genuine = await signed();
    const forged = await signed({ secret: encodeWebhookSecret(new Uint8Array(32)) });
    await expect(receiver().verifyAsync(genuine.body, genuine.headers)).resolves.toEqual(receiver().verify(genuine.body, genuine.headers));
    // Every failure is a rejection, never a synchronous throw.
    const rejected = receiver().verifyAsync(forged.body, {});
    await expect(rejected).rejects.toMatchObject({ reason: 'MISSING_HEADER' });
    await expect(receiver().verifyAsync(forged.body, forged.headers)).rejects.toMatchObject({ reason: 'INVALID_SIGNATURE' });
    // Replay protection holds across concurrent async verifications: only one passes.
    const verifier = receiver();
    const outcomes = await Promise.allSettled([verifier.verifyAsync(genuine.body, genuine.headers), verifier.verifyAsync(genuine.body, genuine.headers)]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(reason(() => verifier.verify(genuine.body, genuine.headers))).toBe('REPLAYED');
  });

  it('reads Node, Fetch and mixed-case headers, and string, Buffer, Uint8Array or ArrayBuffer bodies', async () => {
    const { body, headers } = await signed();
    const bytes = new TextEncoder().encode(body);
    const variants: [unknown, unknown][] = [
      [Buffer.from(body), headers],
      [bytes, new Headers(headers)],
      [
        bytes.buffer,
        { 'Webhook-Id': headers['webhook-id'], 'WEBHOOK-TIMESTAMP': headers['webhook-timestamp'], 'Webhook-Signature': [headers['webhook-signature']] },
      ],
    ];
    for (const [rawBody, headerObject] of variants) {
      const result = receiver().verify(rawBody as Uint8Array, headerObject as Headers);
      expect(result.event).toEqual(event);
    }
  });

  it('names each failure', async () => {
    const { body, headers } = await signed();
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const { [name]: _dropped, ...rest } = headers;
      expect(() => receiver().verify(body, rest)).toThrow(
        expect.objectContaining({ reason: 'MISSING_HEADER', details: { reason: 'MISSING_HEADER', header: name } }),
      );
      expect(reason(() => receiver().verify(body, { ...headers, [name]: ' ' }))).toBe('MISSING_HEADER');
    }
    expect(reason(() => receiver().verify(body, { ...headers, 'webhook-timestamp': 'yesterday' }))).toBe('INVALID_HEADER');
    expect(reason(() => receiver().verify(body, { ...headers, 'webhook-id': ['a', 'b'] }))).toBe('INVALID_HEADER');
    expect(reason(() => receiver().verify(body.replace('7', '8'), headers))).toBe('INVALID_SIGNATURE');
    expect(reason(() => receiver().verify(body, { ...headers, 'webhook-id': 'other' }))).toBe('INVALID_SIGNATURE');
    const forged = await signed({ secret: encodeWebhookSecret(new Uint8Array(32)) });
    expect(reason(() => receiver().verify(forged.body, forged.headers))).toBe('INVALID_SIGNATURE');
    expect(reason(() => receiver().verify(JSON.parse(body) as string, headers))).toBe('INVALID_PAYLOAD');
    const notJson = await signed({ body: 'hello' });
    expect(reason(() => receiver().verify(notJson.body, notJson.headers))).toBe('INVALID_PAYLOAD');
    const array = await signed({ body: '[1]' });
    expect(reason(() => receiver().verify(array.body, array.headers))).toBe('INVALID_PAYLOAD');
  });

  it('enforces the tolerance both ways (default 5 minutes)', async () => {
    const old = await signed({ at: NOW - 301_000 });
    expect(reason(() => receiver().verify(old.body, old.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const future = await signed({ at: NOW + 301_000 });
    expect(reason(() => receiver().verify(future.body, future.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    const recent = await signed({ at: NOW - 299_000 });
    receiver().verify(recent.body, recent.headers);
    const strict = await signed({ at: NOW - 31_000 });
    expect(reason(() => receiver({ toleranceMs: 30_000 }).verify(strict.body, strict.headers))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
  });

  it('rejects a replayed message, but lets a retry (same id, new timestamp) through', async () => {
    const verifier = receiver();
    const first = await signed({ at: NOW - 5000 });
    verifier.verify(first.body, first.headers);
    expect(reason(() => verifier.verify(first.body, first.headers))).toBe('REPLAYED');
    const retry = await signed({ at: NOW });
    expect(verifier.verify(retry.body, retry.headers).id).toBe(event.id);
    // A forged copy is not remembered, so it cannot block the real message.
    const forged = await signed({ id: 'evt_x', secret: encodeWebhookSecret(new Uint8Array(32)) });
    expect(() => verifier.verify(forged.body, forged.headers)).toThrow();
    const real = await signed({ id: 'evt_x' });
    verifier.verify(real.body, real.headers);
  });

  it('forgets messages beyond maxRememberedMessages, oldest first', async () => {
    const verifier = receiver({ maxRememberedMessages: 2 });
    const messages = await Promise.all(['a', 'b', 'c'].map((id) => signed({ id })));
    for (const message of messages) verifier.verify(message.body, message.headers);
    verifier.verify(messages[0]!.body, messages[0]!.headers); // forgotten: passes again
    expect(reason(() => verifier.verify(messages[2]!.body, messages[2]!.headers))).toBe('REPLAYED');
  });

  it('throws a typed error: name, INVALID_ARGUMENT (HTTP 400), reason', async () => {
    const { body, headers } = await signed();
    let err = undefined as unknown as WebhookVerificationError;
    try {
      receiver().verify(body, { ...headers, 'webhook-signature': 'v1,AAAA' });
    } catch (error) {
      err = error as WebhookVerificationError;
    }
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

  it('verifyWebhook() verifies once, without replay memory; verifyWebhookAsync() the same through Web Crypto', async () => {
    const { body, headers } = await signed({ at: Date.now() });
    expect(verifyWebhook(body, headers, SECRET).event).toEqual(event);
    expect(verifyWebhook(body, headers, SECRET).event).toEqual(event);
    expect((await verifyWebhookAsync(body, headers, SECRET)).event).toEqual(event);
    await expect(verifyWebhookAsync(body.replace('7', '8'), headers, SECRET)).rejects.toMatchObject({ reason: 'INVALID_SIGNATURE' });
  });
});
