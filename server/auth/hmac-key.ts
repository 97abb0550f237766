/**
 * An HS256 secret as a WebCrypto HMAC key (SHA-256), to import once and hand to jose.
 *
 * Why: given raw secret bytes, jose imports a key on every signature and verification (a WebCrypto
 * job each, 76 against 44 µs per `jwtVerify` here); a `CryptoKey` is used as it is.
 *
 * @example
 * const key = await hmacKey(new TextEncoder().encode(secret), ['verify']);
 */
export function hmacKey(secret: Uint8Array<ArrayBuffer>, usages: KeyUsage[]): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, usages);
}
