import { DomainEvent } from '@app/events';
import Redis from 'ioredis';
import { CheckpointLostError } from './checkpoint-lost';
import { REDIS_APPLY_LUA } from './redis-apply-script';
import { ApplyReport, PositionedEvent, Projection, ProjectionBatch, mergePositions } from './projection-batch';
import { canonicalQualifications } from './vote-fold';

export interface RedisProjectionOptions {
  readonly redis: Redis;
  /** Prefix of every key this projection owns (a rebuild writes under a fresh one). */
  readonly prefix: string;
  readonly name?: string;
  /**
   * Key naming the live key prefix (a generation written by a rebuild, apps/projector/src/rebuild/).
   * When it exists, batches and checkpoints go to the prefix it names, resolved atomically in each
   * script; when absent, to `prefix`. Default `${prefix}:active`; null: always `prefix`.
   */
  readonly pointerKey?: string | null;
}

/** Resolves the live prefix and reads its checkpoint in one atomic step. */
const OFFSETS_LUA = `local P = ARGV[1]
if ARGV[2] ~= '' then local live = redis.call('GET', ARGV[2]); if live then P = live end end
return redis.call('HGETALL', P .. ':offsets')`;

/**
 * Running tallies and counters in Redis for live reads: a second projection, independent of
 * Postgres (own copy of the current votes, own offsets), applied by one atomic Lua script per
 * batch (redis-apply-script.ts) that skips records below its stored next offsets. Partitions
 * whose checkpoint it has seen (read or written) are sent with each batch: if Redis lost them, the
 * script refuses the batch and apply() throws CheckpointLostError (the runner replays them).
 */
export class RedisProjection implements Projection {
  readonly name: string;
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly pointerKey: string;
  private sha: string | undefined;
  /** "topic:partition" whose checkpoint this instance read or wrote in the live generation. */
  private readonly known = new Set<string>();

  constructor(options: RedisProjectionOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix;
    this.name = options.name ?? 'redis';
    this.pointerKey = options.pointerKey === null ? '' : options.pointerKey ?? `${options.prefix}:active`;
  }

  async apply(batch: ProjectionBatch): Promise<ApplyReport> {
    const positions = mergePositions([
      ...batch.positions,
      ...batch.events.map((e) => ({ topic: e.topic, partition: e.partition, nextOffset: (BigInt(e.offset) + 1n).toString() })),
    ]);
    if (positions.length === 0) return { applied: 0, skipped: 0 };
    const keys = positions.map((p) => `${p.topic}:${p.partition}`);
    const payload = JSON.stringify({
      p: positions.map((p) => [p.topic, String(p.partition), p.nextOffset]),
      k: keys.filter((key) => this.known.has(key)),
      e: uniquePositions(batch.events).map(encode),
    });
    let result: [number, number];
    try {
      result = await this.run(payload);
    } catch (error) {
      const lost = error instanceof Error ? /CHECKPOINT_LOST ([^\n]+)/.exec(error.message) : null;
      if (lost === null) throw error;
      const partitions = lost[1].split(/\s+/).filter((key) => /^\S+:\d+$/.test(key));
      partitions.forEach((key) => this.known.delete(key));
      throw new CheckpointLostError(this.name, partitions);
    }
    keys.forEach((key) => this.known.add(key));
    const [applied, skipped] = result;
    return { applied, skipped };
  }

  async nextOffsets(topics: readonly string[]): Promise<Map<string, bigint>> {
    const flat = (await this.redis.eval(OFFSETS_LUA, 0, this.prefix, this.pointerKey)) as string[];
    const all: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) all[flat[i]] = flat[i + 1];
    const wanted = new Set(topics);
    const result = new Map<string, bigint>();
    for (const [key, value] of Object.entries(all)) {
      if (wanted.has(key.slice(0, key.lastIndexOf(':')))) result.set(key, BigInt(value));
    }
    // Only added here: a partition seen before and absent now must still be refused once (apply).
    for (const key of result.keys()) this.known.add(key);
    return result;
  }

  private async run(payload: string): Promise<[number, number]> {
    if (!this.sha) this.sha = (await this.redis.script('LOAD', REDIS_APPLY_LUA)) as string;
    try {
      return (await this.redis.evalsha(this.sha, 0, this.prefix, payload, this.pointerKey)) as [number, number];
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      this.sha = undefined;
      return (await this.redis.eval(REDIS_APPLY_LUA, 0, this.prefix, payload, this.pointerKey)) as [number, number];
    }
  }
}

/** Each record once (a record delivered twice within one batch is applied once), in log order. */
const uniquePositions = (events: readonly PositionedEvent[]): PositionedEvent[] => {
  const seen = new Set<string>();
  const unique: { e: PositionedEvent; partition: string; offset: bigint }[] = [];
  for (const e of events) {
    const partition = `${e.topic}:${e.partition}`;
    if (seen.has(`${partition}@${e.offset}`)) continue;
    seen.add(`${partition}@${e.offset}`);
    unique.push({ e, partition, offset: BigInt(e.offset) });
  }
  unique.sort((a, b) => (a.partition !== b.partition ? (a.partition < b.partition ? -1 : 1) : a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  return unique.map((u) => u.e);
};

const encode = (positioned: PositionedEvent): string[] => {
  const head = [positioned.topic, String(positioned.partition), positioned.offset];
  return [...head, ...encodeEvent(positioned.event)];
};

const encodeEvent = (event: DomainEvent): string[] => {
  switch (event.type) {
    case 'ProposalSubmitted':
      return ['S', event.data.proposalId.toLowerCase(), event.data.consultation, event.data.authorId.toLowerCase(), event.data.authorTier, String(Date.parse(event.occurredAt))];
    case 'ProposalAccepted':
      return ['A', event.data.proposalId.toLowerCase()];
    case 'ProposalRefused':
      return ['R', event.data.proposalId.toLowerCase()];
    case 'VoteCast':
      return [
        'C',
        event.data.participantId.toLowerCase(),
        event.data.proposalId.toLowerCase(),
        event.data.consultation,
        event.data.voterTier,
        event.data.value,
        canonicalQualifications(event.data.qualifications).join(','),
        event.eventId.toLowerCase(),
      ];
    case 'VoteRetracted':
      return ['X', event.data.participantId.toLowerCase(), event.data.proposalId.toLowerCase(), event.data.consultation, event.data.voterTier, event.eventId.toLowerCase()];
    case 'ParticipantDisqualified':
      return ['D', event.data.participantId.toLowerCase()];
    case 'ParticipantRequalified':
      return ['Q', event.data.participantId.toLowerCase()];
    case 'ConsultationScheduled':
    case 'ParticipantRegistered':
    // Redis holds no personal data (ids, tiers and counts only): nothing to erase there.
    case 'ParticipantErased':
      return ['N'];
    default: {
      const unreachable: never = event;
      throw new Error(`unexpected event ${(unreachable as DomainEvent).type}`);
    }
  }
};
