/**
 * Hivekit's constants (`client.constants`), with the values `@hivekit/client-js` 1.11.1 uses, so
 * that code comparing against them (`client.connectionStatus === C.CONNECTION_STATUS.AUTHENTICATED`)
 * runs unchanged. Most are Hivekit's three-letter wire codes; this client never sends them (it
 * speaks the platform's protocol) and keeps them for code that reads them.
 *
 * @example
 * client.on('error', (message, type) => { if (type === client.constants.ERROR.CONNECTION_ERROR) showOffline(); });
 */
export const HIVEKIT_CONSTANTS = deepFreeze({
  CONNECTION_STATUS: {
    DISCONNECTED: 'disconnected',
    CONNECTING: 'connecting',
    CONNECTED: 'connected',
    AUTHENTICATED: 'authenticated',
    DISCONNECTING: 'disconnecting',
  },
  MODE: { HTTP: 'http', WS: 'ws' },
  ERROR: {
    CONNECTION_ERROR: 'connection_error',
    MAX_RECONNECT_ATTEMPTS_EXCEEDED: 'max_reconnect_attempts_exceeded',
    MESSAGE_PARSE_ERROR: 'message_parse_error',
    UNKNOWN_REQUEST: 'unknown_request',
    UNKNOWN_TYPE: 'unknown_type',
    SERVER_ERROR: 'server_error',
    UNKNOWN_FIELD: 'unknown_field',
    UNKNOWN_ACTION: 'unknown_action',
    UNKNOWN_SUBSCRIPTION: 'unknown_subscription',
    DISCONNECTED_RETRYING: 'disconnected_retrying',
  },
  TYPE: {
    REALM: 'rea',
    OBJECT: 'obj',
    AREA: 'are',
    SUBSCRIPTION: 'sub',
    SYSTEM: 'sys',
    INSTRUCTION: 'ins',
    LOGEVENT: 'log',
    HISTORY: 'his',
    TASK: 'tsk',
  },
  TASK_STATUS: {
    NOT_STARTED: '$hkt_not_started',
    IN_PROGRESS: '$hkt_in_progress',
    COMPLETED: '$hkt_completed',
    FAILED: '$hkt_failed',
    CANCELED: '$hkt_canceled',
    PAUSED: '$hkt_paused',
    BLOCKED: '$hkt_blocked',
  },
  UPDATE_TYPE: { FULL: 'ful', DELTA: 'dta' },
  ACTION: {
    CREATE: 'cre',
    READ: 'rea',
    LIST: 'lis',
    UPDATE: 'upd',
    DELETE: 'del',
    AUTHENTICATE: 'aut',
    SET: 'set',
    SEARCH: 'sea',
    HEARTBEAT: 'hbt',
    SUBSCRIBE: 'sub',
    UNSUBSCRIBE: 'uns',
    PUBLISH: 'pub',
    GET_STATS: 'sta',
  },
  RESULT: { SUCCESS: 'suc', WARNING: 'war', ERROR: 'err' },
  FIELD: {
    TYPE: 'typ',
    SCOPE_TYPE: 'sty',
    SUB_TYPE: 'sty',
    SCOPE_ID: 'sid',
    EXECUTE_IMMEDIATELY: 'exe',
    ACTION: 'act',
    RESULT: 'res',
    CORRELATION_ID: 'cid',
    ID: 'id',
    REALM: 'rea',
    DATA: 'dat',
    LOCATION: 'loc',
    ERROR: 'err',
    LABEL: 'lab',
    ATTRIBUTE: 'atr',
    UPDATE_TYPE: 'uty',
    INSTRUCTION_STRING: 'ins',
    CONNECTION_STATUS: 'cst',
    SHAPE: 'sha',
    SHAPE_DATA: 'shapeData',
    FIELD: 'fie',
    VALUE: 'val',
    START: 'sta',
    SUBSCRIPTION_TARGET: 'sta',
    END: 'end',
    LEVEL: 'lvl',
    EVENT_NAME: 'eve',
    ID_PATTERN: 'idp',
    ERROR_CODE: 'erc',
    INTERVAL: 'int',
    TIME: 'tim',
    TARGET: 'tar',
    RADIUS: 'r',
    STATUS: 'sts',
    STEPS: 'stp',
    DESCRIPTION: 'dsc',
    TARGET_ID: 'tid',
    TASK_IDS: 'tds',
  },
  LOCATION: {
    COORDINATE_SYSTEM: 'gcs',
    LONGITUDE: 'lon',
    LATITUDE: 'lat',
    ACCURACY: 'acc',
    SPEED: 'spe',
    HEADING: 'hea',
    ALTITUDE: 'alt',
    ALTITUDE_ACCURACY: 'alc',
    TIME: 'tim',
  },
  SHAPE_TYPE: { RECTANGLE: 'rec', CIRCLE: 'cir', POLYGON: 'pol' },
  PRESENCE_CONNECTION_STATUS: { CONNECTED: 'con', DISCONNECTED: 'dis' },
  SUBSCRIPTION: { REALM: 'all-realms' },
});

/**
 * The type of {@link HIVEKIT_CONSTANTS}.
 *
 * @example
 * const C: HivekitConstants = client.constants;
 */
export type HivekitConstants = typeof HIVEKIT_CONSTANTS;

/**
 * A Hivekit connection status (`client.connectionStatus`).
 *
 * @example
 * const status: HivekitConnectionStatus = client.connectionStatus; // 'authenticated'
 */
export type HivekitConnectionStatus = HivekitConstants['CONNECTION_STATUS'][keyof HivekitConstants['CONNECTION_STATUS']];

/**
 * A Hivekit error type (the second argument of `'error'` listeners).
 *
 * @example
 * client.on('error', (message: string, type: HivekitErrorType) => console.warn(type, message));
 */
export type HivekitErrorType = HivekitConstants['ERROR'][keyof HivekitConstants['ERROR']];

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child as object);
  return Object.freeze(value);
}
