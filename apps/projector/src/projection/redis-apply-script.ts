/**
 * The Redis projection's batch script: one EVALSHA per batch, atomic because Redis runs one
 * script at a time. Same rules as vote-fold.ts and proposal-fold.ts, written again in Lua so
 * Redis depends on nothing Postgres holds. It works in three phases so that a refused batch
 * writes nothing (Redis does not roll a script back):
 *   1. fold every event in memory, reading state lazily, skipping records below the stored
 *      next offset of their partition;
 *   2. check that no counter would go negative (a defect: the whole batch is refused);
 *   3. write states, increments and the new next offsets.
 *
 * ARGV[1] = key prefix; ARGV[3] (optional) = pointer key: when it holds a value, that value is the
 * prefix instead (the live generation set by a rebuild, apps/projector/src/rebuild/), resolved
 * inside the script so a batch lands wholly in one generation.
 * ARGV[2] = JSON {p: [[topic, partition, nextOffset]], k: ["topic:partition"], e: [[topic,
 * partition, offset, kind, ...]]}; k lists the partitions the caller saw a checkpoint of: when one
 * of them has none any more, the keys were lost (FLUSHALL, eviction, failover to an empty replica)
 * and the script refuses the batch with the error "CHECKPOINT_LOST <topic:partition> …" (counting
 * on an empty state would drop the history; the projector replays those partitions instead).
 * Event kinds
 *   S proposalId consultation authorId authorTier submittedMs   (ProposalSubmitted)
 *   A proposalId | R proposalId                                 (ProposalAccepted / Refused)
 *   C participantId proposalId consultation tier value quals eventId   (VoteCast; quals sorted, comma-joined)
 *   X participantId proposalId consultation tier eventId               (VoteRetracted)
 *   D participantId | Q participantId                           (ParticipantDisqualified / Requalified)
 *   N                                                           (an event Redis does not project)
 * Returns {applied, skipped}.
 *
 * Keys (P = prefix): P:offsets (hash "topic:partition" → next offset); P:v:<participant> (hash
 * proposal → "tier|value|quals|recent ids|consultation"; states written before disqualification
 * existed lack the consultation, then P:p:<proposal> gives it); P:dq (set of disqualified
 * participants); P:u:<participant> (hash m:<consultation> = tier of each consultation the
 * participant took part in);
 * P:p:<proposal> (hash c, a, t, s, q, ms);
 * P:q:<consultation>:<author> (zset of the author's submissions by ms, then id); P:t:<proposal>
 * (hash "<tier|all>:<field>" → count); P:c:<consultation> (hash "<tier|all>:<counter>" → count);
 * P:m:<consultation> (set of participants who took part); P:a:<consultation> (set of proposals in
 * results: accepted and within quota). Keys are computed inside the script, so on Redis Cluster
 * the prefix must be a hash tag ("{cgt}") to keep them in one slot.
 *
 * Disqualification (docs/abuse.md): tallies and the votes/participants counters count the current
 * votes and memberships of participants who are not disqualified. A disqualified participant's
 * votes keep updating their P:v state uncounted; D subtracts every current vote and membership of
 * the participant (stored, or changed earlier in the batch), Q adds them back. Both are no-ops
 * when the standing does not change, so a repeated event changes nothing.
 */
