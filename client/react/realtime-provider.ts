import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { RealtimeClient } from '../realtime-client.js';
import { InvalidArgumentError } from '../../shared/index.js';
import { LiveResourceCache } from './live-resource.js';

/** What {@link RealtimeProvider} puts in context: the client and its shared live resources. */
export interface RealtimeContextValue {
  client: RealtimeClient;
  resources: LiveResourceCache;
}

/** The context the hooks read; `null` outside a {@link RealtimeProvider}. */
export const RealtimeContext = createContext<RealtimeContextValue | null>(null);

/** Props of {@link RealtimeProvider}. */
export interface RealtimeProviderProps {
  /** The client the hooks below use. The provider never connects or destroys it: you own it. */
  client: RealtimeClient;
  children?: ReactNode;
}

// One cache per client, so that two providers of the same client share subscriptions too.
const caches = new WeakMap<RealtimeClient, LiveResourceCache>();

/**
 * The shared live resources of `client` (made on first use).
 *
 * @example
 * const open = resourcesOf(client).size; // how many documents, channels and feeds the hooks hold
 */
export function resourcesOf(client: RealtimeClient): LiveResourceCache {
  let cache = caches.get(client);
  if (cache === undefined) caches.set(client, (cache = new LiveResourceCache()));
  return cache;
}

/**
 * Makes `client` available to the hooks (`useRealtime`, `useTopic`, `useDocument`, ...) below it.
 *
 * @example
 * const client = new RealtimeClient({ url: location.origin, token });
 * createRoot(root).render(<RealtimeProvider client={client}><App /></RealtimeProvider>);
 */
export function RealtimeProvider({ client, children }: RealtimeProviderProps): ReactNode {
  return createElement(RealtimeContext.Provider, { value: { client, resources: resourcesOf(client) } }, children);
}

/**
 * The provider's value; throws `InvalidArgumentError` outside a {@link RealtimeProvider}.
 *
 * @example
 * const { client } = useRealtimeContext();
 */
export function useRealtimeContext(): RealtimeContextValue {
  const value = useContext(RealtimeContext);
  if (value === null) throw new InvalidArgumentError('Realtime hooks need a <RealtimeProvider client={client}> above them');
  return value;
}
