import type { RedisClient } from '../cluster/redis-client.js';
import {
  ALL_REALMS,
  UnavailableError,
  isPattern,
  type ConnectionStatus,
  type ConnectionStatusChange,
  type ObjectPresence,
  type PresenceState,
} from '../../shared/index.js';
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

/**
 * Lua shared by the scripts.
 *
 * Members: `<seq>\n<meta JSON>\n<state JSON>` (`seq` orders members by join; JSON never holds a raw
 * newline). Scripts decode the meta only to read `userId` and `visible`, and never re-encode JSON
 * (cjson would turn `[]` into `{}` and round large numbers).
 *
 * Data providers: the rules of `ProviderLedger` (see provider-ledger.ts, whose tests and a
 * differential contract test pin this port) over Redis structures per realm, `dp` naming them:
 * `dp.keys .. key` (set of connections providing a key), `dp.wild` (set of live pattern keys),
 * `dp.connected` (sorted set of named entries that are connected, by when they became so) and
 * `dp.of` (list of one connection's keys). `matches` is `matchesPattern` of shared/id-pattern.ts.
 */
const LUA_HELPERS = `
local function own(nodeIndex, nodesOf, nodes, cid, nodeId, at)
  redis.call('SADD', nodeIndex, cid)
  redis.call('SADD', nodesOf, nodeIndex)
  if at then redis.call('ZADD', nodes, 'NX', at, nodeId) end
end

local function unindex_connection(conn, counts, cid)
  local stored = redis.call('HMGET', conn, 'users', 'realms')
  if not stored[1] then return false end
  for _, key in ipairs(cjson.decode(stored[1])) do redis.call('SREM', key, cid) end
  for _, realmKey in ipairs(cjson.decode(stored[2])) do
    if redis.call('HINCRBY', counts, realmKey, -1) <= 0 then redis.call('HDEL', counts, realmKey) end
  end
  redis.call('DEL', conn)
  return true
end

local function remove_member(ref, cid, memberships, field)
  redis.call('HDEL', memberships, field)
  local value = redis.call('HGET', ref.set, cid)
  if not value then return nil end
  redis.call('HDEL', ref.set, cid)
  local first = string.find(value, '\\n', 1, true)
  local second = string.find(value, '\\n', first + 1, true)
  local meta = cjson.decode(string.sub(value, first + 1, second - 1))
  local userLeft = 0
  if meta.visible == true then
    if redis.call('HINCRBY', ref.users, meta.userId, -1) <= 0 then
      redis.call('HDEL', ref.users, meta.userId)
      userLeft = 1
    end
  end
  local count = redis.call('HLEN', ref.set)
  if count == 0 then redis.call('HDEL', ref.sets, ref.setKey) else redis.call('HSET', ref.sets, ref.setKey, count) end
  return { ref.realm, ref.setKey, value, userLeft }
end

local function forget_if_gone(conn, memberships, provides, nodesOf, cid)
  if redis.call('EXISTS', conn) == 1 or redis.call('HLEN', memberships) > 0 or redis.call('HLEN', provides) > 0 then return end
  for _, nodeIndex in ipairs(redis.call('SMEMBERS', nodesOf)) do redis.call('SREM', nodeIndex, cid) end
  redis.call('DEL', nodesOf)
end

local function is_pattern(key) return string.find(key, '*', 1, true) ~= nil end

-- Splits on a plain separator, keeping empty parts ('a//b' → 'a', '', 'b').
local function split(text, separator)
  local parts, start = {}, 1
  while true do
    local at = string.find(text, separator, start, true)
    if not at then
      parts[#parts + 1] = string.sub(text, start)
      return parts
    end
    parts[#parts + 1] = string.sub(text, start, at - 1)
    start = at + 1
  end
end

-- Whether a whole id segment matches a pattern segment whose every '*' stays within the segment:
-- the first literal part anchored at the start, the last at the end, the others placed leftmost
-- in order with a plain find. No Lua pattern and no backtracking, so never exponential.
local function segment_matches(glob, text)
  local parts = split(glob, '*')
  if #parts == 1 then return glob == text end
  local head, tail = parts[1], parts[#parts]
  if #head + #tail > #text then return false end
  if string.sub(text, 1, #head) ~= head then return false end
  if #tail > 0 and string.sub(text, -#tail) ~= tail then return false end
  local cursor, limit = #head + 1, #text - #tail
  for i = 2, #parts - 1 do
    local part = parts[i]
    if #part > 0 then
      local at = string.find(text, part, cursor, true)
      if not at or at + #part - 1 > limit then return false end
      cursor = at + #part
    end
  end
  return true
end

-- matchesPattern of shared/id-pattern.ts, by the same steps: segment counts line up (a trailing
-- '*' lets the id run on), a whole inner '*' is one non-empty segment.
local function matches(pattern, id)
  if pattern == '*' then return true end
  local star = string.find(pattern, '*', 1, true)
  if not star then return pattern == id end
  if star == #pattern then return string.sub(id, 1, #pattern - 1) == string.sub(pattern, 1, -2) end
  local segments = split(pattern, '/')
  local parts = split(id, '/')
  local last = #segments
  local open = string.sub(segments[last], -1) == '*'
  if #parts < last or (not open and #parts > last) then return false end
  for index = 1, last do
    local segment = segments[index]
    if index < last and segment == '*' then
      if #parts[index] == 0 then return false end
    elseif not segment_matches(segment, parts[index]) then
      return false
    end
  end
  return true
end

local function covers(dp, entry)
  if redis.call('SCARD', dp.keys .. entry) > 0 then return true end
  for _, pattern in ipairs(redis.call('SMEMBERS', dp.wild)) do
    if pattern ~= entry and matches(pattern, entry) then return true end
  end
  return false
end

-- Removes the connection's keys in a realm; only those in the set 'only' when it is given.
local function ledger_remove(dp, cid, only)
  local keys = redis.call('LRANGE', dp.of, 0, -1)
  if only then
    local picked = {}
    for _, key in ipairs(keys) do
      if only[key] then
        picked[#picked + 1] = key
        redis.call('LREM', dp.of, 0, key)
      end
    end
    keys = picked
  else
    redis.call('DEL', dp.of)
  end
  local dead = {}
  for _, key in ipairs(keys) do
    redis.call('SREM', dp.keys .. key, cid)
    if redis.call('SCARD', dp.keys .. key) == 0 then
      redis.call('SREM', dp.wild, key)
      dead[#dead + 1] = key
    end
  end
  local changes = {}
  if #dead == 0 then return changes end
  -- The entries a dead key may have left uncovered, in the order they became connected: only the
  -- dead keys themselves when none is a pattern, else every connected entry.
  local candidates = {}
  local anyPattern = false
  for _, key in ipairs(dead) do anyPattern = anyPattern or is_pattern(key) end
  if anyPattern then
    candidates = redis.call('ZRANGE', dp.connected, 0, -1)
  else
    local scored = {}
    for _, key in ipairs(dead) do
      local score = redis.call('ZSCORE', dp.connected, key)
      if score then scored[#scored + 1] = { tonumber(score), key } end
    end
    table.sort(scored, function(a, b) return a[1] < b[1] end)
    for _, pair in ipairs(scored) do candidates[#candidates + 1] = pair[2] end
  end
  for _, entry in ipairs(candidates) do
    local affected = false
    for _, key in ipairs(dead) do
      if key == entry or (is_pattern(key) and matches(key, entry)) then affected = true break end
    end
    if affected and not covers(dp, entry) then
      redis.call('ZREM', dp.connected, entry)
      changes[#changes + 1] = entry
    end
  end
  return changes
end
`;

