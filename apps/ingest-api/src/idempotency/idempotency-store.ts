import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'in-flight' }
  | { kind: 'reused-with-other-body' };

type Entry = { state: 'pending'; hash: string } | { state: 'done'; hash: string; answer: StoredAnswer };

/**
 * Idempotency-Key store in Redis, shared by every ingest instance. A key is scoped to its caller
 * and route. Claiming is one atomic SET NX; a claim left by a crashed request expires after
 * `pendingTtlSeconds`. Losing this store loses only replays: event ids derived from the key
 * still let the projector drop duplicates.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
    private readonly pendingTtlSeconds = 30,
  ) {}

  static bodyHash(body: unknown): string {
    return createHash('sha256').update(JSON.stringify(body ?? null)).digest('base64url');
  }

  private redisKey(scope: string, route: string, key: string): string {
    return `${this.prefix}idem:${createHash('sha256').update(`${scope}\u0000${route}\u0000${key}`).digest('base64url')}`;
  }

  async claim(scope: string, route: string, key: string, hash: string): Promise<Claim> {
    const redisKey = this.redisKey(scope, route, key);
    const pending: Entry = { state: 'pending', hash };
    const set = await this.redis.set(redisKey, JSON.stringify(pending), 'EX', this.pendingTtlSeconds, 'NX');
    if (set === 'OK') return { kind: 'claimed' };
    const raw = await this.redis.get(redisKey);
    if (raw === null) return this.claim(scope, route, key, hash);
    const entry = JSON.parse(raw) as Entry;
    if (entry.hash !== hash) return { kind: 'reused-with-other-body' };
    return entry.state === 'done' ? { kind: 'replay', answer: entry.answer } : { kind: 'in-flight' };
  }

  async complete(scope: string, route: string, key: string, hash: string, answer: StoredAnswer): Promise<void> {
    const entry: Entry = { state: 'done', hash, answer };
    await this.redis.set(this.redisKey(scope, route, key), JSON.stringify(entry), 'EX', this.ttlSeconds);
  }

  /** 5xx answers are not stored: the client must be able to retry. */
  async release(scope: string, route: string, key: string): Promise<void> {
    await this.redis.del(this.redisKey(scope, route, key));
  }
}
