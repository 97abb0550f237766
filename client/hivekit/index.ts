/**
 * The Hivekit dialect: `import HivekitClient from 'realtime-platform/hivekit'` makes code written
 * for `@hivekit/client-js` run against this platform (see README "Hivekit migration table").
 *
 * @example
 * import HivekitClient from 'realtime-platform/hivekit';
 * const client = new HivekitClient();
 * await client.connect('ws://localhost:3000/ws');
 * await client.authenticate(token);
 */
import { HivekitClient } from './hivekit-client.js';

export default HivekitClient;
export { HivekitClient, HIVEKIT_CLIENT_VERSION } from './hivekit-client.js';
export type { HivekitClientSeams } from './hivekit-client.js';
export type { HivekitClientOptions, ResolvedHivekitOptions } from './hivekit-options.js';
export { DEFAULT_HIVEKIT_OPTIONS } from './hivekit-options.js';
export { HIVEKIT_CONSTANTS } from './hivekit-constants.js';
export type { HivekitConstants, HivekitConnectionStatus, HivekitErrorType } from './hivekit-constants.js';
export type { HivekitRequestError } from './hivekit-errors.js';
export type { HivekitLogger } from './hivekit-log.js';
export type { HivekitListener } from './hivekit-emitter.js';
export { HivekitRealm } from './hivekit-realm.js';
export { HivekitRealmHandler } from './hivekit-realm-handler.js';
export { HivekitObjectHandler } from './hivekit-object-handler.js';
export type { HivekitObjectData } from './hivekit-object-handler.js';
export { HivekitAreaHandler } from './hivekit-area-handler.js';
export { HivekitPubsub } from './hivekit-pubsub.js';
export type { HivekitPubsubCallback } from './hivekit-pubsub.js';
export { HivekitHistory } from './hivekit-history.js';
export { HivekitSubscription } from './hivekit-subscription.js';
export type { HivekitUpdateListener } from './hivekit-subscription.js';
export type { HivekitObjectSubscribeOptions } from './hivekit-criteria.js';
