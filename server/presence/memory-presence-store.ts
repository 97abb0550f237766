import { ALL_REALMS, type ConnectionStatusChange, type ObjectPresence, type PresenceState } from '../../shared/index.js';
import {
  emptyCleanup,
  type AddMemberLimits,
  type AddMemberResult,
  type ConnectionMembership,
  type ConnectionRecord,
  type MemberRecord,
  type PresenceCleanup,
  type PresenceSetSummary,
  type PresenceStore,
  type RemovedMember,
} from './presence-store.js';
import { ProviderLedger } from './provider-ledger.js';

/** A connection's place in one set. */
interface MembershipRef {
  realm: string;
  setKey: string;
}

/**
 * The in-memory {@link PresenceStore}: all of presence in one process, for a server without
 * Redis (and for tests that run several logical nodes over one store). Every method completes in
 * one synchronous step, which is what makes each one atomic here.
 *
 * @example
 * const store = new MemoryPresenceStore();
 * await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['demo'], nodeId: 'n1', connectedAt: Date.now() });
 */
export class MemoryPresenceStore implements PresenceStore {
  private readonly connections = new Map<string, ConnectionRecord>();
  /**
   * Realm (or `*`) → user → connection ids; a connection granted `*` is indexed under `*` only. A
   * user with one connection (most of them) holds its id inline, not in a set of its own.
   */
  private readonly usersByRealm = new Map<string, Map<string, ConnectionIds>>();
  /** Realm → set key → connection id → member, in join order. */
  private readonly sets = new Map<string, Map<string, Map<string, MemberRecord>>>();
  private readonly memberships = new Map<string, Map<string, MembershipRef>>();
  private readonly ledgers = new Map<string, ProviderLedger>();
  /** Connection → (realms it provides in, node that holds it). */
  private readonly providers = new Map<string, { realms: Set<string>; nodeId: string }>();
  private readonly heartbeats = new Map<string, number>();

  async addConnection(connection: ConnectionRecord): Promise<void> {
    this.unindexConnection(connection.connectionId);
    this.connections.set(connection.connectionId, { ...connection, realms: [...connection.realms] });
    for (const realmKey of realmKeys(connection.realms)) {
      let users = this.usersByRealm.get(realmKey);
      if (users === undefined) this.usersByRealm.set(realmKey, (users = new Map()));
      users.set(connection.userId, withId(users.get(connection.userId), connection.connectionId));
    }
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const record = this.connections.get(connectionId);
    return record === undefined ? undefined : { ...record, realms: [...record.realms] };
  }

  async findUserConnections(realm: string, userId: string): Promise<ConnectionRecord[]> {
    const result: ConnectionRecord[] = [];
    for (const realmKey of [realm, ALL_REALMS]) {
      for (const id of idsOf(this.usersByRealm.get(realmKey)?.get(userId))) {
        const record = this.connections.get(id);
        if (record !== undefined) result.push({ ...record, realms: [...record.realms] });
      }
    }
    return result;
  }

  async countConnections(realm: string): Promise<number> {
    let count = 0;
    for (const realmKey of [realm, ALL_REALMS]) {
      for (const ids of this.usersByRealm.get(realmKey)?.values() ?? []) count += typeof ids === 'string' ? 1 : ids.size;
    }
    return count;
  }

  async removeConnection(connectionId: string): Promise<PresenceCleanup> {
    return this.removeConnectionNow(connectionId);
  }

  async addMember(realm: string, setKey: string, member: MemberRecord, limits: AddMemberLimits): Promise<AddMemberResult> {
    const members = this.sets.get(realm)?.get(setKey);
    const existing = members?.get(member.connectionId);
    if (existing !== undefined) return { status: 'exists', member: copyMember(existing) };
    if ((members?.size ?? 0) >= limits.maxMembers) return { status: 'set-full', limit: limits.maxMembers };
    const own = this.memberships.get(member.connectionId);
    if ((own?.size ?? 0) >= limits.maxSetsPerConnection) return { status: 'connection-full', limit: limits.maxSetsPerConnection };

    const userJoined = member.visible && !hasVisibleConnectionOf(members, member.userId);
    const stored = copyMember(member);
    this.setMembers(realm, setKey).set(member.connectionId, stored);
    let refs = own;
    if (refs === undefined) this.memberships.set(member.connectionId, (refs = new Map()));
    refs.set(membershipKey(realm, setKey), { realm, setKey });
    return { status: 'added', member: copyMember(stored), userJoined };
  }

