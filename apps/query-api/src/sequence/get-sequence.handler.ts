import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JsonLogger } from '@app/observability';
import { consultationNotFound } from '../infrastructure/query-params';
import { ReadModels } from '../infrastructure/read-models';
import { RedisProjectionReader } from '../infrastructure/redis-reads';
import { LOGGER, SEQUENCE_SETTINGS } from '../infrastructure/tokens';
import { authorView } from '../proposals/proposal-view';
import { SnapshotStore } from '../snapshot/snapshot-store';
import { DEFAULT_JITTER, chooseSequence } from './choose-sequence';
import { GetSequenceQuery, SequenceView } from './get-sequence.query';

export interface SequenceConfig {
  readonly exploration: number;
  readonly random: () => number;
}

/**
 * The next proposals for a participant (docs/sequence.md): accepted proposals of the
 * consultation, minus every proposal they have a vote on (current or retracted, as both
 * projections know it: the union of Redis's and Postgres's copies, so the fresher one wins) and
 * minus their own, chosen by chooseSequence from the snapshot's tallies.
 */
@QueryHandler(GetSequenceQuery)
export class GetSequenceHandler implements IQueryHandler<GetSequenceQuery, SequenceView> {
  constructor(
    private readonly snapshots: SnapshotStore,
    private readonly models: ReadModels,
    private readonly redis: RedisProjectionReader,
    @Inject(SEQUENCE_SETTINGS) private readonly config: SequenceConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async execute({ slug, participant, limit }: GetSequenceQuery): Promise<SequenceView> {
    const snapshot = await this.snapshots.get(slug);
    if (!snapshot) throw consultationNotFound(slug);
    const { consultation } = snapshot;
    const now = Date.now();
    const votesOpen = Date.parse(consultation.votesOpenAt) <= now && now < Date.parse(consultation.votesCloseAt);
    if (!votesOpen) return { items: [], votesOpen, asOf: snapshot.asOf };

    const participantId = participant.participantId.toLowerCase();
    const voted = await this.votedProposals(participantId, slug);
    const candidates = snapshot.proposals.filter((p) => p.inResults && p.authorId !== participantId && !voted.has(p.proposalId));
    const settings = {
      targetVotes: consultation.thresholds.minVotes,
      targetTierVotes: consultation.thresholds.minVotesPerTier,
      exploration: this.config.exploration,
      jitter: DEFAULT_JITTER,
    };
    const chosen = chooseSequence(candidates, participant.tier, limit, settings, this.config.random);
    const byId = new Map(candidates.map((p) => [p.proposalId, p]));
    return {
      items: chosen.map((id) => {
        const p = byId.get(id)!;
        return { proposalId: p.proposalId, consultation: p.consultation, text: p.text, author: authorView(p.firstName, p.ageRange, p.authorTier), submittedAt: p.submittedAt };
      }),
      votesOpen,
      asOf: snapshot.asOf,
    };
  }

  private async votedProposals(participantId: string, slug: string): Promise<Set<string>> {
    const [fromRedis, fromPostgres] = await Promise.all([
      this.redis.read([['HKEYS', `:v:${participantId}`]]).then(
        ([keys]) => keys as string[],
        (error: Error) => {
          this.logger.event('warn', 'sequence without Redis votes: read failed', { error: error.message });
          return [] as string[];
        },
      ),
      this.models.pool.query<{ id: string }>(
        `SELECT proposal_id::text AS id FROM ${this.models.t('current_votes')} WHERE participant_id = $1 AND consultation = $2`,
        [participantId, slug],
      ),
    ]);
    return new Set([...fromRedis, ...fromPostgres.rows.map((r) => r.id)]);
  }
}
