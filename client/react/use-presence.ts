import { useCallback, useMemo } from 'react';
import type { PresenceMember, PresenceState, PresenceTarget, RealtimeError } from '../../shared/index.js';
import type { LiveStatus } from './live-resource.js';
import { membershipResource, socketClientOf } from './presence-membership.js';
import { useRealtimeContext } from './realtime-provider.js';
import { useLiveResource } from './use-live-resource.js';

/** Options of {@link usePresence}. */
export interface UsePresenceOptions {
  /** @default the client's realm */
  realm?: string;
  /**
   * This member's presence state when it joins (needs `P`). Later changes go through
   * `updatePresence`, so a new object on every render does not re-join.
   */
  initialState?: PresenceState;
  /** Suspend until joined; a refusal (e.g. `FORBIDDEN`) goes to the nearest error boundary. @default false */
  suspense?: boolean;
  /** `false` joins nothing. @default true */
  enabled?: boolean;
}

/** What {@link usePresence} returns. */
export interface UsePresenceResult {
  /** Who is there (this connection included), in join order; empty while loading and without `P`. */
  members: PresenceMember[];
  /** The other members: everyone but this connection. */
  others: PresenceMember[];
  /** This connection as a member, once joined. */
  self: PresenceMember | undefined;
  status: LiveStatus;
  error: RealtimeError | undefined;
  /** Replaces this member's presence state (e.g. `{ status: 'typing' }`). */
  updatePresence(state: PresenceState): Promise<PresenceMember>;
}

/**
 * Joins a channel (or opens a document: `{ service, id }`) while the component is mounted and
 * keeps its members live from presence events; leaves when the last component using the same
 * channel unmounts. Components using the same channel share one membership (and one state).
 *
 * @example
 * const { others, updatePresence } = usePresence('chat:lobby', { initialState: { status: 'online' } });
 * const viewers = usePresence({ service: 'notes', id: 'shared' }).members;
 */
export function usePresence(target: PresenceTarget, options: UsePresenceOptions = {}): UsePresenceResult {
  const { client, resources } = useRealtimeContext();
  const realm = options.realm ?? client.realmId;
  const resource = options.enabled === false ? undefined : membershipResource(client, resources, realm, target, options.initialState);
  const { status, data, error } = useLiveResource(resource, options.suspense === true);
  const targetKey = typeof target === 'string' ? target : `${target.service}/${target.id}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `target` is named by targetKey (an object literal per render must not make a new function).
  const updatePresence = useCallback(
    async (state: PresenceState): Promise<PresenceMember> => {
      const member = await socketClientOf(client, realm).updatePresence(target, state);
      resource?.update((current) => {
        const members = (current?.members ?? []).map((m) => (m.connectionId === member.connectionId ? member : m));
        return { presence: current?.presence ?? true, members, self: member };
      });
      return member;
    },
    // `target` is named by targetKey; an object literal per render must not make a new function.
    [client, realm, targetKey, resource],
  );
  return useMemo(() => {
    const members = data?.members ?? [];
    const self = data?.self;
    return { members, others: members.filter((member) => member.connectionId !== self?.connectionId), self, status, error, updatePresence };
  }, [data, status, error, updatePresence]);
}