/**
 * Records a connection, replacing (and unindexing) one with the same id.
 * KEYS: conn, counts, nodeIndex, nodesOf, nodes, userIndex...; ARGV: cid, record, users, realms,
 * nodeId, connectedAt, realmKey...
 */
const ADD_CONNECTION = `${LUA_HELPERS}
unindex_connection(KEYS[1], KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'record', ARGV[2], 'users', ARGV[3], 'realms', ARGV[4])
for i = 6, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
for i = 7, #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], 1) end
own(KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[5], ARGV[6])
`;

/** The records of the connections in the user indexes KEYS; ARGV[1] is the connection key prefix. */
const FIND_CONNECTIONS = `
local records = {}
for i = 1, #KEYS do
  for _, cid in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    local record = redis.call('HGET', ARGV[1] .. cid, 'record')
    if record then records[#records + 1] = record end
  end
end
return records
`;

/**
 * Removes a connection with its memberships and provider registrations. Answers whether there was
 * a record, how many objects became disconnected, `realm, id` for each, then `realm, setKey,
 * member, userLeft` per removed member. KEYS: conn, counts, memberships, provides, nodesOf; ARGV: cid.
 */
const REMOVE_CONNECTION = `${LUA_HELPERS}
local cid = ARGV[1]
local out = { unindex_connection(KEYS[1], KEYS[2], cid) and 1 or 0, 0 }
local provided = redis.call('HGETALL', KEYS[4])
for i = 1, #provided, 2 do
  for _, id in ipairs(ledger_remove(cjson.decode(provided[i + 1]), cid)) do
    out[#out + 1] = provided[i]
    out[#out + 1] = id
    out[2] = out[2] + 1
  end
end
redis.call('DEL', KEYS[4])
local refs = redis.call('HGETALL', KEYS[3])
for i = 1, #refs, 2 do
  local removed = remove_member(cjson.decode(refs[i + 1]), cid, KEYS[3], refs[i])
  if removed then for _, part in ipairs(removed) do out[#out + 1] = part end end
end
forget_if_gone(KEYS[1], KEYS[3], KEYS[4], KEYS[5], cid)
return out
`;

