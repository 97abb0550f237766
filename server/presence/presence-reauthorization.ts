import type { Principal } from '../../shared/index.js';
import type { ResolvedLimits } from '../config.js';
import type { RealtimeSocket } from '../socket-types.js';
import { providedPatterns } from './data-provider-presence.js';
import { publicMember, type PresenceAnnouncer } from './presence-announcer.js';
import { channelRoom, parseSetKey, presenceRoom, type PresenceSetRef } from './presence-set.js';
import type { PresenceStore } from './presence-store.js';

/**
 * What a refreshed token allows of one membership: `keep` it, `hide` it (still a channel member
 * that receives messages, no longer in presence: `P` is gone), or `leave` the set.
 *
 * @example
 * const verdict: MembershipVerdict = can(principal, realm, setKeyOf(set), 'R') ? 'keep' : 'leave';
 */
export type MembershipVerdict = 'keep' | 'hide' | 'leave';

/**
 * Decides a membership's fate under the new token, from its realm, its set and whether it appears
 * in presence.
 *
 * @example
 * const decide: MembershipJudge = (realm, set, visible) => 'keep';
 */
export type MembershipJudge = (realm: string, set: PresenceSetRef, visible: boolean) => MembershipVerdict;

/**
 * A membership a refresh took away: `left` (no longer in the set) or `hidden` (still a channel
 * member, no longer in presence).
 *
 * @example
 * const revoked: RevokedMembership = { realm: 'london', set: { kind: 'channel', name: 'lobby' }, outcome: 'left' };
 */
export interface RevokedMembership {
  realm: string;
  set: PresenceSetRef;
  outcome: 'left' | 'hidden';
}

/**
 * What {@link reauthorizeConnection} works with: the presence service's parts.
 *
 * @example
 * const deps: ReauthorizationDeps = { store, announcer, limits, nodeId: 'node-1' };
 */
export interface ReauthorizationDeps {
  store: PresenceStore;
  announcer: PresenceAnnouncer;
  limits: ResolvedLimits;
  nodeId: string;
}

/**
 * Brings a connection's presence in line with its refreshed token (`socket.data.principal`, which
 * replaced `previous`): its connection record lists the new realms (direct messages and
 * connection counts follow them), its data-provider registrations become what the new token's
 * `dpv` provides (new keys first, then the old ones withdrawn, so an object covered by both never
 * flaps), and every channel or open document it is in is kept, hidden or left as `judge` decides,
 * with `leave` events (reason `revoked`) to the other members. Answers what was taken away, for
 * the gateway to tell the client.
 *
 * Why this runs in the connection's serial queue (see PresenceService): a join checked under the
 * old token and still pending is applied before this runs, so it is re-checked too.
 *
 * @example
 * const revoked = await reauthorizeConnection(deps, socket, previous, judge);
 */
export async function reauthorizeConnection(
  deps: ReauthorizationDeps,
  socket: RealtimeSocket,
  previous: Principal,
  judge: MembershipJudge,
): Promise<RevokedMembership[]> {
  const { store, announcer, nodeId } = deps;
  const principal = socket.data.principal;
  const connectionId = socket.id;

  const record = await store.getConnection(connectionId);
  if (record !== undefined && !sameRealms(record.realms, principal.realms)) {
    await store.addConnection({ ...record, realms: [...principal.realms] });
  }

  const before = providedPatterns(previous);
  const after = providedPatterns(principal);
  for (const [realm, patterns] of after) {
    const known = new Set(before.get(realm) ?? []);
    const added = patterns.filter((pattern) => !known.has(pattern));
    if (added.length === 0) continue;
    const changes = await store.addProvider(realm, connectionId, added, nodeId);
    announcer.publishStatus(changes.map((change) => ({ realm, change })));
  }
  for (const [realm, patterns] of before) {
    const kept = new Set(after.get(realm) ?? []);
    const withdrawn = patterns.filter((pattern) => !kept.has(pattern));
    if (withdrawn.length === 0) continue;
    const changes = await store.removeProvider(realm, connectionId, withdrawn);
    announcer.publishStatus(changes.map((change) => ({ realm, change })));
  }

  const revoked: RevokedMembership[] = [];
  for (const { realm, setKey, member } of await store.listMemberships(connectionId)) {
    const set = parseSetKey(setKey);
    if (set === undefined) continue;
    const verdict = judge(realm, set, member.visible);
    if (verdict === 'keep' || (verdict === 'hide' && (!member.visible || set.kind !== 'channel'))) continue;
    const removed = await store.removeMember(realm, setKey, connectionId);
    void socket.leave(presenceRoom(realm, setKey));
    if (removed?.member.visible === true) {
      const body = { type: 'leave', member: publicMember(removed.member), userLeft: removed.userLeft, reason: 'revoked' } as const;
      announcer.emit(realm, set, body);
    }
    let outcome: RevokedMembership['outcome'] = 'left';
    if (verdict === 'hide' && removed !== undefined) {
      // Still a member, now without presence: back in, invisible, with no state.
      const readded = await store.addMember(
        realm,
        setKey,
        { ...removed.member, visible: false, state: {}, nodeId },
        {
          maxMembers: deps.limits.maxChannelMembers,
          maxSetsPerConnection: deps.limits.maxChannelsPerConnection,
        },
      );
      if (readded.status === 'added' || readded.status === 'exists') outcome = 'hidden';
    }
    if (outcome === 'left' && set.kind === 'channel') void socket.leave(channelRoom(realm, set.name));
    revoked.push({ realm, set, outcome });
  }
  return revoked;
}

function sameRealms(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((realm) => b.includes(realm));
}
