/**
 * Synchronous HMAC-SHA256 (RFC 2104 over FIPS 180-4 SHA-256) for `WebhookReceiver.verify()`, which
 * the reference SDK documents as synchronous (`const { event } = receiver.verify(body, headers)`).
 *
 * Why both a built-in and a hand-written hash: Web Crypto's HMAC is asynchronous only. On Node.js
 * (>= 20.16) the audited `node:crypto` does the work, reached through
 * `process.getBuiltinModule()` at run time, so no import of a Node built-in enters the browser
 * bundle. Elsewhere (Deno, Bun, workers without it) the compact SHA-256 below does, checked
 * against `node:crypto` on random inputs and against the NIST and Standard Webhooks vectors in the
 * tests. `verifyAsync()` uses Web Crypto for runtimes that prefer it.
 */

/** The parts of `node:crypto` used here. */
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } };
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

const BLOCK_BYTES = 64;

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes (FIPS 180-4 §4.2.2).
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// The first 32 bits of the fractional parts of the square roots of the first 8 primes (§5.3.3).
const INITIAL_HASH = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/**
 * SHA-256 of `data`, in pure TypeScript (no platform API).
 *
 * @example
 * sha256(new TextEncoder().encode('abc')); // ba7816bf 8f01cfea ... (32 bytes)
 */
export function sha256(data: Uint8Array): Uint8Array {
  // Padding (§5.1.1): a 1 bit, zeros, and the length in bits as a 64-bit big-endian number.
  const blocks = Math.ceil((data.length + 9) / BLOCK_BYTES);
  const padded = new Uint8Array(blocks * BLOCK_BYTES);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000), false);
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0, false);

  const hash = Int32Array.from(INITIAL_HASH);
  const w = new Int32Array(64);
  for (let offset = 0; offset < padded.length; offset += BLOCK_BYTES) {
    for (let t = 0; t < 16; t += 1) w[t] = view.getInt32(offset + t * 4, false);
    for (let t = 16; t < 64; t += 1) {
      const w15 = w[t - 15]!;
      const w2 = w[t - 2]!;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, h] = hash as unknown as [number, number, number, number, number, number, number, number];
    for (let t = 0; t < 64; t += 1) {
      const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + w[t]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    hash[0] = (hash[0]! + a) | 0;
    hash[1] = (hash[1]! + b) | 0;
    hash[2] = (hash[2]! + c) | 0;
    hash[3] = (hash[3]! + d) | 0;
    hash[4] = (hash[4]! + e) | 0;
    hash[5] = (hash[5]! + f) | 0;
    hash[6] = (hash[6]! + g) | 0;
    hash[7] = (hash[7]! + h) | 0;
  }
  const digest = new Uint8Array(32);
  const out = new DataView(digest.buffer);
  for (let i = 0; i < 8; i += 1) out.setInt32(i * 4, hash[i]!, false);
  return digest;
}

/**
 * HMAC-SHA256 of `message` under `key` (RFC 2104), in pure TypeScript.
 *
 * @example
 * hmacSha256Portable(key, new TextEncoder().encode('msg_1.1614265330.{}')); // 32 bytes
 */
export function hmacSha256Portable(key: Uint8Array, message: Uint8Array): Uint8Array {
  const block = new Uint8Array(BLOCK_BYTES);
  block.set(key.length > BLOCK_BYTES ? sha256(key) : key);
  const inner = new Uint8Array(BLOCK_BYTES + message.length);
  const outer = new Uint8Array(BLOCK_BYTES + 32);
  for (let i = 0; i < BLOCK_BYTES; i += 1) {
    inner[i] = block[i]! ^ 0x36;
    outer[i] = block[i]! ^ 0x5c;
  }
  inner.set(message, BLOCK_BYTES);
  outer.set(sha256(inner), BLOCK_BYTES);
  return sha256(outer);
}

/**
 * HMAC-SHA256, synchronously: `node:crypto` where the runtime offers it, else
 * {@link hmacSha256Portable}.
 *
 * @example
 * const mac = hmacSha256(key, content);
 */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const crypto = nodeCrypto();
  return crypto === undefined ? hmacSha256Portable(key, message) : crypto.createHmac('sha256', key).update(message).digest();
}

/**
 * Whether two byte arrays are equal, in time that depends on their length only (never on where
 * they first differ), so that comparing a forged MAC reveals nothing about the real one.
 *
 * @example
 * if (!constantTimeEqual(expected, candidate)) reject();
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const crypto = nodeCrypto();
  if (crypto !== undefined) return crypto.timingSafeEqual(a, b);
  let difference = 0;
  for (let i = 0; i < a.length; i += 1) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

let cached: NodeCrypto | null | undefined;

/** `node:crypto` through `process.getBuiltinModule` (Node.js >= 20.16), or undefined elsewhere. */
function nodeCrypto(): NodeCrypto | undefined {
  if (cached === undefined) {
    const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    let found: unknown;
    try {
      found = process?.getBuiltinModule?.('node:crypto');
    } catch {
      found = undefined;
    }
    const usable = typeof found === 'object' && found !== null && typeof (found as NodeCrypto).createHmac === 'function';
    cached = usable ? (found as NodeCrypto) : null;
  }
  return cached ?? undefined;
}

function rotr(value: number, bits: number): number {
  return (value >>> bits) | (value << (32 - bits));
}