/**
 * Adds a member unless it is one already or a cap refuses it.
 * KEYS: set, setUsers, realmSets, memberships, nodeIndex, nodesOf, nodes, seq; ARGV: cid, setKey,
 * maxMembers, maxSets, visible, userId, payload (meta and state), ref, nodeId, joinedAt.
 */
const ADD_MEMBER = `${LUA_HELPERS}
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return { 'exists', existing } end
local maxMembers = tonumber(ARGV[3])
if maxMembers >= 0 and redis.call('HLEN', KEYS[1]) >= maxMembers then return { 'set-full' } end
local maxSets = tonumber(ARGV[4])
if maxSets >= 0 and redis.call('HLEN', KEYS[4]) >= maxSets then return { 'connection-full' } end
local value = redis.call('INCR', KEYS[8]) .. '\\n' .. ARGV[7]
redis.call('HSET', KEYS[1], ARGV[1], value)
local userJoined = 0
if ARGV[5] == '1' and redis.call('HINCRBY', KEYS[2], ARGV[6], 1) == 1 then userJoined = 1 end
redis.call('HSET', KEYS[3], ARGV[2], redis.call('HLEN', KEYS[1]))
redis.call('HSET', KEYS[4], KEYS[1], ARGV[8])
own(KEYS[5], KEYS[6], KEYS[7], ARGV[1], ARGV[9], ARGV[10])
return { 'added', value, userJoined }
`;

/** Replaces a member's state. KEYS: set; ARGV: cid, state. */
const UPDATE_MEMBER = `
local value = redis.call('HGET', KEYS[1], ARGV[1])
if not value then return false end
local first = string.find(value, '\\n', 1, true)
local second = string.find(value, '\\n', first + 1, true)
value = string.sub(value, 1, second) .. ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], value)
return value
`;

/** Removes one membership. KEYS: memberships, conn, provides, nodesOf; ARGV: cid, set key. */
const REMOVE_MEMBER = `${LUA_HELPERS}
local ref = redis.call('HGET', KEYS[1], ARGV[2])
if not ref then return false end
local removed = remove_member(cjson.decode(ref), ARGV[1], KEYS[1], ARGV[2])
forget_if_gone(KEYS[2], KEYS[1], KEYS[3], KEYS[4], ARGV[1])
return removed or false
`;

