import type Redis from 'ioredis';
import { Counter, windowOf } from './rate-limits';

/**
 * One round trip per write (and per participant request): the token's revocation check and every
 * counter's INCR (+ PEXPIRE when a window starts) in one atomic script. With the ingest's
 * auto-pipelining, the scripts of concurrent requests also share socket writes.
 *
 * KEYS: [revocation key]? then one key per counter; ARGV[1]: 1 when KEYS[1] is a revocation key,
 * then one TTL (ms) per counter. Returns {revoked (0/1), count per counter}. A revoked token's
 * request increments nothing (it is refused anyway).
 */
const SCRIPT = `
local first = 1
local revoked = 0
if ARGV[1] == '1' then
  first = 2
  if redis.call('EXISTS', KEYS[1]) == 1 then revoked = 1 end
end
local out = { revoked }
if revoked == 0 then
  for i = first, #KEYS do
    local n = redis.call('INCR', KEYS[i])
    if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i - first + 2]) end
    out[#out + 1] = n
  end
end
return out
`;

interface GateRedis extends Redis {
  writeGate(numberOfKeys: number, ...args: string[]): Promise<number[]>;
}

export interface GateVerdict {
  readonly revoked: boolean;
  /** The counters over their limit, with their count. */
  readonly exceeded: readonly Counter[];
}

export class WriteGateStore {
  private readonly redis: GateRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('writeGate' in redis)) redis.defineCommand('writeGate', { lua: SCRIPT });
    this.redis = redis as GateRedis;
  }

  /** Checks `revocationKey` (when given) and counts the request against each counter. */
  async check(revocationKey: string | undefined, counters: readonly Counter[], nowMs: number): Promise<GateVerdict> {
    const keys: string[] = [];
    const ttls: string[] = [];
    if (revocationKey !== undefined) keys.push(revocationKey);
    for (const counter of counters) {
      const window = windowOf(counter.limit, nowMs);
      keys.push(`${this.prefix}rl:${counter.key}:${window.index}`);
      // A little past the window's end, so that clocks a bit apart still find the same counter.
      ttls.push(String(window.endsAtMs - nowMs + 5000));
    }
    const answer = await this.redis.writeGate(keys.length, ...keys, revocationKey === undefined ? '0' : '1', ...ttls);
    const revoked = answer[0] === 1;
    return { revoked, exceeded: revoked ? [] : counters.filter((counter, i) => answer[i + 1] > counter.limit.max) };
  }
}
