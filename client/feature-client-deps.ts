import type { RealtimeError } from '../shared/index.js';
import type { ConnectionManager } from './connection-manager.js';
import type { RequestManager } from './request-manager.js';

/**
 * What the RPC, listening and user-presence clients are built from: the connection (for the
 * server's offers and notices), the requests, the realm they work in unless told otherwise, and
 * where to report errors no promise can carry.
 *
 * @example
 * const rpc = new RpcClient({ connection, requests, defaultRealm: () => client.realmId, reportError });
 */
export interface FeatureClientDeps {
  connection: ConnectionManager;
  requests: RequestManager;
  defaultRealm: () => string;
  reportError: (error: RealtimeError) => void;
}