/**
 * Registers a connection as provider of keys in a realm (`ProviderLedger.add`): the keys come
 * deduplicated with patterns first; answers the entries that became connected.
 * KEYS: provides, nodeIndex, nodesOf, seq; ARGV: cid, realm, dp (JSON), key...
 */
const ADD_PROVIDER = `${LUA_HELPERS}
local cid = ARGV[1]
local dp = cjson.decode(ARGV[3])
local mine = {}
for _, key in ipairs(redis.call('LRANGE', dp.of, 0, -1)) do mine[key] = true end
local changes = {}
for i = 4, #ARGV do
  local key = ARGV[i]
  if not mine[key] then
    mine[key] = true
    redis.call('RPUSH', dp.of, key)
    local alreadyCovered = covers(dp, key)
    redis.call('SADD', dp.keys .. key, cid)
    if is_pattern(key) then redis.call('SADD', dp.wild, key) end
    if not redis.call('ZSCORE', dp.connected, key) then
      redis.call('ZADD', dp.connected, redis.call('INCR', KEYS[4]), key)
      if not alreadyCovered then changes[#changes + 1] = key end
    end
  end
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
own(KEYS[2], KEYS[3], nil, cid, nil, nil)
return changes
`;

/**
 * Withdraws some provider keys of a connection in a realm (`ProviderLedger.removeKeys`); answers the
 * entries that became disconnected. KEYS: provides, conn, memberships, nodesOf; ARGV: cid, realm,
 * dp (JSON), key...
 */
const REMOVE_PROVIDER = `${LUA_HELPERS}
local cid = ARGV[1]
local dp = cjson.decode(ARGV[3])
local only = {}
for i = 4, #ARGV do only[ARGV[i]] = true end
local changes = ledger_remove(dp, cid, only)
if redis.call('LLEN', dp.of) == 0 then redis.call('HDEL', KEYS[1], ARGV[2]) end
forget_if_gone(KEYS[2], KEYS[3], KEYS[1], KEYS[4], cid)
return changes
`;

/** A connection's memberships: `realm, setKey, member` for each. KEYS: memberships; ARGV: cid. */
const LIST_MEMBERSHIPS = `
local out = {}
for _, encoded in ipairs(redis.call('HVALS', KEYS[1])) do
  local ref = cjson.decode(encoded)
  local value = redis.call('HGET', ref.set, ARGV[1])
  if value then
    out[#out + 1] = ref.realm
    out[#out + 1] = ref.setKey
    out[#out + 1] = value
  end
end
return out
`;

/**
 * How many connections provide an id, directly or through a live pattern (`ProviderLedger.presence`).
 * KEYS: the realm's pattern set (for routing); ARGV: dp (JSON), id.
 */
const OBJECT_PRESENCE = `${LUA_HELPERS}
local dp = cjson.decode(ARGV[1])
local id = ARGV[2]
local seen, count = {}, 0
local function add_all(set)
  for _, cid in ipairs(redis.call('SMEMBERS', set)) do
    if not seen[cid] then seen[cid] = true count = count + 1 end
  end
end
add_all(dp.keys .. id)
for _, pattern in ipairs(redis.call('SMEMBERS', dp.wild)) do
  if pattern ~= id and matches(pattern, id) then add_all(dp.keys .. pattern) end
end
return count
`;

/**
 * Drops a node from the heartbeat set once it owns nothing, and (unless ARGV[2] is `force`) only
 * while its last beat is still before ARGV[3]. KEYS: nodes, nodeIndex; ARGV: nodeId, mode, before.
 */
const FORGET_NODE = `
if redis.call('SCARD', KEYS[2]) > 0 then return 0 end
if ARGV[2] ~= 'force' then
  local beat = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if not beat or tonumber(beat) >= tonumber(ARGV[3]) then return 0 end
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1
`;

