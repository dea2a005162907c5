import type Redis from 'ioredis';

/**
 * Reads from the projector's Redis projection (key layout in
 * apps/projector/src/projection/redis-apply-script.ts). Every read is one Lua script, so the
 * hashes it returns come from one instant: the projector's batch script is atomic too, so
 * tallies, counters and the projection's own offsets read together are mutually consistent.
 * The script also resolves the live prefix from the optional pointer key (set by a rebuild).
 */
const READ_LUA = String.raw`
local P = ARGV[1]
if #KEYS > 0 then
  local live = redis.call('GET', KEYS[1])
  if live then P = live end
end
local out = {}
for i = 2, #ARGV, 2 do
  out[#out + 1] = redis.call(ARGV[i], P .. ARGV[i + 1])
end
return out
`;

export type RedisRead = readonly ['HGETALL' | 'HKEYS', string];

export class RedisProjectionReader {
  private sha: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly pointerKey: string,
  ) {}

  /** Runs the reads (command, key suffix after the prefix) atomically; HGETALL answers as objects. */
  async read(reads: readonly RedisRead[]): Promise<(Record<string, string> | string[])[]> {
    const args = [this.prefix, ...reads.flatMap(([command, suffix]) => [command, suffix])];
    const keys = this.pointerKey ? [this.pointerKey] : [];
    const raw = (await this.run(keys, args)) as string[][];
    return raw.map((reply, i) => (reads[i][0] === 'HGETALL' ? pairsToObject(reply) : reply));
  }

  private async run(keys: string[], args: string[]): Promise<unknown> {
    if (!this.sha) this.sha = (await this.redis.script('LOAD', READ_LUA)) as string;
    try {
      return await this.redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.sha = undefined;
      return this.redis.eval(READ_LUA, keys.length, ...keys, ...args);
    }
  }
}

const pairsToObject = (pairs: readonly string[]): Record<string, string> => {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) object[pairs[i]] = pairs[i + 1];
  return object;
};
