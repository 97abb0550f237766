/**
 * Hivekit data-provider presence: an object is `connected` while at least one connection whose
 * token's `dpv` claim covers the object's id is connected.
 *
 * @example
 * const status: ConnectionStatus = 'connected';
 */
export type ConnectionStatus = 'connected' | 'disconnected';

/**
 * The topic `connectionStatusChanged` events are published on, in each realm.
 *
 * @example
 * client.subscribe({ topic: PRESENCE_STATUS_TOPIC, filter: { id: { like: 'riders/*' } } });
 */
export const PRESENCE_STATUS_TOPIC = 'presence.status';

/**
 * The `type` of the RealtimeEvents on {@link PRESENCE_STATUS_TOPIC}.
 *
 * @example
 * client.on('event:presence.status', (event) => event.type === CONNECTION_STATUS_CHANGED);
 */
export const CONNECTION_STATUS_CHANGED = 'connectionStatusChanged';

/**
 * The payload of a `connectionStatusChanged` event. `id` is an object id, or a data-provider
 * pattern (`riders/*`) when the change is about every id that pattern covers.
 *
 * @example
 * const payload: ConnectionStatusChange = { id: 'riders/7', connectionStatus: 'connected' };
 */
export interface ConnectionStatusChange {
  id: string;
  connectionStatus: ConnectionStatus;
}

/**
 * The current data-provider presence of one object id.
 *
 * @example
 * const presence: ObjectPresence = { id: 'riders/7', connectionStatus: 'connected', providerCount: 2 };
 */
export interface ObjectPresence {
  id: string;
  connectionStatus: ConnectionStatus;
  /** Connected provider connections whose patterns cover the id. */
  providerCount: number;
}

/**
 * Object ids as asked about: `/`-separated segments of letters, digits and `_ . : @ ~ + = - *`,
 * at most 512 characters (a `*` asks about a data-provider pattern).
 *
 * @example
 * OBJECT_ID_PATTERN.test('deliveryRiders/johndoe-123'); // true
 */
export const OBJECT_ID_PATTERN = /^(?=.{1,512}$)[A-Za-z0-9_.:@~+=*-]+(?:\/[A-Za-z0-9_.:@~+=*-]+)*$/;

/**
 * Whether `value` is a valid object id (or data-provider pattern) to ask about.
 *
 * @example
 * isValidObjectId('riders/7'); // true
 * isValidObjectId('riders//7'); // false
 */
export function isValidObjectId(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_PATTERN.test(value);
}