/** How many connections of a dead node are removed at once. */
const SWEEP_CONCURRENCY = 8;

/** Where a membership points: enough for a script to remove it without building keys. */
interface MembershipRef {
  realm: string;
  setKey: string;
  set: string;
  users: string;
  sets: string;
}

/** The data-provider keys of a realm (for one connection), as the scripts' `dp` reads them. */
interface ProviderKeys {
  keys: string;
  wild: string;
  connected: string;
  of: string;
}

/**
 * The {@link PresenceStore} of a cluster: every node's connections, presence sets and data
 * providers in one Redis, so that presence reads the same from every node and a direct message
 * finds its recipient wherever it is connected.
 *
 * Why it is built this way: each store method is one Lua script, and a script runs alone in Redis,
 * so each step is atomic across nodes with no lock in any process and no retry: caps are checked,
 * user-level joins and leaves and data-provider status changes computed, in the same step that
 * writes. Removing a connection (a disconnect, or a dead node's sweep) removes its record,
 * memberships and provider registrations in one script, so exactly one caller gets each removed
 * entry back to announce. Reads of one connection, one user or one set touch only their keys.
 * (A realm-wide provider document updated by compare-and-set was tried first: a burst of providers
 * connecting at once in one realm made it retry for seconds.)
 *
 * Keys, all under `<prefix>:{presence}:` (one hash tag: scripts touch keys of several realms):
 * `conn:<id>` (hash: record, index keys), `user:<realm>:<userId>` (set of connection ids; realm
 * `*` for all-realm tokens), `conncount` (hash realm → connections), `set:<realm>:<setKey>` (hash
 * connection → member), `setusers:<realm>:<setKey>` (hash user → visible connections),
 * `sets:<realm>` (hash setKey → member count), `memberships:<id>` (hash set key → ref),
 * `dpkey:<realm>:<key>`, `dpwild:<realm>`, `dpconnected:<realm>`, `dpof:<realm>:<id>` (data
 * providers), `provides:<id>` (hash realm → provider keys), `nodes` (sorted set node → last
 * heartbeat), `node:<nodeId>` (set of connection ids it owns), `nodesof:<id>` and `seq`.
 *
 * @example
 * const store = new RedisPresenceStore(cluster.data, 'rt');
 * await store.heartbeat('node-1', Date.now());
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly base: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix = 'rt',
  ) {
    this.base = `${keyPrefix}:{presence}`;
  }

  async addConnection(connection: ConnectionRecord): Promise<void> {
    const { connectionId, userId, nodeId } = connection;
    const realms = realmKeys(connection.realms);
    const users = realms.map((realm) => this.realmKey('user', realm, userId));
    const record: ConnectionRecord = { ...connection, realms: [...connection.realms] };
    const own = this.of(connectionId);
    await this.eval(
      ADD_CONNECTION,
      [own.conn, this.key('conncount'), this.key('node', nodeId), own.nodesOf, this.key('nodes'), ...users],
      [connectionId, JSON.stringify(record), JSON.stringify(users), JSON.stringify(realms), nodeId, String(connection.connectedAt), ...realms],
    );
  }

  async getConnection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const record = await this.run(() => this.redis.hget(this.of(connectionId).conn, 'record'));
    return record === null ? undefined : (JSON.parse(record) as ConnectionRecord);
  }

  async findUserConnections(realm: string, userId: string): Promise<ConnectionRecord[]> {
    const indexes = [...new Set([realm, ALL_REALMS])].map((realmKey) => this.realmKey('user', realmKey, userId));
    const records = await this.eval(FIND_CONNECTIONS, indexes, [this.key('conn', '')]);
    return strings(records).map((record) => JSON.parse(record) as ConnectionRecord);
  }

  async countConnections(realm: string): Promise<number> {
    const counts = await this.run(() => this.redis.hmget(this.key('conncount'), ...new Set([realm, ALL_REALMS])));
    return counts.reduce((sum, count) => sum + Number(count ?? 0), 0);
  }

  async removeConnection(connectionId: string): Promise<PresenceCleanup> {
    const own = this.of(connectionId);
    const reply = strings(await this.eval(REMOVE_CONNECTION, [own.conn, this.key('conncount'), own.memberships, own.provides, own.nodesOf], [connectionId]));
    const cleanup = emptyCleanup();
    if (reply[0] === '1') cleanup.connections.push(connectionId);
    const membersFrom = 2 + 2 * Number(reply[1] ?? 0);
    for (let i = 2; i < membersFrom; i += 2) {
      cleanup.statusChanges.push({ realm: reply[i] as string, change: statusChange(reply[i + 1] as string, 'disconnected') });
    }
    for (let i = membersFrom; i + 3 < reply.length; i += 4) cleanup.members.push(removedMember(reply.slice(i, i + 4)));
    return cleanup;
  }

  async addMember(realm: string, setKey: string, member: MemberRecord, limits: AddMemberLimits): Promise<AddMemberResult> {
    const { connectionId, nodeId } = member;
    const own = this.of(connectionId);
    const ref: MembershipRef = {
      realm,
      setKey: wellFormed(setKey),
      set: this.realmKey('set', realm, setKey),
      users: this.realmKey('setusers', realm, setKey),
      sets: this.realmKey('sets', realm),
    };
    const reply = await this.eval(
      ADD_MEMBER,
      [ref.set, ref.users, ref.sets, own.memberships, this.key('node', nodeId), own.nodesOf, this.key('nodes'), this.key('seq')],
      [
        connectionId,
        ref.setKey,
        cap(limits.maxMembers),
        cap(limits.maxSetsPerConnection),
        member.visible ? '1' : '0',
        wellFormed(member.userId),
        memberPayload(member),
        JSON.stringify(ref),
        nodeId,
        String(member.joinedAt),
      ],
    );
    const [status, value, userJoined] = strings(reply);
    if (status === 'set-full') return { status, limit: limits.maxMembers };
    if (status === 'connection-full') return { status, limit: limits.maxSetsPerConnection };
    const stored = parseMember(value ?? '');
    return status === 'exists' ? { status, member: stored } : { status: 'added', member: stored, userJoined: userJoined === '1' };
  }

  async updateMemberState(realm: string, setKey: string, connectionId: string, state: PresenceState): Promise<MemberRecord | undefined> {
    const value = await this.eval(UPDATE_MEMBER, [this.realmKey('set', realm, setKey)], [connectionId, JSON.stringify(state)]);
    return typeof value === 'string' ? parseMember(value) : undefined;
  }

  async removeMember(realm: string, setKey: string, connectionId: string): Promise<RemovedMember | undefined> {
    const own = this.of(connectionId);
    const reply = await this.eval(REMOVE_MEMBER, [own.memberships, own.conn, own.provides, own.nodesOf], [connectionId, this.realmKey('set', realm, setKey)]);
    return Array.isArray(reply) ? removedMember(strings(reply)) : undefined;
  }

  async listMembers(realm: string, setKey: string): Promise<MemberRecord[]> {
    const values = await this.run(() => this.redis.hvals(this.realmKey('set', realm, setKey)));
    return values
      .map((value) => ({ order: Number(value.slice(0, value.indexOf('\n'))), member: parseMember(value) }))
      .sort((a, b) => a.order - b.order)
      .map((entry) => entry.member);
  }

  async listSets(realm: string, prefix: string): Promise<PresenceSetSummary[]> {
    const counts = await this.run(() => this.redis.hgetall(this.realmKey('sets', realm)));
    return Object.entries(counts)
      .filter(([setKey]) => setKey.startsWith(prefix))
      .map(([setKey, count]) => ({ setKey, memberCount: Number(count) }))
      .sort((a, b) => (a.setKey < b.setKey ? -1 : a.setKey > b.setKey ? 1 : 0));
  }

  async addProvider(realm: string, connectionId: string, patterns: string[], nodeId: string): Promise<ConnectionStatusChange[]> {
    const own = this.of(connectionId);
    // As ProviderLedger.add: each key once, patterns first (so ids they cover stay quiet).
    const keys = [...new Set(patterns.map(wellFormed))].sort((a, b) => Number(isPattern(b)) - Number(isPattern(a)));
    const changes = await this.eval(
      ADD_PROVIDER,
      [own.provides, this.key('node', nodeId), own.nodesOf, this.key('seq')],
      [connectionId, realm, JSON.stringify(this.providerKeys(realm, connectionId)), ...keys],
    );
    return strings(changes).map((id) => statusChange(id, 'connected'));
  }

  async removeProvider(realm: string, connectionId: string, patterns: string[]): Promise<ConnectionStatusChange[]> {
    if (patterns.length === 0) return [];
    const own = this.of(connectionId);
    const changes = await this.eval(
      REMOVE_PROVIDER,
      [own.provides, own.conn, own.memberships, own.nodesOf],
      [connectionId, realm, JSON.stringify(this.providerKeys(realm, connectionId)), ...new Set(patterns.map(wellFormed))],
    );
    return strings(changes).map((id) => statusChange(id, 'disconnected'));
  }

  async listMemberships(connectionId: string): Promise<ConnectionMembership[]> {
    const reply = strings(await this.eval(LIST_MEMBERSHIPS, [this.of(connectionId).memberships], [connectionId]));
    const result: ConnectionMembership[] = [];
    for (let i = 0; i + 2 < reply.length; i += 3) {
      result.push({ realm: reply[i] as string, setKey: reply[i + 1] as string, member: parseMember(reply[i + 2] as string) });
    }
    return result;
  }

  async objectPresence(realm: string, id: string): Promise<ObjectPresence> {
    const dp = this.providerKeys(realm, '');
    const providers = Number(await this.eval(OBJECT_PRESENCE, [dp.wild], [JSON.stringify(dp), wellFormed(id)]));
    return { id, connectionStatus: providers > 0 ? 'connected' : 'disconnected', providerCount: providers };
  }

  async heartbeat(nodeId: string, now: number): Promise<void> {
    await this.run(() => this.redis.zadd(this.key('nodes'), now, nodeId));
  }

  async expireNodes(now: number, timeoutMs: number): Promise<PresenceCleanup> {
    // Dead: the last beat is more than `timeoutMs` before `now` (exclusive bound).
    const before = now - timeoutMs;
    const dead = await this.run(() => this.redis.zrangebyscore(this.key('nodes'), '-inf', `(${before}`));
    return this.removeNodes(dead, 'expired', before);
  }

  async removeNode(nodeId: string): Promise<PresenceCleanup> {
    return this.removeNodes([nodeId], 'force', 0);
  }

  /**
   * Removes every connection the nodes own, then forgets each node that owns nothing any more
   * (`expired`: only while its last beat is still before `before`, so a node that came back stays).
   * Each connection's removal is atomic on its own, so two nodes sweeping the same dead node at once
   * each get back a disjoint part of what it held.
   */
  private async removeNodes(nodeIds: string[], mode: 'expired' | 'force', before: number): Promise<PresenceCleanup> {
    const total = emptyCleanup();
    try {
      for (const nodeId of nodeIds) {
        const index = this.key('node', nodeId);
        // A few passes pick up entries added while sweeping; anything later waits for the next sweep.
        for (let pass = 0; pass < 3; pass += 1) {
          const owned = await this.run(() => this.redis.smembers(index));
          if (owned.length === 0) break;
          for (let i = 0; i < owned.length; i += SWEEP_CONCURRENCY) {
            const results = await Promise.allSettled(owned.slice(i, i + SWEEP_CONCURRENCY).map((id) => this.removeConnection(id)));
            for (const result of results) if (result.status === 'fulfilled') mergeInto(total, result.value);
            const failed = results.find((result) => result.status === 'rejected');
            if (failed !== undefined) throw failed.reason;
          }
        }
        await this.eval(FORGET_NODE, [this.key('nodes'), index], [nodeId, mode, String(before)]);
      }
    } catch (err) {
      // What was removed before Redis failed is handed back (this caller alone announces it); the
      // rest stays for the next sweep. Only a call that removed nothing reports the failure.
      if (total.members.length === 0 && total.statusChanges.length === 0 && total.connections.length === 0) throw err;
    }
    return total;
  }

  /** The keys of one connection's own entries. */
  private of(connectionId: string): { conn: string; memberships: string; provides: string; nodesOf: string } {
    return {
      conn: this.key('conn', connectionId),
      memberships: this.key('memberships', connectionId),
      provides: this.key('provides', connectionId),
      nodesOf: this.key('nodesof', connectionId),
    };
  }

  /** A realm's data-provider keys (`of`: the given connection's key list). */
  private providerKeys(realm: string, connectionId: string): ProviderKeys {
    return {
      keys: `${this.realmKey('dpkey', realm)}:`,
      wild: this.realmKey('dpwild', realm),
      connected: this.realmKey('dpconnected', realm),
      of: this.realmKey('dpof', realm, connectionId),
    };
  }

  /** A key under this store's prefix: `<prefix>:{presence}:<part>:<part>...`. */
  private key(...parts: string[]): string {
    return [this.base, ...parts].join(':');
  }

  /** The key of a realm-scoped entry; the realm is escaped so that it never holds a `:`. */
  private realmKey(kind: string, realm: string, rest?: string): string {
    const segment = realm.replace(/[%:]/g, (char) => (char === '%' ? '%25' : '%3A'));
    return rest === undefined ? this.key(kind, segment) : this.key(kind, segment, wellFormed(rest));
  }

  private eval(script: string, keys: string[], args: string[]): Promise<unknown> {
    return this.run(() => this.redis.eval(script, keys.length, ...keys, ...args));
  }

  private async run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw new UnavailableError('Presence (Redis) is unavailable', { cause: err });
    }
  }
}

