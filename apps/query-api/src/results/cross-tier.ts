import { Tally } from '@app/domain';
import { TIERS, Tier } from '@app/events';

/**
 * Figures across territory tiers (docs/results.md). Pure; built on the counts of libs/domain's
 * Tally. Candidates for libs/domain once they settle.
 */

/**
 * Agreement with a uniform prior (one agree and one non-agree vote added): (agree + 1) / (votes + 2).
 * An empty tier gives 1/2 — "unknown", neither backing nor rejecting.
 */
export const smoothedAgreement = (t: Tally): number => (t.agree + 1) / (t.total + 2);

/**
 * Cross-tier consensus: Polis's group-informed consensus with the tiers as groups, the product
 * over tiers of the smoothed agreement. High only when every tier agrees; a tier with few votes
 * is pulled towards 1/2, so thin evidence cannot make a consensus.
 */
export const groupInformedConsensus = (tiers: Readonly<Record<Tier, Tally>>): number =>
  TIERS.reduce((product, tier) => product * smoothedAgreement(tiers[tier]), 1);

/**
 * Net support of a tier, with the same prior (one agree and one disagree vote added):
 * (agree + 1)/(votes + 2) − (disagree + 1)/(votes + 2) = (agree − disagree) / (votes + 2), in (−1, 1).
 * > 0 the tier backs the proposal, < 0 it rejects it; neutral votes pull it towards 0.
 */
export const netSupport = (t: Tally): number => (t.agree - t.disagree) / (t.total + 2);

export interface Divergence {
  /** support(backedBy) − support(rejectedBy), in (0, 2). */
  readonly gap: number;
  readonly backedBy: Tier;
  readonly rejectedBy: Tier;
  /** Net support of each tier with enough votes; null for the others. */
  readonly supportByTier: Readonly<Record<Tier, number | null>>;
}

/**
 * Tier divergence: among tiers with at least `minVotesPerTier` votes, the most supportive tier
 * backs the proposal (support > 0) and the least supportive rejects it (support < 0). Null when
 * fewer than two tiers have enough votes or no tier both backs and another rejects.
 */
export const tierDivergence = (tiers: Readonly<Record<Tier, Tally>>, minVotesPerTier: number): Divergence | null => {
  const supportByTier = Object.fromEntries(
    TIERS.map((tier) => [tier, tiers[tier].total >= minVotesPerTier && tiers[tier].total > 0 ? netSupport(tiers[tier]) : null]),
  ) as Record<Tier, number | null>;
  const eligible = TIERS.filter((tier) => supportByTier[tier] !== null);
  if (eligible.length < 2) return null;
  const support = (tier: Tier): number => supportByTier[tier] as number;
  const backedBy = eligible.reduce((best, tier) => (support(tier) > support(best) ? tier : best));
  const rejectedBy = eligible.reduce((worst, tier) => (support(tier) < support(worst) ? tier : worst));
  if (!(support(backedBy) > 0 && support(rejectedBy) < 0)) return null;
  return { gap: support(backedBy) - support(rejectedBy), backedBy, rejectedBy, supportByTier };
};

/**
 * Post-stratified (census-weighted) adhesion: each tier's adhesion weighted by its share of the
 * French population instead of its share of the votes, Σ share_t · agree_t / votes_t. Tiers
 * without votes are left out and the remaining shares rescaled to sum to 1 (with no vote at all:
 * null). Equals the raw adhesion when every tier votes in proportion to its population.
 */
export const postStratifiedAdhesion = (tiers: Readonly<Record<Tier, Tally>>, shares: Readonly<Record<Tier, number>>): number | null => {
  const voting = TIERS.filter((tier) => tiers[tier].total > 0);
  const weight = voting.reduce((sum, tier) => sum + shares[tier], 0);
  if (voting.length === 0 || weight === 0) return null;
  return voting.reduce((sum, tier) => sum + (shares[tier] / weight) * (tiers[tier].agree / tiers[tier].total), 0);
};
