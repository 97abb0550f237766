/**
 * JSON text for fuzzed values, including what `JSON.stringify` cannot write: values nested deeper
 * than its recursion allows (about 4,000 levels here), which a peer can still send and a server's
 * `JSON.parse` still accepts, and binary parts for Socket.IO.
 */

/**
 * A value nested `depth` levels (`[[[...]]]` or `{"a":{"a":...}}`), written as text without
 * recursion. Stands in a fuzzed value wherever a real nested value would be too deep to encode.
 *
 * @example
 * encodeJson({ payload: new DeepJson(10_000, 'array') }).text; // '{"payload":[[[[...]]]]}'
 */
export class DeepJson {
  constructor(
    readonly depth: number,
    readonly shape: 'array' | 'object',
  ) {}

  /** The JSON text. */
  text(): string {
    return this.shape === 'array' ? `${'['.repeat(this.depth)}${']'.repeat(this.depth)}` : `${'{"a":'.repeat(this.depth)}{}${'}'.repeat(this.depth)}`;
  }
}

/** The JSON of a value, plus the binary parts it referred to (Socket.IO placeholders). */
export interface EncodedJson {
  text: string;
  binaries: Uint8Array[];
  /** The depth of the deepest {@link DeepJson} in the value (0 when none). */
  deepest: number;
}

/**
 * `JSON.stringify` with {@link DeepJson} written out in place, and, with `binary`, typed arrays
 * replaced by Socket.IO's `{ "_placeholder": true, "num": n }` and returned as binary parts (as
 * socket.io-client sends them). Without `binary`, typed arrays are written as JSON does.
 *
 * @example
 * encodeJson([{ a: new Uint8Array([1]) }], { binary: true }); // text with a placeholder, one binary part
 */
export function encodeJson(value: unknown, options: { binary?: boolean } = {}): EncodedJson {
  const deep: DeepJson[] = [];
  const binaries: Uint8Array[] = [];
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (inner instanceof DeepJson) {
      deep.push(inner);
      return marker(deep.length - 1);
    }
    if (options.binary === true && ArrayBuffer.isView(inner)) {
      binaries.push(new Uint8Array(inner.buffer, inner.byteOffset, inner.byteLength));
      return { _placeholder: true, num: binaries.length - 1 };
    }
    return inner;
  });
  let out = text ?? 'null';
  let deepest = 0;
  deep.forEach((value, index) => {
    out = out.replace(JSON.stringify(marker(index)), value.text());
    deepest = Math.max(deepest, value.depth);
  });
  return { text: out, binaries, deepest };
}

function marker(index: number): string {
  return `\u0000deep-json-${index}\u0000`;
}
