import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TIERS, Tier } from '@app/events';
import { JsonLogger } from '@app/observability';
import { AsOf, asOfFrom, positionsFromRedisHash } from '../infrastructure/as-of';
import { consultationNotFound } from '../infrastructure/query-params';
import { ReadModels } from '../infrastructure/read-models';
import { RedisProjectionReader } from '../infrastructure/redis-reads';
import { LOGGER } from '../infrastructure/tokens';
import { ConsultationDirectory } from '../snapshot/consultation-directory';
import { TierCounters } from '../snapshot/consultation-snapshot';
import { GetStatsQuery, StatsAnswer, StatsView } from './get-stats.query';

const COUNTERS = ['participants', 'proposalsSubmitted', 'proposalsAccepted', 'proposalsRefused', 'votes'] as const;

/**
 * Live stats: one atomic read of the consultation's counter hash and the projection's offsets in
 * Redis (no scan of anything). If Redis fails or holds no projection yet, the three precomputed
 * rows of readmodel.consultation_counters answer instead, with Postgres's positions.
 */
@QueryHandler(GetStatsQuery)
export class GetStatsHandler implements IQueryHandler<GetStatsQuery, StatsAnswer> {
  constructor(
    private readonly consultations: ConsultationDirectory,
    private readonly redis: RedisProjectionReader,
    private readonly models: ReadModels,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async execute({ slug }: GetStatsQuery): Promise<StatsAnswer> {
    if (!(await this.consultations.get(slug))) throw consultationNotFound(slug);
    try {
      const [counters, offsets] = (await this.redis.read([
        ['HGETALL', `:c:${slug}`],
        ['HGETALL', ':offsets'],
      ])) as Record<string, string>[];
      if (Object.keys(offsets).length > 0) {
        const byTier = countersByTier((tier, counter) => Number(counters[`${tier}:${counter}`] ?? 0));
        const asOf = asOfFrom(positionsFromRedisHash(offsets), this.models.topicPrefix, new Date());
        return { view: statsView(byTier, asOf), source: 'redis' };
      }
    } catch (error) {
      this.logger.event('warn', 'stats from Postgres: Redis read failed', { error: (error as Error).message });
    }
    return { view: await this.fromPostgres(slug), source: 'postgres' };
  }

  private async fromPostgres(slug: string): Promise<StatsView> {
    const result = await this.models.pool.query<{ counters: Record<string, number>[]; offsets: [string, number, string][] }>(
      `SELECT (SELECT coalesce(json_agg(json_build_object('tier', tier, 'participants', participants,
                 'proposalsSubmitted', proposals_submitted, 'proposalsAccepted', proposals_accepted,
                 'proposalsRefused', proposals_refused, 'votes', votes)), '[]'::json)
               FROM ${this.models.t('consultation_counters')} WHERE consultation = $1) AS counters,
              ${this.models.offsetsJsonSql('$2')} AS offsets`,
      [slug, this.models.projection],
    );
    const { counters, offsets } = result.rows[0];
    const byTier = countersByTier((tier, counter) => Number(counters.find((r) => (r.tier as unknown) === tier)?.[counter] ?? 0));
    return statsView(byTier, this.models.asOfFromJson(offsets));
  }
}

const countersByTier = (read: (tier: Tier, counter: (typeof COUNTERS)[number]) => number): Record<Tier, TierCounters> => {
  const of = (tier: Tier): TierCounters => ({
    participants: read(tier, 'participants'),
    proposalsSubmitted: read(tier, 'proposalsSubmitted'),
    proposalsAccepted: read(tier, 'proposalsAccepted'),
    proposalsRefused: read(tier, 'proposalsRefused'),
    votes: read(tier, 'votes'),
  });
  return { rural: of('rural'), medium: of('medium'), large: of('large') };
};

export const statsView = (byTier: Readonly<Record<Tier, TierCounters>>, asOf: AsOf): StatsView => {
  const sum = (pick: (c: TierCounters) => number): number => TIERS.reduce((n, tier) => n + pick(byTier[tier]), 0);
  const tierStats = (c: TierCounters) => ({
    participants: c.participants,
    proposals: { submitted: c.proposalsSubmitted, accepted: c.proposalsAccepted, refused: c.proposalsRefused },
    votes: c.votes,
  });
  return {
    participants: sum((c) => c.participants),
    proposals: {
      submitted: sum((c) => c.proposalsSubmitted),
      accepted: sum((c) => c.proposalsAccepted),
      refused: sum((c) => c.proposalsRefused),
    },
    votes: sum((c) => c.votes),
    byTier: { rural: tierStats(byTier.rural), medium: tierStats(byTier.medium), large: tierStats(byTier.large) },
    asOf,
  };
};
