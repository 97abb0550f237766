/**
 * Channel names: 1 to 128 letters, digits, `_`, `.`, `:`, `@` and `-`, and not `.` or `..`
 * (`chat:room1`, `notifications:user123`, `game.match-5`). No `/` (a channel is one segment of its
 * resource id `channel/<name>`, so a permission pattern such as `channel/chat:*` covers a family of
 * channels) and no `*` (a name is never a pattern). Names appear in URL paths and room names.
 *
 * @example
 * CHANNEL_NAME_PATTERN.test('chat:room1'); // true
 */
export const CHANNEL_NAME_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9_.:@-]{1,128}$/;

/** Longest channel name accepted. */
export const MAX_CHANNEL_NAME_LENGTH = 128;

/**
 * Whether `value` is a valid channel name.
 *
 * @example
 * isValidChannelName('chat:room1'); // true
 * isValidChannelName('chat/room1'); // false
 */
export function isValidChannelName(value: unknown): value is string {
  return typeof value === 'string' && CHANNEL_NAME_PATTERN.test(value);
}

/**
 * Message event names (the `event` of `publish(channel, event, data)` and of direct messages):
 * 1 to 100 letters, digits, `_`, `.`, `:` and `-`.
 *
 * @example
 * MESSAGE_EVENT_PATTERN.test('chat.message'); // true
 */
export const MESSAGE_EVENT_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Whether `value` is a valid message event name.
 *
 * @example
 * isValidMessageEvent('typing'); // true
 */
export function isValidMessageEvent(value: unknown): value is string {
  return typeof value === 'string' && MESSAGE_EVENT_PATTERN.test(value);
}
