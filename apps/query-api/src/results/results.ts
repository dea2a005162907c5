import { Tally, controversy, emptyTally, isPlebiscite, metricsOf } from '@app/domain';
import { QUALIFICATIONS, TIERS, Thresholds, Tier } from '@app/events';
import { TallyView, sumTallies, tallyView } from '../infrastructure/tallies';
import { ProposalRecord } from '../snapshot/consultation-snapshot';
import { Divergence, groupInformedConsensus, postStratifiedAdhesion, smoothedAgreement, tierDivergence } from './cross-tier';

/** The query side's own settings of the results (the plébiscite thresholds are the consultation's). */
export interface ResultSettings {
  readonly controversyMin: number;
  readonly consensusMinTierAgreement: number;
  readonly divergenceMinGap: number;
}

interface Item {
  readonly proposalId: string;
  readonly text: string;
  readonly authorTier: Tier;
  /** The tally the list judged (overall, or the tier's in byTier lists). */
  readonly votes: TallyView;
  /** Post-stratified adhesion of the proposal (all tiers, census weights). */
  readonly weightedAdhesion: number | null;
}

export type PlebisciteItem = Item;
export type ControversyItem = Item & { readonly controversy: number };
export type ConsensusItem = Item & { readonly consensus: number; readonly agreementByTier: Readonly<Record<Tier, number>> };
export type DivergenceItem = Item & Divergence;

export interface TierParticipation {
  readonly participants: number;
  readonly participantShare: number | null;
  readonly populationShare: number;
  /** participantShare / populationShare: 1 = represented in proportion to its population. */
  readonly representation: number | null;
  /** Current votes on proposals in results. */
  readonly votes: number;
  readonly voteShare: number | null;
  /** populationShare / voteShare: what one vote of the tier weighs in post-stratified figures. */
  readonly voteWeight: number | null;
}

export interface Results {
  readonly overall: { plebiscites: PlebisciteItem[]; controversies: ControversyItem[] };
  readonly byTier: Partial<Record<Tier, { plebiscites: PlebisciteItem[]; controversies: ControversyItem[] }>>;
  readonly crossTier: { consensus: ConsensusItem[]; divergence: DivergenceItem[] };
  readonly representativeness: {
    readonly tiers: Readonly<Record<Tier, TierParticipation>>;
    /** Adhesion over every vote on proposals in results, raw and post-stratified. */
    readonly adhesion: { readonly raw: number | null; readonly weighted: number | null };
  };
}

const addTallies = (tallies: readonly Tally[]): Tally => {
  const sum = { ...emptyTally(), qualifications: { ...emptyTally().qualifications } };
  for (const t of tallies) {
    sum.total += t.total;
    sum.agree += t.agree;
    sum.disagree += t.disagree;
    sum.neutral += t.neutral;
    for (const q of QUALIFICATIONS) sum.qualifications[q] += t.qualifications[q];
  }
  return sum;
};

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/** Best first: the measure, then votes, then id (a total order, stable across calls). */
const byMeasure = <T extends { votes: TallyView; proposalId: string }>(measure: (item: T) => number) => (a: T, b: T): number =>
  measure(b) - measure(a) || b.votes.total - a.votes.total || (a.proposalId < b.proposalId ? -1 : 1);

/**
 * Every list of the results endpoint from the proposals in results (docs/results.md). Lists are
 * complete; the caller truncates them when asked.
 */
export const computeResults = (
  proposals: readonly ProposalRecord[],
  participantsByTier: Readonly<Record<Tier, number>>,
  thresholds: Thresholds,
  shares: Readonly<Record<Tier, number>>,
  settings: ResultSettings,
): Results => {
  const counted = proposals.filter((p) => p.inResults);
  const item = (p: ProposalRecord, tally: Tally): Item => ({
    proposalId: p.proposalId,
    text: p.text,
    authorTier: p.authorTier,
    votes: tallyView(tally),
    weightedAdhesion: postStratifiedAdhesion(p.byTier, shares),
  });
  const lists = (tallyOf: (p: ProposalRecord) => Tally, minVotes: number, minControversyVotes: number) => ({
    plebiscites: counted
      .filter((p) => isPlebiscite(tallyOf(p), thresholds, minVotes))
      .map((p) => item(p, tallyOf(p)))
      .sort(byMeasure((i) => i.votes.score as number)),
    controversies: counted
      .flatMap((p) => {
        const value = controversy(tallyOf(p), minControversyVotes);
        return value !== null && value >= settings.controversyMin ? [{ ...item(p, tallyOf(p)), controversy: value }] : [];
      })
      .sort(byMeasure((i) => i.controversy)),
  });

  const consensus = counted
    .filter((p) =>
      TIERS.every((tier) => p.byTier[tier].total >= thresholds.minVotesPerTier && smoothedAgreement(p.byTier[tier]) >= settings.consensusMinTierAgreement),
    )
    .map((p) => ({
      ...item(p, p.overall),
      consensus: groupInformedConsensus(p.byTier),
      agreementByTier: { rural: smoothedAgreement(p.byTier.rural), medium: smoothedAgreement(p.byTier.medium), large: smoothedAgreement(p.byTier.large) },
    }))
    .sort(byMeasure((i) => i.consensus));
  const divergence = counted
    .flatMap((p) => {
      const d = tierDivergence(p.byTier, thresholds.minVotesPerTier);
      return d && d.gap >= settings.divergenceMinGap ? [{ ...item(p, p.overall), ...d }] : [];
    })
    .sort(byMeasure((i) => i.gap));

  const tierTotals = Object.fromEntries(TIERS.map((tier) => [tier, addTallies(counted.map((p) => p.byTier[tier]))])) as Record<Tier, Tally>;
  const allVotes = TIERS.reduce((n, tier) => n + tierTotals[tier].total, 0);
  const allParticipants = TIERS.reduce((n, tier) => n + participantsByTier[tier], 0);
  const tiers = Object.fromEntries(
    TIERS.map((tier): [Tier, TierParticipation] => {
      const participantShare = ratio(participantsByTier[tier], allParticipants);
      const voteShare = ratio(tierTotals[tier].total, allVotes);
      return [
        tier,
        {
          participants: participantsByTier[tier],
          participantShare,
          populationShare: shares[tier],
          representation: participantShare === null ? null : ratio(participantShare, shares[tier]),
          votes: tierTotals[tier].total,
          voteShare,
          voteWeight: voteShare === null || voteShare === 0 ? null : shares[tier] / voteShare,
        },
      ];
    }),
  ) as Record<Tier, TierParticipation>;

  return {
    overall: lists((p) => p.overall, thresholds.minVotes, thresholds.minVotesControversy),
    byTier: Object.fromEntries(TIERS.map((tier) => [tier, lists((p) => p.byTier[tier], thresholds.minVotesPerTier, thresholds.minVotesPerTier)])),
    crossTier: { consensus, divergence },
    representativeness: {
      tiers,
      adhesion: { raw: metricsOf(sumTallies(tierTotals)).adhesion, weighted: postStratifiedAdhesion(tierTotals, shares) },
    },
  };
};
