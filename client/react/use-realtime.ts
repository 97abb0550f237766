import { useCallback, useSyncExternalStore } from 'react';
import type { ConnectionState } from '../connection-state.js';
import type { RealtimeClient } from '../realtime-client.js';
import { useRealtimeContext } from './realtime-provider.js';

/** What {@link useRealtime} returns. */
export interface UseRealtimeResult {
  client: RealtimeClient;
  /** The connection state; the component renders again when it changes. */
  state: ConnectionState;
  connected: boolean;
}

/**
 * The client of the nearest {@link RealtimeProvider} and its connection state.
 *
 * @example
 * const { client, state } = useRealtime();
 * return <p>{state === 'connected' ? 'Online' : 'Reconnecting…'}</p>;
 */
export function useRealtime(): UseRealtimeResult {
  const { client } = useRealtimeContext();
  const subscribe = useCallback((onChange: () => void) => client.on('connection', onChange), [client]);
  const state = useSyncExternalStore(
    subscribe,
    () => client.state,
    () => client.state,
  );
  return { client, state, connected: state === 'connected' };
}