  async updateMemberState(realm: string, setKey: string, connectionId: string, state: PresenceState): Promise<MemberRecord | undefined> {
    const member = this.sets.get(realm)?.get(setKey)?.get(connectionId);
    if (member === undefined) return undefined;
    member.state = structuredClone(state);
    return copyMember(member);
  }

  async removeMember(realm: string, setKey: string, connectionId: string): Promise<RemovedMember | undefined> {
    return this.removeMemberNow(realm, setKey, connectionId);
  }

  async listMembers(realm: string, setKey: string): Promise<MemberRecord[]> {
    return [...(this.sets.get(realm)?.get(setKey)?.values() ?? [])].map(copyMember);
  }

  async listSets(realm: string, prefix: string): Promise<PresenceSetSummary[]> {
    const result: PresenceSetSummary[] = [];
    for (const [setKey, members] of this.sets.get(realm) ?? []) {
      if (setKey.startsWith(prefix)) result.push({ setKey, memberCount: members.size });
    }
    return result.sort((a, b) => (a.setKey < b.setKey ? -1 : a.setKey > b.setKey ? 1 : 0));
  }

  async listMemberships(connectionId: string): Promise<ConnectionMembership[]> {
    const result: ConnectionMembership[] = [];
    for (const { realm, setKey } of this.memberships.get(connectionId)?.values() ?? []) {
      const member = this.sets.get(realm)?.get(setKey)?.get(connectionId);
      if (member !== undefined) result.push({ realm, setKey, member: copyMember(member) });
    }
    return result;
  }

  async removeProvider(realm: string, connectionId: string, patterns: string[]): Promise<ConnectionStatusChange[]> {
    const ledger = this.ledgers.get(realm);
    const entry = this.providers.get(connectionId);
    if (ledger === undefined || entry === undefined || !entry.realms.has(realm)) return [];
    const changes = ledger.removeKeys(connectionId, patterns);
    if (!ledger.provides(connectionId)) {
      entry.realms.delete(realm);
      if (entry.realms.size === 0) this.providers.delete(connectionId);
    }
    if (ledger.isEmpty) this.ledgers.delete(realm);
    return changes;
  }

  async addProvider(realm: string, connectionId: string, patterns: string[], nodeId: string): Promise<ConnectionStatusChange[]> {
    let ledger = this.ledgers.get(realm);
    if (ledger === undefined) this.ledgers.set(realm, (ledger = new ProviderLedger()));
    let entry = this.providers.get(connectionId);
    if (entry === undefined) this.providers.set(connectionId, (entry = { realms: new Set(), nodeId }));
    entry.realms.add(realm);
    return ledger.add(connectionId, patterns);
  }

  async objectPresence(realm: string, id: string): Promise<ObjectPresence> {
    return this.ledgers.get(realm)?.presence(id) ?? { id, connectionStatus: 'disconnected', providerCount: 0 };
  }

  async heartbeat(nodeId: string, now: number): Promise<void> {
    this.heartbeats.set(nodeId, now);
  }

  async expireNodes(now: number, timeoutMs: number): Promise<PresenceCleanup> {
    const total = emptyCleanup();
    for (const [nodeId, last] of [...this.heartbeats]) {
      if (now - last <= timeoutMs) continue;
      mergeInto(total, this.removeNodeNow(nodeId));
    }
    return total;
  }

  async removeNode(nodeId: string): Promise<PresenceCleanup> {
    return this.removeNodeNow(nodeId);
  }

  private removeNodeNow(nodeId: string): PresenceCleanup {
    this.heartbeats.delete(nodeId);
    const owned = new Set<string>();
    for (const record of this.connections.values()) if (record.nodeId === nodeId) owned.add(record.connectionId);
    for (const [connectionId, refs] of this.memberships) {
      for (const ref of refs.values()) {
        if (this.sets.get(ref.realm)?.get(ref.setKey)?.get(connectionId)?.nodeId === nodeId) owned.add(connectionId);
      }
    }
    for (const [connectionId, entry] of this.providers) if (entry.nodeId === nodeId) owned.add(connectionId);
    const total = emptyCleanup();
    for (const connectionId of owned) mergeInto(total, this.removeConnectionNow(connectionId));
    return total;
  }

