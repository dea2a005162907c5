import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Tally } from '@app/domain';
import { Tier } from '@app/events';
import { JsonLogger } from '@app/observability';
import { asOfFrom, positionsFromRedisHash } from '../infrastructure/as-of';
import { proposalNotFound } from '../infrastructure/query-params';
import { ReadModels } from '../infrastructure/read-models';
import { RedisProjectionReader } from '../infrastructure/redis-reads';
import { TALLY_SQL_COLUMNS, emptyTierTallies, sumTallies, tallyFromRow, tierTalliesFromRedisHash } from '../infrastructure/tallies';
import { LOGGER } from '../infrastructure/tokens';
import { TtlCache } from '../infrastructure/ttl-cache';
import { ProposalRecord, ProposalStatus } from '../snapshot/consultation-snapshot';
import { GetProposalQuery, GetProposalResult } from './get-proposal.query';
import { proposalView } from './proposal-view';

/** What never changes about a proposal once submitted (but the author's erasable personal data). */
interface ProposalFacts {
  readonly consultation: string;
  readonly text: string;
  readonly authorId: string;
  readonly authorTier: Tier;
  readonly firstName: string | null;
  readonly ageRange: string | null;
  readonly submittedAt: string;
}

interface FactsRow {
  consultation: string;
  author_id: string;
  text: string;
  author_tier: Tier;
  first_name: string | null;
  age_range: string | null;
  submitted_at: Date;
}

/** Facts are cached this long: the delay after which an erased first name disappears here too. */
const FACTS_TTL_MS = 10_000;

/**
 * Proposal detail, a hot endpoint: the proposal's facts come from a primary-key read cached for
 * a few seconds; its status, its per-tier tallies and the positions they reflect come from one
 * atomic Redis read. When Redis fails or does not know the proposal yet, one Postgres statement
 * (primary-key reads only) answers. Pending and refused proposals are moderators' only: 404
 * for anyone else, as if they did not exist.
 */
@QueryHandler(GetProposalQuery)
export class GetProposalHandler implements IQueryHandler<GetProposalQuery, GetProposalResult> {
  private readonly facts = new TtlCache<ProposalFacts | null>(FACTS_TTL_MS, 20_000);

  constructor(
    private readonly models: ReadModels,
    private readonly redis: RedisProjectionReader,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async execute({ proposalId, viewer }: GetProposalQuery): Promise<GetProposalResult> {
    const id = proposalId.toLowerCase();
    const result = (await this.fromRedis(id)) ?? (await this.fromPostgres(id));
    if (!result) throw proposalNotFound();
    const { record, asOf, source } = result;
    if (!record.inResults && viewer.kind !== 'moderator') throw proposalNotFound();
    return { answer: { ...proposalView(record), asOf }, source };
  }

  private async fromRedis(id: string) {
    const facts = await this.facts.get(id, () => this.loadFacts(id), (found) => found !== null);
    if (!facts) return undefined;
    let hashes: Record<string, string>[];
    try {
      hashes = (await this.redis.read([
        ['HGETALL', `:p:${id}`],
        ['HGETALL', `:t:${id}`],
        ['HGETALL', ':offsets'],
      ])) as Record<string, string>[];
    } catch (error) {
      this.logger.event('warn', 'proposal from Postgres: Redis read failed', { error: (error as Error).message });
      return undefined;
    }
    const [state, tallies, offsets] = hashes;
    if (!state.s || Object.keys(offsets).length === 0) return undefined;
    const byTier = tierTalliesFromRedisHash(tallies);
    const status = state.s as ProposalStatus;
    return {
      record: record(id, facts, status, status === 'accepted' && state.q === '1', byTier),
      asOf: asOfFrom(positionsFromRedisHash(offsets), this.models.topicPrefix, new Date()),
      source: 'redis' as const,
    };
  }

  private async loadFacts(id: string): Promise<ProposalFacts | null> {
    const found = await this.models.pool.query<FactsRow>(
      `SELECT p.consultation, p.author_id::text AS author_id, p.text, p.author_tier, p.submitted_at, a.first_name, a.age_range
       FROM ${this.models.t('proposals')} p LEFT JOIN ${this.models.t('participants')} a ON a.participant_id = p.author_id
       WHERE p.proposal_id = $1`,
      [id],
    );
    return found.rows.length === 0 ? null : factsFromRow(found.rows[0]);
  }

  private async fromPostgres(id: string) {
    const found = await this.models.pool.query<FactsRow & { status: ProposalStatus; in_results: boolean; tallies: Record<string, unknown>[]; offsets: [string, number, string][] }>(
      `SELECT p.consultation, p.author_id::text AS author_id, p.text, p.author_tier, p.submitted_at, p.status, p.in_results, a.first_name, a.age_range,
              (SELECT coalesce(json_agg(json_build_object('tier', t.tier, ${TALLY_SQL_COLUMNS.map((c) => `'${c}', t.${c}`).join(', ')})), '[]'::json)
               FROM ${this.models.t('tallies')} t WHERE t.proposal_id = p.proposal_id) AS tallies,
              ${this.models.offsetsJsonSql('$2')} AS offsets
       FROM ${this.models.t('proposals')} p LEFT JOIN ${this.models.t('participants')} a ON a.participant_id = p.author_id
       WHERE p.proposal_id = $1`,
      [id, this.models.projection],
    );
    if (found.rows.length === 0) return undefined;
    const row = found.rows[0];
    const byTier = emptyTierTallies();
    for (const t of row.tallies) byTier[t.tier as Tier] = tallyFromRow(t);
    return {
      record: record(id, factsFromRow(row), row.status, row.in_results, byTier),
      asOf: this.models.asOfFromJson(row.offsets),
      source: 'postgres' as const,
    };
  }
}

const factsFromRow = (row: FactsRow): ProposalFacts => ({
  consultation: row.consultation,
  text: row.text,
  authorId: row.author_id,
  authorTier: row.author_tier,
  firstName: row.first_name,
  ageRange: row.age_range,
  submittedAt: row.submitted_at.toISOString(),
});

const record = (id: string, facts: ProposalFacts, status: ProposalStatus, inResults: boolean, byTier: Record<Tier, Tally>): ProposalRecord => ({
  proposalId: id,
  ...facts,
  status,
  inResults,
  byTier,
  overall: sumTallies(byTier),
});
