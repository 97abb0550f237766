/**
 * deepstream's constants, as `deepstream.CONSTANTS` gives them (the seed's v2 client names).
 *
 * @example
 * client.on('connectionStateChanged', (state) => state === CONSTANTS.CONNECTION_STATE.OPEN && start());
 */
export const CONNECTION_STATE = {
  CLOSED: 'CLOSED',
  AWAITING_CONNECTION: 'AWAITING_CONNECTION',
  CHALLENGING: 'CHALLENGING',
  AWAITING_AUTHENTICATION: 'AWAITING_AUTHENTICATION',
  AUTHENTICATING: 'AUTHENTICATING',
  OPEN: 'OPEN',
  ERROR: 'ERROR',
  RECONNECTING: 'RECONNECTING',
} as const;

/** One of {@link CONNECTION_STATE}'s values. */
export type ConnectionStateName = (typeof CONNECTION_STATE)[keyof typeof CONNECTION_STATE];

/**
 * The error events of `client.on('error', (message, event, topic) => ...)`: each platform error
 * code maps onto one (see {@link eventOfCode}).
 *
 * @example
 * client.on('error', (message, event) => event === CONSTANTS.EVENT.VERSION_EXISTS && reload());
 */
export const EVENT = {
  CONNECTION_ERROR: 'CONNECTION_ERROR',
  CONNECTION_STATE_CHANGED: 'connectionStateChanged',
  MAX_RECONNECTION_ATTEMPTS_REACHED: 'MAX_RECONNECTION_ATTEMPTS_REACHED',
  UNSOLICITED_MESSAGE: 'UNSOLICITED_MESSAGE',
  MESSAGE_PARSE_ERROR: 'MESSAGE_PARSE_ERROR',
  MESSAGE_DENIED: 'MESSAGE_DENIED',
  IS_CLOSED: 'IS_CLOSED',
  VERSION_EXISTS: 'VERSION_EXISTS',
  NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
  TOO_MANY_AUTH_ATTEMPTS: 'TOO_MANY_AUTH_ATTEMPTS',
  ACK_TIMEOUT: 'ACK_TIMEOUT',
  RESPONSE_TIMEOUT: 'RESPONSE_TIMEOUT',
  LISTENER_EXISTS: 'LISTENER_EXISTS',
  NOT_LISTENING: 'NOT_LISTENING',
  NO_RPC_PROVIDER: 'NO_RPC_PROVIDER',
  /** The platform's: the provider of a call went away before answering. */
  RPC_PROVIDER_LOST: 'RPC_PROVIDER_LOST',
  /** The platform's: the provider answered with `response.error(...)`. */
  RPC_ERROR: 'RPC_ERROR',
  RECORD_NOT_FOUND: 'RECORD_NOT_FOUND',
  CLIENT_OFFLINE: 'CLIENT_OFFLINE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

/** One of {@link EVENT}'s values. */
export type DeepstreamEventName = (typeof EVENT)[keyof typeof EVENT];

/**
 * The topic an error is about (deepstream v2's one-letter topics), the third argument of
 * `'error'` listeners.
 *
 * @example
 * client.on('error', (message, event, topic) => topic === CONSTANTS.TOPIC.RECORD && showRecordError(message));
 */
export const TOPIC = {
  CONNECTION: 'C',
  AUTH: 'A',
  ERROR: 'X',
  EVENT: 'E',
  RECORD: 'R',
  RPC: 'P',
  PRESENCE: 'U',
} as const;

/** One of {@link TOPIC}'s values. */
export type DeepstreamTopic = (typeof TOPIC)[keyof typeof TOPIC];

/**
 * The deepstream error event a platform error code stands for.
 *
 * @example
 * eventOfCode('CONFLICT'); // 'VERSION_EXISTS'
 */
export function eventOfCode(code: string): DeepstreamEventName {
  return EVENT_BY_CODE[code] ?? EVENT.INTERNAL_ERROR;
}

const EVENT_BY_CODE: Readonly<Record<string, DeepstreamEventName>> = {
  AUTH_FAILED: EVENT.NOT_AUTHENTICATED,
  TOKEN_EXPIRED: EVENT.NOT_AUTHENTICATED,
  FORBIDDEN: EVENT.MESSAGE_DENIED,
  NOT_FOUND: EVENT.RECORD_NOT_FOUND,
  ALREADY_EXISTS: EVENT.VERSION_EXISTS,
  CONFLICT: EVENT.VERSION_EXISTS,
  INVALID_ARGUMENT: EVENT.MESSAGE_PARSE_ERROR,
  PAYLOAD_TOO_LARGE: EVENT.MESSAGE_PARSE_ERROR,
  LIMIT_EXCEEDED: EVENT.LIMIT_EXCEEDED,
  RATE_LIMITED: EVENT.LIMIT_EXCEEDED,
  UNAVAILABLE: EVENT.CONNECTION_ERROR,
  TIMEOUT: EVENT.ACK_TIMEOUT,
  CLIENT_OFFLINE: EVENT.CLIENT_OFFLINE,
  TOO_MANY_AUTH_ATTEMPTS: EVENT.TOO_MANY_AUTH_ATTEMPTS,
  NO_RPC_PROVIDER: EVENT.NO_RPC_PROVIDER,
  ACCEPT_TIMEOUT: EVENT.ACK_TIMEOUT,
  RESPONSE_TIMEOUT: EVENT.RESPONSE_TIMEOUT,
  RPC_PROVIDER_LOST: EVENT.RPC_PROVIDER_LOST,
  RPC_ERROR: EVENT.RPC_ERROR,
  LISTENER_EXISTS: EVENT.LISTENER_EXISTS,
  NOT_LISTENING: EVENT.NOT_LISTENING,
};

/**
 * deepstream's merge strategy: called with the local and remote data and versions, answers the
 * data to keep through `callback(error, merged)`.
 *
 * @example
 * const keepTitle: DeepstreamMergeStrategy = (local, lv, remote, rv, cb) => cb(null, { ...remote, title: local.title });
 */
export type DeepstreamMergeStrategy = (
  localValue: Record<string, unknown>,
  localVersion: number,
  remoteValue: Record<string, unknown>,
  remoteVersion: number,
  callback: (error: unknown, merged?: Record<string, unknown>) => void,
) => void;

/**
 * `deepstream.MERGE_STRATEGIES`: `REMOTE_WINS` (the default) and `LOCAL_WINS`.
 *
 * @example
 * record.setMergeStrategy(deepstream.MERGE_STRATEGIES.LOCAL_WINS);
 */
export const MERGE_STRATEGIES = {
  REMOTE_WINS: ((_local, _localVersion, remote, _remoteVersion, callback) => callback(null, remote)) as DeepstreamMergeStrategy,
  LOCAL_WINS: ((local, _localVersion, _remote, _remoteVersion, callback) => callback(null, local)) as DeepstreamMergeStrategy,
} as const;
