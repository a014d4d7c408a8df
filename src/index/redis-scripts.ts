/**
 * The Lua scripts of the index on a real Redis/Valkey (src/service/redis-index.ts), loaded once per connection and
 * called by SHA (ioredis defineCommand: EVALSHA, EVAL when the server does not have it yet). Each touches the keys of
 * one bucket only, all under its hash tag {B}: a cluster runs it on the bucket's node.
 *
 * Layout (src/index/store.ts's names; a Redis zset holds no payload, hence `meta`):
 *   s3idx:{B}:keys    zset   every listed object key, score 0 (ZRANGEBYLEX)
 *   s3idx:{B}:meta    hash   listed key → its current version (payload.ts encodeVersion)
 *   s3idx:{B}:hist    hash   key → the versions known but not listed (encodeHistory)
 *   s3idx:{B}:tomb    hash   key → deletion tombstones (encodeTombstones)
 *   s3idx:{B}:verify  set    keys whose current version HeadObject must tell
 *   s3idx:{B}:tombq   zset   key → the time its newest tombstone was ingested (retention: oldest first)
 *   s3idx:{B}:dirn    hash   folder prefix ('' and every prefix of a listed key ending in '/') → listed objects under it
 *   s3idx:{B}:dirb    hash   the same prefixes → their bytes
 *   s3idx:buckets     set    the bucket registry (another slot: written by its own command)
 */

/**
 * APPLY: compare-and-set of key states. KEYS: keys, meta, hist, tomb, verify, dirn, dirb. ARGV: n entries of 11
 * fields: member, then the fields read (meta, hist, tomb: '' when absent; verify '0'/'1'), then the new ones (same
 * forms), then the listed size before and after (-1: not listed). An entry whose stored fields differ from those read
 * (another writer came first) is left alone and its index (1-based) returned; the others are written whole, with the
 * folder counters of the key's prefixes moved by the change of its listed size. Atomic: one script.
 */
export const APPLY_LUA = `
local conflicts = {}
local function same(stored, read)
  if stored == false then stored = '' end
  return stored == read
end
local function put_field(key, m, old, new)
  if new == old then return end
  if new == '' then redis.call('HDEL', key, m) else redis.call('HSET', key, m, new) end
end
local horizon, bound, budget, channel = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local changed = {}
local n = (#ARGV - 4) / 12
for i = 0, n - 1 do
  local b = 4 + i * 12
  local m = ARGV[b + 1]
  local ok = same(redis.call('HGET', KEYS[2], m), ARGV[b + 2])
    and same(redis.call('HGET', KEYS[3], m), ARGV[b + 3])
    and same(redis.call('HGET', KEYS[4], m), ARGV[b + 4])
    and tostring(redis.call('SISMEMBER', KEYS[5], m)) == ARGV[b + 5]
  if not ok then
    conflicts[#conflicts + 1] = i + 1
  else
    changed[#changed + 1] = #m .. ':' .. m
    local oldMeta, newMeta = ARGV[b + 2], ARGV[b + 6]
    if newMeta == '' then
      if oldMeta ~= '' then redis.call('HDEL', KEYS[2], m); redis.call('ZREM', KEYS[1], m) end
    elseif newMeta ~= oldMeta then
      redis.call('HSET', KEYS[2], m, newMeta)
      if oldMeta == '' then redis.call('ZADD', KEYS[1], 0, m) end
    end
    put_field(KEYS[3], m, ARGV[b + 3], ARGV[b + 7])
    put_field(KEYS[4], m, ARGV[b + 4], ARGV[b + 8])
    if ARGV[b + 8] == '' then
      if ARGV[b + 4] ~= '' then redis.call('ZREM', KEYS[8], m) end
    elseif ARGV[b + 8] ~= ARGV[b + 4] then
      redis.call('ZADD', KEYS[8], ARGV[b + 12], m)
    end
    if ARGV[b + 9] ~= ARGV[b + 5] then
      if ARGV[b + 9] == '1' then redis.call('SADD', KEYS[5], m) else redis.call('SREM', KEYS[5], m) end
    end
    local before, after = tonumber(ARGV[b + 10]), tonumber(ARGV[b + 11])
    if before ~= after then
      local dn = (after >= 0 and 1 or 0) - (before >= 0 and 1 or 0)
      local db = math.max(after, 0) - math.max(before, 0)
      local function move(p)
        if dn ~= 0 then
          if redis.call('HINCRBY', KEYS[6], p, dn) <= 0 then
            redis.call('HDEL', KEYS[6], p); redis.call('HDEL', KEYS[7], p)
            return
          end
        end
        if db ~= 0 then redis.call('HINCRBY', KEYS[7], p, string.format('%.0f', db)) end
      end
      move('')
      local j = 0
      while true do
        j = string.find(m, '/', j + 1, true)
        if not j then break end
        move(string.sub(m, 1, j))
      end
    end
  end
end
local function drop(list)
  for _, m in ipairs(list) do
    redis.call('HDEL', KEYS[4], m)
    redis.call('ZREM', KEYS[8], m)
    budget = budget - 1
  end
end
drop(redis.call('ZRANGEBYSCORE', KEYS[8], '-inf', horizon, 'LIMIT', 0, budget))
local excess = redis.call('ZCARD', KEYS[8]) - bound
if excess > 0 and budget > 0 then drop(redis.call('ZRANGE', KEYS[8], 0, math.min(excess, budget) - 1)) end
if #changed > 0 then redis.call('PUBLISH', channel, table.concat(changed)) end
return conflicts
`;

