/**
 * The Lua scripts of {@link RedisEventHistory}, each one atomic step.
 *
 * Keys of a realm R, all under one hash tag (one Redis Cluster slot per realm), with base
 * `<prefix>:history:{R}:`:
 *
 * - `s:<topic>`: the stream; entry `0-<seq>` has fields `e` (the event's JSON) and `r` (its rank,
 *   a counter of the realm: the realm's append order across its streams);
 * - `m:<topic>`: the stream's meta hash, `epoch` and `seq` (its last sequence number);
 * - `order`: sorted set of the realm's non-empty streams, scored by the rank of their oldest entry
 *   (so its first member holds the oldest event of the realm);
 * - `streams`: sorted set of the realm's streams, scored by the time (Redis `TIME`, ms) of their
 *   last append or creation (least recently used first), for the stream count bound and to find
 *   streams that expired;
 * - `totals`: hash, `bytes` (the realm's total), `seq` (the rank counter) and `b:<topic>` (each
 *   stream's bytes).
 *
 * Every key expires `maxAgeMs` after the last append that touched it, so a stream idle that long
 * disappears, and the realm's keys do once all its streams did. A stream whose keys expired while
 * its realm stayed busy leaves its line in `totals` and its members in the sorted sets: each append
 * first clears those of every stream idle for longer than the TTL whose key is gone.
 */

/** Helpers shared by the scripts. Expects `base`, `order`, `streams` and `totals` to be set. */
const HELPERS = `
local function stream_key(topic) return base .. 's:' .. topic end
local function meta_key(topic) return base .. 'm:' .. topic end

-- Forgets the realm's bookkeeping of a stream (its bytes and its places in both sorted sets).
local function forget_stream(topic)
  local bytes = tonumber(redis.call('HGET', totals, 'b:' .. topic) or '0')
  if bytes ~= 0 then redis.call('HINCRBY', totals, 'bytes', -bytes) end
  redis.call('HDEL', totals, 'b:' .. topic)
  redis.call('ZREM', order, topic)
  redis.call('ZREM', streams, topic)
end

-- Drops a stream entirely: its next event starts a new epoch.
local function drop_stream(topic)
  redis.call('DEL', stream_key(topic), meta_key(topic))
  forget_stream(topic)
end

-- Removes the oldest entry of a stream; returns its size (0 when the stream has none).
local function remove_oldest(topic)
  local key = stream_key(topic)
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1]
  if first == nil then
    redis.call('ZREM', order, topic)
    return 0
  end
  local size = string.len(first[2][2])
  local seq = tonumber(string.sub(first[1], 3))
  redis.call('XTRIM', key, 'MINID', '0-' .. (seq + 1))
  redis.call('HINCRBY', totals, 'b:' .. topic, -size)
  redis.call('HINCRBY', totals, 'bytes', -size)
  local following = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1]
  if following == nil then
    redis.call('ZREM', order, topic)
  else
    redis.call('ZADD', order, tonumber(following[2][4]), topic)
  end
  return size
end

local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- Forgets the bookkeeping of streams idle for longer than ttl whose keys expired.
local function purge_expired(now, ttl)
  local idle = redis.call('ZRANGEBYSCORE', streams, '-inf', '(' .. (now - ttl))
  for _, topic in ipairs(idle) do
    if redis.call('EXISTS', stream_key(topic)) == 0 then forget_stream(topic) end
  end
end

-- Drops the least recently used streams while the realm has more than max_streams.
local function enforce_stream_count(max_streams)
  while redis.call('ZCARD', streams) > max_streams do
    drop_stream(redis.call('ZRANGE', streams, 0, 0)[1])
  end
end

-- Starts the stream over when its meta is new (a stream key left without one is stale).
local function start_if_new(stream, meta, topic, epoch)
  if redis.call('HSETNX', meta, 'epoch', epoch) == 1 then
    redis.call('DEL', stream)
    forget_stream(topic)
    return true
  end
  if redis.call('EXISTS', stream) == 0 and redis.call('HEXISTS', totals, 'b:' .. topic) == 1 then
    -- The stream expired while its meta lived on: its events are gone, its bytes too. (A stream
    -- that never had an event has no key either, and stays counted among the realm's streams.)
    forget_stream(topic)
  end
  return false
end
`;

/**
 * Appends an event: KEYS stream, meta, order, streams, totals; ARGV new epoch, event JSON, base,
 * topic, ttl ms, maxEvents, maxStreamBytes, maxRealmBytes, maxStreamsPerRealm. The entry id is
 * `0-<seq>` from the meta's dense counter. Then the stream's own bounds (events, bytes), the realm's
 * stream count and the realm's bytes are enforced, oldest first. Returns `{ epoch, seq }`.
 */
export const APPEND_SCRIPT = `
local stream, meta, order, streams, totals = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local json, base, topic, ttl = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local max_events, max_stream_bytes = tonumber(ARGV[6]), tonumber(ARGV[7])
local max_realm_bytes, max_streams = tonumber(ARGV[8]), tonumber(ARGV[9])
${HELPERS}
local now = now_ms()
purge_expired(now, tonumber(ttl))
start_if_new(stream, meta, topic, ARGV[1])
local epoch = redis.call('HGET', meta, 'epoch')
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local rank = redis.call('HINCRBY', totals, 'seq', 1)
local size = string.len(json)
redis.call('XADD', stream, '0-' .. seq, 'e', json, 'r', rank)
local stream_bytes = redis.call('HINCRBY', totals, 'b:' .. topic, size)
redis.call('HINCRBY', totals, 'bytes', size)
redis.call('ZADD', order, 'NX', rank, topic)
redis.call('ZADD', streams, now, topic)

local length = redis.call('XLEN', stream)
while length > 0 and (length > max_events or stream_bytes > max_stream_bytes) do
  stream_bytes = stream_bytes - remove_oldest(topic)
  length = length - 1
end
enforce_stream_count(max_streams)
while tonumber(redis.call('HGET', totals, 'bytes') or '0') > max_realm_bytes do
  local oldest = redis.call('ZRANGE', order, 0, 0)[1]
  if oldest == nil then break end
  if redis.call('EXISTS', stream_key(oldest)) == 0 then
    forget_stream(oldest)
  else
    remove_oldest(oldest)
  end
end
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
return { epoch, seq }
`;

/**
 * The stream's position: KEYS as {@link APPEND_SCRIPT}; ARGV new epoch, base, topic, ttl ms,
 * maxStreamsPerRealm. A stream without meta is created (a new epoch, counted among the realm's
 * streams, expiring like one that got an event), unless the realm is at its stream cap: then the
 * new epoch is answered and nothing stored. Returns `[epoch, seq]`.
 */
export const HEAD_SCRIPT = `
local stream, meta, order, streams, totals = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local base, topic, ttl, max_streams = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
${HELPERS}
if redis.call('EXISTS', meta) == 0 and redis.call('ZCARD', streams) >= max_streams then
  -- A full realm: a subscriber of a topic with no stream gets a position nobody stores, so
  -- subscribing to made-up topics never pushes out a stream that holds events.
  return { ARGV[1], false }
end
if start_if_new(stream, meta, topic, ARGV[1]) then
  local now = now_ms()
  purge_expired(now, tonumber(ttl))
  redis.call('ZADD', streams, now, topic)
  enforce_stream_count(max_streams)
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
end
return redis.call('HMGET', meta, 'epoch', 'seq')
`;
