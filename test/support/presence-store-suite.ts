import { beforeEach, describe, expect, it } from 'vitest';
import type { MemberRecord, PresenceStore } from '../../server/index.js';

const LIMITS = { maxMembers: 3, maxSetsPerConnection: 2 };

function member(connectionId: string, userId: string, overrides: Partial<MemberRecord> = {}): MemberRecord {
  return { userId, connectionId, joinedAt: 1000, state: {}, visible: true, nodeId: 'n1', ...overrides };
}

/**
 * The behaviour every {@link PresenceStore} must have, written once so that each implementation
 * (memory now, Redis later) runs the same suite, as the document stores do.
 *
 * @example
 * describePresenceStore('MemoryPresenceStore', () => new MemoryPresenceStore());
 */
export function describePresenceStore(name: string, create: () => PresenceStore | Promise<PresenceStore>): void {
  describe(`PresenceStore contract: ${name}`, () => {
    let store: PresenceStore;
    beforeEach(async () => {
      store = await create();
    });

    describe('connections', () => {
      it('finds connections by id and by user, scoped to the realms their tokens grant', async () => {
        await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 1 });
        await store.addConnection({ connectionId: 'c2', userId: 'alice', realms: ['a', 'b'], nodeId: 'n2', connectedAt: 2 });
        await store.addConnection({ connectionId: 'c3', userId: 'alice', realms: ['*'], nodeId: 'n1', connectedAt: 3 });
        expect(await store.getConnection('c2')).toEqual({ connectionId: 'c2', userId: 'alice', realms: ['a', 'b'], nodeId: 'n2', connectedAt: 2 });
        expect(await store.getConnection('nope')).toBeUndefined();
        expect((await store.findUserConnections('a', 'alice')).map((c) => c.connectionId).sort()).toEqual(['c1', 'c2', 'c3']);
        expect((await store.findUserConnections('b', 'alice')).map((c) => c.connectionId).sort()).toEqual(['c2', 'c3']);
        expect((await store.findUserConnections('z', 'alice')).map((c) => c.connectionId)).toEqual(['c3']);
        expect(await store.findUserConnections('a', 'bob')).toEqual([]);
        expect(await store.countConnections('a')).toBe(3);
        expect(await store.countConnections('z')).toBe(1);
        await store.removeConnection('c3');
        expect(await store.countConnections('z')).toBe(0);
      });

      it("keeps a user's connections right as they go from one to several and back to none", async () => {
        await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 1 });
        await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 1 });
        expect(await store.countConnections('a')).toBe(1);
        await store.addConnection({ connectionId: 'c2', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 2 });
        await store.addConnection({ connectionId: 'c3', userId: 'alice', realms: ['a'], nodeId: 'n2', connectedAt: 3 });
        await store.removeConnection('c1');
        await store.removeConnection('c3');
        expect((await store.findUserConnections('a', 'alice')).map((c) => c.connectionId)).toEqual(['c2']);
        expect(await store.countConnections('a')).toBe(1);
        await store.removeConnection('c2');
        expect(await store.findUserConnections('a', 'alice')).toEqual([]);
        expect(await store.countConnections('a')).toBe(0);
      });
    });

    describe('presence sets', () => {
      it('adds members once, in join order, and reports user-level joins and leaves', async () => {
        const first = await store.addMember('r', 'channel/x', member('c1', 'alice'), LIMITS);
        expect(first).toEqual({ status: 'added', member: member('c1', 'alice'), userJoined: true });
        expect(await store.addMember('r', 'channel/x', member('c2', 'alice'), LIMITS)).toMatchObject({ status: 'added', userJoined: false });
        expect(await store.addMember('r', 'channel/x', member('c1', 'alice', { state: { x: 1 } }), LIMITS)).toEqual({
          status: 'exists',
          member: member('c1', 'alice'),
        });
        expect((await store.listMembers('r', 'channel/x')).map((m) => m.connectionId)).toEqual(['c1', 'c2']);

        expect(await store.removeMember('r', 'channel/x', 'c1')).toMatchObject({ realm: 'r', setKey: 'channel/x', userLeft: false });
        expect(await store.removeMember('r', 'channel/x', 'c1')).toBeUndefined();
        expect(await store.removeMember('r', 'channel/x', 'c2')).toMatchObject({ userLeft: true, member: { connectionId: 'c2' } });
        expect(await store.listMembers('r', 'channel/x')).toEqual([]);
      });

      it('counts only visible connections for user-level joins and leaves', async () => {
        await store.addMember('r', 'channel/x', member('hidden', 'alice', { visible: false }), LIMITS);
        expect(await store.addMember('r', 'channel/x', member('shown', 'alice'), LIMITS)).toMatchObject({ userJoined: true });
        expect(await store.removeMember('r', 'channel/x', 'shown')).toMatchObject({ userLeft: true });
        expect(await store.removeMember('r', 'channel/x', 'hidden')).toMatchObject({ userLeft: false, member: { visible: false } });
      });

      it('refuses a member beyond the set cap and a set beyond the connection cap, atomically', async () => {
        for (const id of ['c1', 'c2', 'c3']) await store.addMember('r', 'channel/full', member(id, id), LIMITS);
        expect(await store.addMember('r', 'channel/full', member('c4', 'c4'), LIMITS)).toEqual({ status: 'set-full', limit: 3 });
        await store.addMember('r', 'channel/other', member('c1', 'c1'), LIMITS);
        expect(await store.addMember('r', 'doc/notes/n1', member('c1', 'c1'), LIMITS)).toEqual({ status: 'connection-full', limit: 2 });
        // The cap counts sets in every realm.
        expect(await store.addMember('r2', 'channel/full', member('c1', 'c1'), LIMITS)).toMatchObject({ status: 'connection-full' });
        await store.removeMember('r', 'channel/other', 'c1');
        expect(await store.addMember('r', 'doc/notes/n1', member('c1', 'c1'), LIMITS)).toMatchObject({ status: 'added' });
      });

      it('updates a member state without sharing the caller objects', async () => {
        const state = { cursor: { line: 1 } };
        await store.addMember('r', 'channel/x', member('c1', 'alice'), LIMITS);
        expect(await store.updateMemberState('r', 'channel/x', 'c1', state)).toMatchObject({ state: { cursor: { line: 1 } } });
        state.cursor.line = 99;
        expect((await store.listMembers('r', 'channel/x'))[0]?.state).toEqual({ cursor: { line: 1 } });
        expect(await store.updateMemberState('r', 'channel/x', 'nope', {})).toBeUndefined();
      });

      it('keeps realms apart and lists non-empty sets by prefix', async () => {
        await store.addMember('a', 'channel/lobby', member('c1', 'alice'), LIMITS);
        await store.addMember('a', 'channel/lobby', member('c2', 'bob'), LIMITS);
        await store.addMember('a', 'doc/notes/n1', member('c1', 'alice'), LIMITS);
        await store.addMember('b', 'channel/lobby', member('c3', 'carol'), LIMITS);
        expect(await store.listSets('a', 'channel/')).toEqual([{ setKey: 'channel/lobby', memberCount: 2 }]);
        expect(await store.listSets('a', 'doc/')).toEqual([{ setKey: 'doc/notes/n1', memberCount: 1 }]);
        expect((await store.listMembers('b', 'channel/lobby')).map((m) => m.userId)).toEqual(['carol']);
        expect(await store.listSets('c', 'channel/')).toEqual([]);
      });
    });

    describe('removing a connection', () => {
      it('removes its memberships and data-provider registrations and reports them', async () => {
        await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 1 });
        await store.addMember('a', 'channel/x', member('c1', 'alice'), LIMITS);
        await store.addMember('a', 'doc/notes/n1', member('c1', 'alice'), LIMITS);
        expect(await store.addProvider('a', 'c1', ['riders/1'], 'n1')).toEqual([{ id: 'riders/1', connectionStatus: 'connected' }]);

        const cleanup = await store.removeConnection('c1');
        expect(cleanup.connections).toEqual(['c1']);
        expect(cleanup.members.map((m) => m.setKey).sort()).toEqual(['channel/x', 'doc/notes/n1']);
        expect(cleanup.statusChanges).toEqual([{ realm: 'a', change: { id: 'riders/1', connectionStatus: 'disconnected' } }]);
        expect(await store.objectPresence('a', 'riders/1')).toEqual({ id: 'riders/1', connectionStatus: 'disconnected', providerCount: 0 });
        expect(await store.removeConnection('c1')).toEqual({ members: [], statusChanges: [], connections: [] });
      });
    });

    describe('a refreshed token', () => {
      it("lists a connection's memberships in every realm, with their member records", async () => {
        await store.addMember('a', 'channel/x', member('c1', 'alice', { state: { s: 1 } }), LIMITS);
        await store.addMember('b', 'doc/notes/n1', member('c1', 'alice', { visible: false }), LIMITS);
        await store.addMember('a', 'channel/x', member('c2', 'bob'), LIMITS);
        const memberships = await store.listMemberships('c1');
        expect(memberships.sort((p, q) => p.realm.localeCompare(q.realm))).toEqual([
          { realm: 'a', setKey: 'channel/x', member: member('c1', 'alice', { state: { s: 1 } }) },
          { realm: 'b', setKey: 'doc/notes/n1', member: member('c1', 'alice', { visible: false }) },
        ]);
        await store.removeMember('a', 'channel/x', 'c1');
        expect((await store.listMemberships('c1')).map((m) => m.setKey)).toEqual(['doc/notes/n1']);
        expect(await store.listMemberships('nobody')).toEqual([]);
      });

      it('withdraws some provider keys of a connection, announcing only what is no longer covered', async () => {
        await store.addConnection({ connectionId: 'c1', userId: 'alice', realms: ['a'], nodeId: 'n1', connectedAt: 1 });
        await store.addProvider('a', 'c1', ['riders/1', 'vans/*'], 'n1');
        // Added first, as a refresh does, so that riders/1 stays covered by riders/* throughout.
        expect(await store.addProvider('a', 'c1', ['riders/*'], 'n1')).toEqual([{ id: 'riders/*', connectionStatus: 'connected' }]);
        expect(await store.removeProvider('a', 'c1', ['riders/1'])).toEqual([]);
        expect(await store.objectPresence('a', 'riders/1')).toMatchObject({ connectionStatus: 'connected', providerCount: 1 });
        expect(await store.removeProvider('a', 'c1', ['vans/*', 'never-provided'])).toEqual([{ id: 'vans/*', connectionStatus: 'disconnected' }]);
        expect(await store.objectPresence('a', 'vans/3')).toMatchObject({ connectionStatus: 'disconnected' });
        expect(await store.removeProvider('b', 'c1', ['riders/*'])).toEqual([]);
        // What is left goes with the connection.
        expect((await store.removeConnection('c1')).statusChanges).toEqual([
          { realm: 'a', change: { id: 'riders/1', connectionStatus: 'disconnected' } },
          { realm: 'a', change: { id: 'riders/*', connectionStatus: 'disconnected' } },
        ]);
      });
    });

    describe('nodes', () => {
      async function populate(nodeId: string, connectionId: string): Promise<void> {
        await store.addConnection({ connectionId, userId: connectionId, realms: ['a'], nodeId, connectedAt: 1 });
        await store.addMember('a', 'channel/x', member(connectionId, connectionId, { nodeId }), LIMITS);
        await store.addProvider('a', connectionId, [`things/${connectionId}`], nodeId);
      }

      it('expires exactly the nodes whose heartbeat is older than the timeout, once', async () => {
        await store.heartbeat('live', 10_000);
        await store.heartbeat('dead', 5_000);
        await populate('live', 'l1');
        await populate('dead', 'd1');

        // 5000 ms after the dead node's beat is not yet more than the timeout.
        expect((await store.expireNodes(10_000, 5_000)).connections).toEqual([]);
        const cleanup = await store.expireNodes(10_001, 5_000);
        expect(cleanup.connections).toEqual(['d1']);
        expect(cleanup.members).toMatchObject([{ realm: 'a', setKey: 'channel/x', userLeft: true, member: { connectionId: 'd1' } }]);
        expect(cleanup.statusChanges).toEqual([{ realm: 'a', change: { id: 'things/d1', connectionStatus: 'disconnected' } }]);
        expect((await store.listMembers('a', 'channel/x')).map((m) => m.connectionId)).toEqual(['l1']);
        expect(await store.getConnection('l1')).toBeDefined();
        // Handed out once: a second sweep finds nothing.
        expect((await store.expireNodes(10_002, 5_000)).members).toEqual([]);
      });

      it('removes everything of a node on request, leaving other nodes alone', async () => {
        await store.heartbeat('n1', 1);
        await store.heartbeat('n2', 1);
        await populate('n1', 'a1');
        await populate('n2', 'b1');
        const cleanup = await store.removeNode('n1');
        expect(cleanup.connections).toEqual(['a1']);
        expect(await store.countConnections('a')).toBe(1);
        expect((await store.objectPresence('a', 'things/b1')).connectionStatus).toBe('connected');
      });
    });
  });
}