  private removeConnectionNow(connectionId: string): PresenceCleanup {
    const cleanup = emptyCleanup();
    for (const ref of [...(this.memberships.get(connectionId)?.values() ?? [])]) {
      const removed = this.removeMemberNow(ref.realm, ref.setKey, connectionId);
      if (removed !== undefined) cleanup.members.push(removed);
    }
    const provider = this.providers.get(connectionId);
    if (provider !== undefined) {
      this.providers.delete(connectionId);
      for (const realm of provider.realms) {
        const ledger = this.ledgers.get(realm);
        if (ledger === undefined) continue;
        for (const change of ledger.remove(connectionId)) cleanup.statusChanges.push({ realm, change });
        if (ledger.isEmpty) this.ledgers.delete(realm);
      }
    }
    if (this.unindexConnection(connectionId)) cleanup.connections.push(connectionId);
    return cleanup;
  }

  private removeMemberNow(realm: string, setKey: string, connectionId: string): RemovedMember | undefined {
    const realmSets = this.sets.get(realm);
    const members = realmSets?.get(setKey);
    const member = members?.get(connectionId);
    if (realmSets === undefined || members === undefined || member === undefined) return undefined;
    members.delete(connectionId);
    if (members.size === 0) realmSets.delete(setKey);
    if (realmSets.size === 0) this.sets.delete(realm);
    const refs = this.memberships.get(connectionId);
    refs?.delete(membershipKey(realm, setKey));
    if (refs?.size === 0) this.memberships.delete(connectionId);
    const userLeft = member.visible && !hasVisibleConnectionOf(members, member.userId);
    return { realm, setKey, member, userLeft };
  }

  /** Drops a connection record and its index entries; whether there was one. */
  private unindexConnection(connectionId: string): boolean {
    const record = this.connections.get(connectionId);
    if (record === undefined) return false;
    this.connections.delete(connectionId);
    for (const realmKey of realmKeys(record.realms)) {
      const users = this.usersByRealm.get(realmKey);
      if (users === undefined) continue;
      const rest = withoutId(users.get(record.userId), connectionId);
      if (rest === undefined) users.delete(record.userId);
      else users.set(record.userId, rest);
      if (users.size === 0) this.usersByRealm.delete(realmKey);
    }
    return true;
  }

  private setMembers(realm: string, setKey: string): Map<string, MemberRecord> {
    let realmSets = this.sets.get(realm);
    if (realmSets === undefined) this.sets.set(realm, (realmSets = new Map()));
    let members = realmSets.get(setKey);
    if (members === undefined) realmSets.set(setKey, (members = new Map()));
    return members;
  }
}

/** A user's connection ids in a realm: one inline, a set once there are several. */
type ConnectionIds = string | Set<string>;

function idsOf(ids: ConnectionIds | undefined): Iterable<string> {
  return ids === undefined ? [] : typeof ids === 'string' ? [ids] : ids;
}

function withId(ids: ConnectionIds | undefined, id: string): ConnectionIds {
  if (ids === undefined || ids === id) return id;
  if (typeof ids === 'string') return new Set([ids, id]);
  return ids.add(id);
}

/** `ids` without `id`; `undefined` when none is left. */
function withoutId(ids: ConnectionIds | undefined, id: string): ConnectionIds | undefined {
  if (ids === undefined || ids === id) return undefined;
  if (typeof ids === 'string') return ids;
  ids.delete(id);
  if (ids.size > 1) return ids;
  return ids.values().next().value;
}

function realmKeys(realms: string[]): string[] {
  return realms.includes(ALL_REALMS) ? [ALL_REALMS] : [...new Set(realms)];
}

function membershipKey(realm: string, setKey: string): string {
  return `${realm}\u0000${setKey}`;
}

function hasVisibleConnectionOf(members: Map<string, MemberRecord> | undefined, userId: string): boolean {
  for (const member of members?.values() ?? []) if (member.visible && member.userId === userId) return true;
  return false;
}

function copyMember(member: MemberRecord): MemberRecord {
  return { ...member, state: structuredClone(member.state) };
}

function mergeInto(total: PresenceCleanup, part: PresenceCleanup): void {
  total.members.push(...part.members);
  total.statusChanges.push(...part.statusChanges);
  total.connections.push(...part.connections);
}
