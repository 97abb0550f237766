/**
 * The deepstream dialect: `deepstream(url, options)` as deepstream's v2 JavaScript client has it
 * (the seed `003_*.txt`), a thin layer over `RealtimeClient` that speaks the platform's Socket.IO
 * protocol. Package subpath `realtime-platform/deepstream`; also `Realtime.deepstream` in the
 * browser bundles.
 *
 * @example
 * import deepstream from 'realtime-platform/deepstream';
 * const client = deepstream('wss://realtime.example.com');
 * await client.login({ token });
 * const record = client.record.getRecord('user/lisa');
 */
import { CONNECTION_STATE, EVENT, MERGE_STRATEGIES, TOPIC } from './constants.js';
import { DeepstreamClient, type DeepstreamOptions } from './deepstream-client.js';

/** `deepstream.CONSTANTS`. */
const CONSTANTS = { CONNECTION_STATE, EVENT, TOPIC } as const;

/**
 * Creates a client for `url` (`ws(s)://` or `http(s)://`; the path and query are ignored) and
 * returns it at once; call `login({ token })` to connect.
 *
 * @example
 * const client = deepstream('ws://localhost:3000');
 */
const deepstream = Object.assign((url: string, options?: DeepstreamOptions): DeepstreamClient => new DeepstreamClient(url, options), {
  CONSTANTS,
  MERGE_STRATEGIES,
});

export default deepstream;
export { DeepstreamClient, CONSTANTS, MERGE_STRATEGIES };
export type { DeepstreamOptions, DeepstreamClientData, LoginCallback } from './deepstream-client.js';
export type { ConnectionStateName, DeepstreamEventName, DeepstreamTopic, DeepstreamMergeStrategy } from './constants.js';
export { DeepstreamRecord } from './record.js';
export type { RecordSubscriber } from './record.js';
export { DeepstreamList } from './list.js';
export { DeepstreamAnonymousRecord } from './anonymous-record.js';
export { RecordHandler } from './record-handler.js';
export type { NodeCallback } from './record-handler.js';
export { EventHandler } from './event-handler.js';
export type { EventCallback, EventListenCallback } from './event-handler.js';
export { RpcHandler } from './rpc-handler.js';
export type { DeepstreamRpcProvider, DeepstreamRpcResponse } from './rpc-handler.js';
export { PresenceHandler } from './presence-handler.js';
export type { PresenceCallback } from './presence-handler.js';