export const REDIS_APPLY_LUA = String.raw`
local P = ARGV[1]
if ARGV[3] and ARGV[3] ~= '' then
  local live = redis.call('GET', ARGV[3])
  if live then P = live end
end
local batch = cjson.decode(ARGV[2])
local QUOTA = 100
local RECENT = 16
local QUAL_FIELDS = { likeIt = true, doable = true, platitudeAgree = true, noWay = true, impossible = true,
  platitudeDisagree = true, doNotUnderstand = true, noOpinion = true, doNotCare = true }

local offsetsKey = P .. ':offsets'
local stored = {}
local function storedNext(tp)
  if stored[tp] == nil then stored[tp] = tonumber(redis.call('HGET', offsetsKey, tp) or '0') end
  return stored[tp]
end

local lost = {}
for _, tp in ipairs(batch.k or {}) do
  if redis.call('HEXISTS', offsetsKey, tp) == 0 then lost[#lost + 1] = tp end
end
if #lost > 0 then return redis.error_reply('CHECKPOINT_LOST ' .. table.concat(lost, ' ')) end

-- deltas: key -> field -> n
local deltas = {}
local function bump(key, field, n)
  local d = deltas[key]
  if d == nil then d = {}; deltas[key] = d end
  d[field] = (d[field] or 0) + n
end

local function split(s)
  local out = {}
  if s == nil or s == '' then return out end
  for part in string.gmatch(s, '[^,]+') do out[#out + 1] = part end
  return out
end

local function tallyVote(proposal, tier, value, quals, sign)
  local key = P .. ':t:' .. proposal
  for _, scope in ipairs({ tier, 'all' }) do
    bump(key, scope .. ':total', sign)
    bump(key, scope .. ':' .. value, sign)
    for _, q in ipairs(split(quals)) do
      if not QUAL_FIELDS[q] then error('unknown qualification ' .. q) end
      bump(key, scope .. ':' .. q, sign)
    end
  end
end

local function count(consultation, tier, counter, n)
  local key = P .. ':c:' .. consultation
  bump(key, tier .. ':' .. counter, n)
  bump(key, 'all:' .. counter, n)
end

-- participants: standing (dq) and the memberships added in this batch (newM: consultation -> tier).
-- Without any disqualified participant (the usual case) no vote pays for a standing lookup.
local users, dirtyUsers = {}, {}
local anyDisqualified = redis.call('SCARD', P .. ':dq') > 0
local function loadUser(participant)
  local u = users[participant]
  if u == nil then
    u = { dq = anyDisqualified and redis.call('SISMEMBER', P .. ':dq', participant) == 1, newM = {} }
    users[participant] = u
  end
  return u
end

local function memberships(participant, u)
  local out = {}
  local raw = redis.call('HGETALL', P .. ':u:' .. participant)
  for i = 1, #raw, 2 do
    if string.sub(raw[i], 1, 2) == 'm:' then out[string.sub(raw[i], 3)] = raw[i + 1] end
  end
  for c, tier in pairs(u.newM) do out[c] = tier end
  return out
end

-- members: consultation -> participant -> tier (new ones only)
local memberCache, newMembers = {}, {}
local function touchMember(consultation, participant, tier)
  local mkey = P .. ':m:' .. consultation
  local ck = mkey .. '|' .. participant
  if memberCache[ck] ~= nil then return end
  memberCache[ck] = true
  if redis.call('SISMEMBER', mkey, participant) == 0 then
    newMembers[#newMembers + 1] = { mkey, participant }
    local u = loadUser(participant)
    u.newM[consultation] = tier
    dirtyUsers[participant] = true
    if not u.dq then count(consultation, tier, 'participants', 1) end
  end
end

-- vote pairs (pairsOf: participant -> proposals whose pair is cached)
local pairs_, dirtyPairs, pairsOf = {}, {}, {}
local function loadPair(participant, proposal)
  local pk = participant .. '|' .. proposal
  local state = pairs_[pk]
  if state == nil then
    local raw = redis.call('HGET', P .. ':v:' .. participant, proposal)
    if raw then
      local f = {}
      for part in string.gmatch(raw .. '|', '([^|]*)|') do f[#f + 1] = part end
      state = { tier = f[1], value = f[2], quals = f[3], ids = split(f[4]), c = f[5] or '' }
    else
      state = false
    end
    pairs_[pk] = state
    local of = pairsOf[participant]
    if of == nil then of = {}; pairsOf[participant] = of end
    of[proposal] = true
  end
  return pk, state
end

local function remembers(state, eventId)
  if not state then return false end
  for _, id in ipairs(state.ids) do if id == eventId then return true end end
  return false
end

local function remember(state, eventId)
  state.ids[#state.ids + 1] = eventId
  while #state.ids > RECENT do table.remove(state.ids, 1) end
end

-- proposals
local props, dirtyProps = {}, {}
local function loadProp(id)
  local p = props[id]
  if p == nil then
    local raw = redis.call('HGETALL', P .. ':p:' .. id)
    if #raw == 0 then
      p = false
    else
      p = {}
      for i = 1, #raw, 2 do p[raw[i]] = raw[i + 1] end
      p.ms = tonumber(p.ms)
    end
    props[id] = p
  end
  return p
end

local function countProp(p, sign)
  count(p.c, p.t, 'proposalsSubmitted', sign)
  if p.s == 'accepted' then count(p.c, p.t, 'proposalsAccepted', sign) end
  if p.s == 'refused' then count(p.c, p.t, 'proposalsRefused', sign) end
end

local function before(a, b)
  if a.ms ~= b.ms then return a.ms < b.ms end
  for i = 1, math.min(#a.id, #b.id) do
    local x, y = string.byte(a.id, i), string.byte(b.id, i)
    if x ~= y then return x < y end
  end
  return #a.id < #b.id
end

local authors, newQuota = {}, {}
local function authorList(consultation, author)
  local key = P .. ':q:' .. consultation .. ':' .. author
  local list = authors[key]
  if list == nil then
    list = {}
    local raw = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    for i = 1, #raw, 2 do list[#list + 1] = { id = raw[i], ms = tonumber(raw[i + 1]) } end
    authors[key] = list
  end
  return key, list
end

local applied, skipped = 0, 0
for _, e in ipairs(batch.e) do
  local tp = e[1] .. ':' .. e[2]
  if tonumber(e[3]) < storedNext(tp) then
    skipped = skipped + 1
  else
    applied = applied + 1
    local kind = e[4]
    if kind == 'C' or kind == 'X' then
      local participant, proposal, consultation, tier = e[5], e[6], e[7], e[8]
      local eventId = (kind == 'C') and e[11] or e[9]
      if kind == 'C' then touchMember(consultation, participant, tier) end
      local counted = not loadUser(participant).dq
      local pk, state = loadPair(participant, proposal)
      if not remembers(state, eventId) then
        if not state then
          state = { tier = tier, value = '', quals = '', ids = {}, c = consultation }
          pairs_[pk] = state
        end
        remember(state, eventId)
        dirtyPairs[pk] = { participant, proposal }
        state.c = consultation
        local value, quals = '', ''
        if kind == 'C' then value, quals = e[9], e[10] end
        local same = kind == 'C' and state.value == value and state.quals == quals
        local nothing = kind == 'X' and state.value == ''
        if not same and not nothing then
          if state.value ~= '' and counted then
            tallyVote(proposal, state.tier, state.value, state.quals, -1)
            count(consultation, state.tier, 'votes', -1)
          end
          if value ~= '' then
            if counted then
              tallyVote(proposal, tier, value, quals, 1)
              count(consultation, tier, 'votes', 1)
            end
            state.tier = tier
          end
          state.value, state.quals = value, quals
        end
      end
    elseif kind == 'D' or kind == 'Q' then
      local participant = e[5]
      local u = loadUser(participant)
      local dq = kind == 'D'
      if u.dq ~= dq then
        u.dq = dq
        dirtyUsers[participant] = true
        local sign = dq and -1 or 1
        for _, proposal in ipairs(redis.call('HKEYS', P .. ':v:' .. participant)) do loadPair(participant, proposal) end
        for proposal in pairs(pairsOf[participant] or {}) do
          local s = pairs_[participant .. '|' .. proposal]
          if s and s.value ~= '' then
            if s.c == '' then
              local prop = loadProp(proposal)
              if not prop then error('the vote of ' .. participant .. ' on ' .. proposal .. ' names no consultation: rebuild the Redis projection') end
              s.c = prop.c
            end
            tallyVote(proposal, s.tier, s.value, s.quals, sign)
            count(s.c, s.tier, 'votes', sign)
          end
        end
        for c, tier in pairs(memberships(participant, u)) do count(c, tier, 'participants', sign) end
      end
    elseif kind == 'S' then
      local id, consultation, author, tier, ms = e[5], e[6], e[7], e[8], tonumber(e[9])
      if not loadProp(id) then
        local p = { c = consultation, a = author, t = tier, s = 'pending', q = '1', ms = ms }
        props[id], dirtyProps[id] = p, true
        touchMember(consultation, author, tier)
        local key, list = authorList(consultation, author)
        local entry = { id = id, ms = ms }
        local at = #list + 1
        for i, other in ipairs(list) do
          if before(entry, other) then at = i; break end
        end
        table.insert(list, at, entry)
        newQuota[#newQuota + 1] = { key, ms, id }
        if at > QUOTA then
          p.q = '0'
        else
          countProp(p, 1)
          local out = list[QUOTA + 1]
          if out then
            local o = loadProp(out.id)
            if o and o.q == '1' then
              countProp(o, -1)
              o.q = '0'
              dirtyProps[out.id] = true
            end
          end
        end
      end
    elseif kind == 'A' or kind == 'R' then
      local id = e[5]
      local p = loadProp(id)
      local status = (kind == 'A') and 'accepted' or 'refused'
      if p and p.s ~= status then
        if p.q == '1' then countProp(p, -1) end
        p.s = status
        if p.q == '1' then countProp(p, 1) end
        dirtyProps[id] = true
      end
    end
  end
end

-- Phase 2: nothing may go negative.
for key, fields in pairs(deltas) do
  for field, n in pairs(fields) do
    if n < 0 then
      local current = tonumber(redis.call('HGET', key, field) or '0')
      if current + n < 0 then
        return redis.error_reply('NEGATIVE ' .. key .. ' ' .. field .. ' ' .. current .. ' ' .. n)
      end
    end
  end
end

-- Phase 3: write.
for pk, ref in pairs(dirtyPairs) do
  local s = pairs_[pk]
  redis.call('HSET', P .. ':v:' .. ref[1], ref[2], s.tier .. '|' .. s.value .. '|' .. s.quals .. '|' .. table.concat(s.ids, ',') .. '|' .. s.c)
end
for participant in pairs(dirtyUsers) do
  local u = users[participant]
  local key = P .. ':u:' .. participant
  if u.dq then redis.call('SADD', P .. ':dq', participant) else redis.call('SREM', P .. ':dq', participant) end
  for c, tier in pairs(u.newM) do redis.call('HSET', key, 'm:' .. c, tier) end
end
for id in pairs(dirtyProps) do
  local p = props[id]
  redis.call('HSET', P .. ':p:' .. id, 'c', p.c, 'a', p.a, 't', p.t, 's', p.s, 'q', p.q, 'ms', string.format('%.0f', p.ms))
  if p.s == 'accepted' and p.q == '1' then
    redis.call('SADD', P .. ':a:' .. p.c, id)
  else
    redis.call('SREM', P .. ':a:' .. p.c, id)
  end
end
for _, z in ipairs(newQuota) do redis.call('ZADD', z[1], z[2], z[3]) end
for _, m in ipairs(newMembers) do redis.call('SADD', m[1], m[2]) end
for key, fields in pairs(deltas) do
  for field, n in pairs(fields) do
    if n ~= 0 then redis.call('HINCRBY', key, field, n) end
  end
end
for _, pos in ipairs(batch.p) do
  local tp = pos[1] .. ':' .. pos[2]
  if tonumber(pos[3]) > storedNext(tp) then redis.call('HSET', offsetsKey, tp, pos[3]) end
end
return { applied, skipped }
`;
