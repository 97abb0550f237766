const ALPHABET = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';

/**
 * `prefix-<21 random url-safe characters>`, as Hivekit's `getId` (nanoid) makes them.
 *
 * @example
 * hivekitId('rider'); // 'rider-V1StGXR8_Z5jdHi6B-myT'
 */
export function hivekitId(prefix: string): string {
  const bytes = new Uint8Array(21);
  globalThis.crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte & 63];
  return `${prefix}-${id}`;
}
