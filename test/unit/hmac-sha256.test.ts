import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { constantTimeEqual, hmacSha256, hmacSha256Portable, sha256 } from '../../shared/hmac-sha256.js';
import { decodeWebhookSecret, verifyWebhookSignatureSync } from '../../shared/index.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// The Standard Webhooks reference libraries' vector (libraries/javascript/src/webhook.test.ts).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('SHA-256 and HMAC-SHA256 in pure TypeScript (shared/hmac-sha256.ts)', () => {
  it('reproduces the FIPS 180-4 examples', () => {
    expect(hex(sha256(text('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256(text('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(hex(sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('reproduces RFC 4231 test cases 1, 2 and 6 (a key longer than a block)', () => {
    expect(hex(hmacSha256Portable(new Uint8Array(20).fill(0x0b), text('Hi There')))).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(hex(hmacSha256Portable(text('Jefe'), text('what do ya want for nothing?')))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(hex(hmacSha256Portable(new Uint8Array(131).fill(0xaa), text('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('agrees with node:crypto on random keys and messages, block boundaries included', () => {
    const bytes = (max: number) => fc.uint8Array({ maxLength: max });
    const lengths = fc.oneof(
      bytes(300),
      fc.constantFrom(55, 56, 63, 64, 65, 119, 120, 128).map((n) => new Uint8Array(n).fill(7)),
    );
    fc.assert(
      fc.property(bytes(200), lengths, (key, message) => {
        expect(hex(sha256(message))).toBe(createHash('sha256').update(message).digest('hex'));
        const expected = createHmac('sha256', key).update(message).digest('hex');
        expect(hex(hmacSha256Portable(key, message))).toBe(expected);
        expect(hex(hmacSha256(key, message))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('compares in constant time, by length first', () => {
    expect(constantTimeEqual(text('abc'), text('abc'))).toBe(true);
    expect(constantTimeEqual(text('abc'), text('abd'))).toBe(false);
    expect(constantTimeEqual(text('abc'), text('ab'))).toBe(false);
  });

  it('verifies the Standard Webhooks vector synchronously', () => {
    const key = decodeWebhookSecret(VECTOR.secret);
    const content = text(`${VECTOR.id}.${VECTOR.timestamp}.${VECTOR.body}`);
    expect(`v1,${Buffer.from(hmacSha256Portable(key, content)).toString('base64')}`).toBe(VECTOR.signature);
    expect(verifyWebhookSignatureSync(key, VECTOR.id, VECTOR.timestamp, VECTOR.body, VECTOR.signature)).toBe(true);
    expect(verifyWebhookSignatureSync(key, VECTOR.id, VECTOR.timestamp, VECTOR.body.replace('2', '3'), VECTOR.signature)).toBe(false);
    expect(verifyWebhookSignatureSync(key, VECTOR.id, VECTOR.timestamp, VECTOR.body, `v1a,x ${VECTOR.signature}`)).toBe(true);
  });
});

describe('WebhookReceiver.verify without node:crypto (Deno, Bun, workers)', () => {
  const process = globalThis.process as { getBuiltinModule?: unknown };
  const original = process.getBuiltinModule;
  afterAll(() => {
    process.getBuiltinModule = original;
    vi.resetModules();
  });

  it('verifies with the pure-TypeScript HMAC, and still refuses forgeries', async () => {
    process.getBuiltinModule = undefined;
    vi.resetModules();
    const { WebhookReceiver, WebhookVerificationError } = await import('../../client/index.js');
    // A fresh module instance, which looked for node:crypto after it went away.
    expect((await import('../../shared/hmac-sha256.js')).hmacSha256).not.toBe(hmacSha256);
    const headers = { 'webhook-id': VECTOR.id, 'webhook-timestamp': VECTOR.timestamp, 'webhook-signature': VECTOR.signature };
    const receiver = new WebhookReceiver(VECTOR.secret, { now: () => Number(VECTOR.timestamp) * 1000 });
    expect(receiver.verify(VECTOR.body, headers).event).toEqual({ test: 2432232314 });
    expect(() => receiver.verify(VECTOR.body.replace('4', '5'), headers)).toThrow(WebhookVerificationError);
  });
});