/** The smallest string above every string that starts with s (nil: none), for ZRANGEBYLEX bounds. */
const SUCC_LUA = `
local function succ(s)
  local i = #s
  while i > 0 do
    local c = string.byte(s, i)
    if c < 255 then return string.sub(s, 1, i - 1) .. string.char(c + 1) end
    i = i - 1
  end
  return nil
end
`;

/**
 * LIST: the keys a ListObjectsV2 page needs. KEYS: keys, meta. ARGV: lower bound (a ZRANGEBYLEX bound: '(' after or
 * '[' prefix), upper bound ('(' successor of the prefix, or '+'), prefix length, delimiter ('' none), max-keys, the
 * exclusive start ('' none). Returns [exists (1 when the keys zset exists), member, payload, member, payload, …]: the
 * listed keys from the lower bound on, up to max-keys + 1 counted entries, and for each rolled-up prefix its first key
 * only (the walk jumps past the prefix). src/index/list.ts's listRaw then makes the page from these few keys exactly
 * as it does from the whole bucket: a rolled-up prefix counts unless the start lies inside it (the start then
 * begins with the prefix).
 */
export const LIST_LUA = `${SUCC_LUA}
local lo, hi = ARGV[1], ARGV[2]
local plen, delim, maxKeys, start = tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]), ARGV[6]
local out = { redis.call('EXISTS', KEYS[1]) }
local counted = 0
-- with a delimiter, how many keys to ask for: few right after a jump (the next key often starts another prefix), more
-- while the keys are plain
local step = 8
while counted <= maxKeys do
  local want = maxKeys + 1 - counted
  if delim ~= '' then want = math.min(want, step) end
  local batch = redis.call('ZRANGEBYLEX', KEYS[1], lo, hi, 'LIMIT', 0, want)
  if #batch == 0 then break end
  -- the plain keys up to the first rolled-up one (or the page's end)
  local cut, cp = #batch + 1, nil
  if delim ~= '' then
    for i, m in ipairs(batch) do
      local d = string.find(m, delim, plen + 1, true)
      if d then
        cut, cp = i, string.sub(m, 1, d + #delim - 1)
        break
      end
    end
  end
  local plain = math.min(cut - 1, maxKeys + 1 - counted)
  if plain > 0 then
    -- HMGET in slices: unpack is bounded by Lua's C stack (8000)
    for j = 1, plain, 1000 do
      local k = math.min(j + 999, plain)
      local payloads = redis.call('HMGET', KEYS[2], unpack(batch, j, k))
      for i = j, k do
        out[#out + 1] = batch[i]
        out[#out + 1] = payloads[i - j + 1]
      end
    end
    counted = counted + plain
    if counted > maxKeys then return out end
  end
  if cp then
    -- a rolled-up prefix: its first key only (no payload: it is listed as the prefix), then past it
    out[#out + 1] = batch[cut]
    out[#out + 1] = false
    if not (start ~= '' and string.sub(start, 1, #cp) == cp) then counted = counted + 1 end
    local s = succ(cp)
    if not s then return out end
    lo = '[' .. s
    step = 8
  else
    lo = '(' .. batch[#batch]
    step = math.min(step * 4, 1024)
  end
end
return out
`;

/**
 * PREFIX_STATS for a prefix that does not end a folder ('photos/20'): KEYS: keys, meta, dirn, dirb. ARGV: the prefix,
 * the length of its folder part ('photos/'). Walks the keys under the prefix but jumps past each sub-folder, taking
 * its counters instead: O(direct entries of the folder that match), not O(objects under the prefix). Returns
 * [objects, bytes as a decimal string, payload, payload, …]: the counts of the sub-folders, and the payloads of the
 * direct keys (their sizes are decoded by the caller).
 */
export const PREFIX_STATS_LUA = `${SUCC_LUA}
local prefix, flen = ARGV[1], tonumber(ARGV[2])
local lo = '[' .. prefix
local s = succ(prefix)
local hi = s and ('(' .. s) or '+'
local objects, bytes = 0, 0
local out = { 0, '0' }
while true do
  local batch = redis.call('ZRANGEBYLEX', KEYS[1], lo, hi, 'LIMIT', 0, 128)
  if #batch == 0 then break end
  local jumped = false
  for _, m in ipairs(batch) do
    local d = string.find(m, '/', flen + 1, true)
    if d then
      local folder = string.sub(m, 1, d)
      objects = objects + (tonumber(redis.call('HGET', KEYS[3], folder)) or 0)
      bytes = bytes + (tonumber(redis.call('HGET', KEYS[4], folder)) or 0)
      local next = succ(folder)
      if not next then jumped = nil; break end
      lo = '[' .. next
      jumped = true
      break
    end
    out[#out + 1] = redis.call('HGET', KEYS[2], m)
  end
  if jumped == nil then break end
  if not jumped then lo = '(' .. batch[#batch] end
end
out[1] = objects
out[2] = string.format('%.0f', bytes)
return out
`;
