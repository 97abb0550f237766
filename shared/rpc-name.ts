/**
 * RPC names, as deepstream spells them: `/`-separated segments of letters, digits and `_ . : -`
 * (`'add-two'`, `'math/multiply'`), at most {@link MAX_RPC_NAME_LENGTH} characters. No `*`: a
 * name is never a pattern (permissions match names by pattern, as `rpc/<name>`).
 *
 * @example
 * RPC_NAME_PATTERN.test('math/multiply'); // true
 */
export const RPC_NAME_PATTERN = /^[A-Za-z0-9_.:-]+(?:\/[A-Za-z0-9_.:-]+)*$/;

/** The longest RPC name. */
export const MAX_RPC_NAME_LENGTH = 128;

/**
 * Names a stream can be listened for (a topic, or a record name such as `user/lisa`), and listen
 * patterns over them: the same characters as an RPC name plus `*`, which follows the platform's
 * id patterns (see `shared/id-pattern.ts`: linear-time, never a regular expression).
 *
 * @example
 * LISTEN_PATTERN_PATTERN.test('news.*'); // true
 */
export const LISTEN_PATTERN_PATTERN = /^[A-Za-z0-9_.:*-]+(?:\/[A-Za-z0-9_.:*-]+)*$/;

/** A stream name that can be listened for: a topic, or a record name (`/`-separated). */
export const LISTEN_NAME_PATTERN = RPC_NAME_PATTERN;

/** The longest listen pattern or listened name. */
export const MAX_LISTEN_PATTERN_LENGTH = 200;
