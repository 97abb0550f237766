import { InvalidArgumentError } from './errors.js';
import { isValidDocumentId } from './sync-document.js';

/**
 * The sync service that holds records (deepstream's named JSON documents): record `user/lisa` is
 * the document `records/user.lisa`, so every sync operation, REST route and permission
 * (`doc/records/<id>`) applies to records as they are.
 *
 * @example
 * await client.sync.get(RECORD_SERVICE, recordDocumentId('user/lisa'));
 */
export const RECORD_SERVICE = 'records';

/** Characters a record name keeps as they are in its document id. */
const KEPT = /[A-Za-z0-9-]/;

/**
 * The document id of a record name. Document ids allow `A-Z a-z 0-9 _ . -`, so the encoding is:
 * letters, digits and `-` stay, `/` becomes `.`, and every other character (`.` and `_` too)
 * becomes `_` followed by the two lowercase hex digits of each of its UTF-8 bytes. It is
 * reversible ({@link recordNameOf}), keeps the usual names readable (`user/lisa` →
 * `user.lisa`) and keeps permission patterns one segment (`doc/records/user.*`). A name whose id
 * would be longer than 128 characters, or `.`/`..` (the names `/` and `//`), or empty, is refused
 * with `InvalidArgumentError`.
 *
 * @example
 * recordDocumentId('user/lisa');       // 'user.lisa'
 * recordDocumentId('cars/vw_golf.2');  // 'cars.vw_5fgolf_2e2'
 */
export function recordDocumentId(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('A record name must be a non-empty string');
  let id = '';
  for (const char of name) {
    if (char === '/') id += '.';
    else if (KEPT.test(char)) id += char;
    else id += hexBytes(char);
  }
  if (!isValidDocumentId(id)) {
    throw new InvalidArgumentError(
      `Record name ${JSON.stringify(name.slice(0, 64))} does not fit a document id (at most 128 characters once encoded, not "/" or "//")`,
    );
  }
  return id;
}

/**
 * The record name of a document id of the `records` service (the inverse of
 * {@link recordDocumentId}); `InvalidArgumentError` for an id that no record name gives.
 *
 * @example
 * recordNameOf('user.lisa'); // 'user/lisa'
 */
export function recordNameOf(id: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < id.length; i += 1) {
    const char = id[i]!;
    if (char === '.') bytes.push(0x2f);
    else if (char === '_') {
      const hex = id.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) throw new InvalidArgumentError(`Document id ${JSON.stringify(id)} is not an encoded record name`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else bytes.push(char.charCodeAt(0));
  }
  return new TextDecoder('utf-8', { fatal: false }).decode(new Uint8Array(bytes));
}

/**
 * `_` and two lowercase hex digits for each UTF-8 byte of `char`: the escape record ids and
 * event topics share.
 *
 * @example
 * hexBytes('_'); // '_5f'
 */
export function hexBytes(char: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(char)) out += `_${byte.toString(16).padStart(2, '0')}`;
  return out;
}
