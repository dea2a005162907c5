import type Redis from 'ioredis';

/**
 * Redis side of a rebuild: key generations and the pointer readers resolve.
 *
 * The Redis projection's keys live under a prefix P (`P:offsets`, `P:t:<proposal>`, …; layout in
 * projection/redis-apply-script.ts). The base prefix is REDIS_PROJECTION_PREFIX. A rebuild writes a
 * complete new generation under `${base}-gen-<id>` and then switches readers and the live
 * projector to it by setting the pointer key `${base}:active` to that prefix. The pointer is
 * resolved inside each Lua script (the projector's batch script, the query-api's read script), so
 * every batch and every read sees one generation, never a mix. No pointer = the base prefix.
 *
 * Key spaces never overlap: `${base}:…` (the base generation, plus the pointer, which is never
 * treated as one of its keys) and `${base}-gen-<id>:…` differ in the character after `base`.
 */
export const pointerKeyOf = (basePrefix: string): string => `${basePrefix}:active`;

export const generationPrefix = (basePrefix: string, id: string): string => `${basePrefix}-gen-${id}`;

/** The prefix readers and the live projector use now. */
export const activePrefix = async (redis: Redis, basePrefix: string): Promise<string> => (await redis.get(pointerKeyOf(basePrefix))) ?? basePrefix;

export type SwitchOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'moved'; readonly active: string }
  | { readonly ok: false; readonly reason: 'behind'; readonly deficits: ReadonlyMap<string, { fresh: bigint; live: bigint }> };

/**
 * Atomically (one script): if the pointer still names `expected`, and the fresh generation's
 * checkpoint is at or past the live one on every partition the live one has, point to `fresh`.
 * Otherwise change nothing and say why. Checking the offsets inside the script is what makes
 * the switch safe while the live projector keeps writing: a batch it applies after the switch
 * lands in `fresh`, and `fresh` already holds everything below the live checkpoint, so no record
 * is skipped and none is counted twice (each script skips records below its checkpoint).
 */
const SWITCH_LUA = `
local pointer, base, expected, fresh = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local current = redis.call('GET', pointer) or base
if current ~= expected then return {'moved', current} end
local live = redis.call('HGETALL', expected .. ':offsets')
local deficits = {}
for i = 1, #live, 2 do
  local mine = redis.call('HGET', fresh .. ':offsets', live[i]) or '0'
  if tonumber(mine) < tonumber(live[i + 1]) then
    deficits[#deficits + 1] = live[i]
    deficits[#deficits + 1] = mine
    deficits[#deficits + 1] = live[i + 1]
  end
end
if #deficits > 0 then return {'behind', deficits} end
redis.call('SET', pointer, fresh)
return {'ok'}
`;

export const switchGeneration = async (redis: Redis, basePrefix: string, expected: string, fresh: string): Promise<SwitchOutcome> => {
  const reply = (await redis.eval(SWITCH_LUA, 0, pointerKeyOf(basePrefix), basePrefix, expected, fresh)) as [string, unknown];
  if (reply[0] === 'ok') return { ok: true };
  if (reply[0] === 'moved') return { ok: false, reason: 'moved', active: String(reply[1]) };
  const flat = reply[1] as string[];
  const deficits = new Map<string, { fresh: bigint; live: bigint }>();
  for (let i = 0; i + 2 < flat.length; i += 3) deficits.set(flat[i], { fresh: BigInt(flat[i + 1]), live: BigInt(flat[i + 2]) });
  return { ok: false, reason: 'behind', deficits };
};

/** The Redis projection's checkpoint under `prefix` ("topic:partition" → next offset). */
export const redisOffsets = async (redis: Redis, prefix: string): Promise<Map<string, bigint>> =>
  new Map(Object.entries(await redis.hgetall(`${prefix}:offsets`)).map(([k, v]) => [k, BigInt(v)]));

const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Iterates over the keys of one generation (`${prefix}:*` but its pointer key), in SCAN pages. */
export async function* generationKeys(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  const pointer = pointerKeyOf(prefix);
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${globEscape(prefix)}:*`, 'COUNT', 1000);
    cursor = next;
    const keys = found.filter((key) => key !== pointer);
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

export const generationExists = async (redis: Redis, prefix: string): Promise<boolean> => {
  for await (const _keys of generationKeys(redis, prefix)) return true;
  return false;
};

/**
 * Deletes a retired generation (UNLINK, in SCAN pages: Redis stays responsive). Refuses the
 * generation the pointer names, so a live one cannot be deleted by mistake.
 */
export const deleteGeneration = async (redis: Redis, basePrefix: string, prefix: string): Promise<number> => {
  if ((await activePrefix(redis, basePrefix)) === prefix) throw new Error(`refusing to delete the active Redis generation ${prefix}`);
  let deleted = 0;
  for await (const keys of generationKeys(redis, prefix)) deleted += Number(await redis.unlink(...keys));
  return deleted;
};
