/**
 * A unique id as deepstream's `getUid()` makes it: the time in ms in base 36, `-`, and a random
 * base-36 string (`'mi9i6db5q-1xak1s2sfzk'`), so that ids sort roughly by creation time.
 *
 * @example
 * const id = makeUid();
 */
export function makeUid(): string {
  const random = new Uint32Array(2);
  crypto.getRandomValues(random);
  return `${Date.now().toString(36)}-${random[0]!.toString(36)}${random[1]!.toString(36)}`;
}
