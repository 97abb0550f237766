import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret, encodeWebhookSecret, signWebhook, verifyWebhookSignature } from '../../shared/index.js';
import { verifyWebhook } from '../../client/index.js';

// The test vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works").
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signatures (shared/webhook-signature.ts)', () => {
  it('reproduces the published test vector', async () => {
    const key = decodeWebhookSecret(VECTOR.secret);
    expect(key).toHaveLength(24);
    expect(await signWebhook([key], VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    // The same bytes as a Uint8Array body.
    expect(await signWebhook([key], VECTOR.id, VECTOR.timestamp, new TextEncoder().encode(VECTOR.body))).toBe(VECTOR.signature);
  });

  it('verifies the test vector through verifyWebhook, at its own time', async () => {
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature };
    const verified = verifyWebhook(VECTOR.body, headers, VECTOR.secret, { now: () => VECTOR.timestamp * 1000 + 1000 });
    expect(verified).toEqual({ id: VECTOR.id, timestamp: VECTOR.timestamp * 1000, event: { test: 2432232314 } });
  });

  it('agrees with node:crypto HMAC-SHA256 over "id.timestamp.body"', async () => {
    const secret = encodeWebhookSecret(new Uint8Array(32).map((_, i) => i * 7));
    const body = JSON.stringify({ text: 'héllo ✓', n: [1, 2, 3] });
    const expected = createHmac('sha256', decodeWebhookSecret(secret)).update(`evt_1.1700000000.${body}`).digest('base64');
    expect(await signWebhook([decodeWebhookSecret(secret)], 'evt_1', 1700000000, body)).toBe(`v1,${expected}`);
  });

  it('signs with several keys (rotation) and verifies with any one of them', async () => {
    const oldKey = decodeWebhookSecret(encodeWebhookSecret(new Uint8Array(32).fill(1)));
    const newKey = decodeWebhookSecret(encodeWebhookSecret(new Uint8Array(32).fill(2)));
    const header = await signWebhook([newKey, oldKey], 'evt_2', 1700000000, 'body');
    expect(header.split(' ')).toHaveLength(2);
    expect(await verifyWebhookSignature(oldKey, 'evt_2', '1700000000', 'body', header)).toBe(true);
    expect(await verifyWebhookSignature(newKey, 'evt_2', '1700000000', 'body', header)).toBe(true);
    const other = decodeWebhookSecret(encodeWebhookSecret(new Uint8Array(32).fill(3)));
    expect(await verifyWebhookSignature(other, 'evt_2', '1700000000', 'body', header)).toBe(false);
    expect(await verifyWebhookSignature(newKey, 'evt_2', '1700000001', 'body', header)).toBe(false);
    expect(await verifyWebhookSignature(newKey, 'evt_3', '1700000000', 'body', header)).toBe(false);
  });

  it('skips other versions and malformed entries', async () => {
    const key = decodeWebhookSecret(VECTOR.secret);
    const good = VECTOR.signature;
    const header = `v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg== v2,${good.slice(3)} v1,!!! ${good}`;
    expect(await verifyWebhookSignature(key, VECTOR.id, String(VECTOR.timestamp), VECTOR.body, header)).toBe(true);
    expect(await verifyWebhookSignature(key, VECTOR.id, String(VECTOR.timestamp), VECTOR.body, `v2,${good.slice(3)}`)).toBe(false);
    expect(await verifyWebhookSignature(key, VECTOR.id, String(VECTOR.timestamp), VECTOR.body, 'v1,')).toBe(false);
    expect(await verifyWebhookSignature(key, VECTOR.id, String(VECTOR.timestamp), VECTOR.body, good.slice(0, 8))).toBe(false);
  });

  it('decodes whsec_ and bare base64 secrets, and refuses others', () => {
    expect(decodeWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toEqual(decodeWebhookSecret(VECTOR.secret));
    for (const bad of ['', 'whsec_', 'whsec_not base64!', 'whsec_@@@@']) {
      expect(() => decodeWebhookSecret(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(encodeWebhookSecret(decodeWebhookSecret(VECTOR.secret))).toBe(VECTOR.secret);
  });
});