/** The realm keys a connection is indexed under: `*` alone when granted all realms. */
function realmKeys(realms: string[]): string[] {
  return realms.includes(ALL_REALMS) ? [ALL_REALMS] : [...new Set(realms)];
}

/**
 * The string with lone UTF-16 surrogates replaced, as ioredis sends it: scripts read some ids back
 * out of JSON (cjson), which must give the same bytes as the id sent as an argument.
 */
function wellFormed(value: string): string {
  return value.replace(/\p{Cs}/gu, '\uFFFD');
}

/** A cap for a script: `-1` for none. */
function cap(limit: number): string {
  return Number.isFinite(limit) ? String(limit) : '-1';
}

/** What a script stores after the join sequence: `<meta JSON>\n<state JSON>`. */
function memberPayload(member: MemberRecord): string {
  const { connectionId, joinedAt, visible, nodeId, state } = member;
  return `${JSON.stringify({ userId: wellFormed(member.userId), connectionId, joinedAt, visible, nodeId })}\n${JSON.stringify(state)}`;
}

function parseMember(value: string): MemberRecord {
  const first = value.indexOf('\n');
  const second = value.indexOf('\n', first + 1);
  const meta = JSON.parse(value.slice(first + 1, second)) as Omit<MemberRecord, 'state'>;
  return { ...meta, state: JSON.parse(value.slice(second + 1)) as PresenceState };
}

/** A removed member from a script's `realm, setKey, value, userLeft`. */
function removedMember([realm, setKey, value, userLeft]: string[]): RemovedMember {
  return { realm: realm ?? '', setKey: setKey ?? '', member: parseMember(value ?? ''), userLeft: userLeft === '1' };
}

function statusChange(id: string, connectionStatus: ConnectionStatus): ConnectionStatusChange {
  return { id, connectionStatus };
}

/** A script reply as strings (integers become their decimal text). */
function strings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map((part) => String(part)) : [];
}

function mergeInto(total: PresenceCleanup, part: PresenceCleanup): void {
  total.members.push(...part.members);
  total.statusChanges.push(...part.statusChanges);
  total.connections.push(...part.connections);
}
