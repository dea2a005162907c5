import { Tally, emptyTally } from '@app/domain';
import { TIERS, Tier, VoteValue } from '@app/events';
import { SequenceCandidate, SequenceSettings, chooseSequence } from './choose-sequence';
import { seededRandom } from '@app/testing';

/**
 * A simulated consultation to check the sequence's fairness (used by its spec; kept beside the
 * algorithm so docs/sequence.md can quote what it models). Proposals arrive in waves while
 * participants (tier mix of the French population) ask for a sequence and vote on what they
 * are shown; the tallies they see lag behind (refreshed every `refreshEvery` participants),
 * like the API's snapshots, so simultaneous participants see the same figures.
 */
export interface SimulationOptions {
  readonly proposals: number;
  readonly waves: number;
  readonly participants: number;
  readonly sequenceLength: number;
  /** Probability that a participant votes on a proposal they are shown. */
  readonly voteRate: number;
  readonly refreshEvery: number;
  readonly settings: SequenceSettings;
  readonly seed: number;
  /** Replace the algorithm (e.g. a uniformly random baseline). */
  readonly chooser?: (candidates: readonly SequenceCandidate[], tier: Tier, limit: number, random: () => number) => string[];
}

export interface SimulationOutcome {
  readonly totals: number[];
  readonly byTier: Record<Tier, number[]>;
  readonly votes: number;
  /** Proposals shown twice to one participant (must be 0). */
  readonly repeats: number;
}

export const seeded = seededRandom;

const tierOf = (r: number): Tier => (r < 0.601 ? 'rural' : r < 0.85 ? 'medium' : 'large');

const addVote = (t: Tally, value: VoteValue): Tally => ({ ...t, total: t.total + 1, [value]: t[value] + 1 });

export const simulate = (options: SimulationOptions): SimulationOutcome => {
  const random = seeded(options.seed);
  const quality = Array.from({ length: options.proposals }, () => random());
  const live = Array.from({ length: options.proposals }, (_, i) => ({
    proposalId: `p${String(i).padStart(5, '0')}`,
    overall: emptyTally(),
    byTier: { rural: emptyTally(), medium: emptyTally(), large: emptyTally() } as Record<Tier, Tally>,
  }));
  let seen: SequenceCandidate[] = [];
  const perWave = Math.ceil(options.proposals / options.waves);
  const waveEvery = Math.ceil(options.participants / options.waves);
  let votes = 0;
  let repeats = 0;
  for (let n = 0; n < options.participants; n++) {
    if (n % options.refreshEvery === 0) {
      const published = Math.min(options.proposals, perWave * (Math.floor(n / waveEvery) + 1));
      seen = live.slice(0, published).map((c) => ({ ...c, byTier: { ...c.byTier } }));
    }
    const tier = tierOf(random());
    const voted = new Set<string>();
    // Each participant asks up to three times, voting in between, as a front end would.
    for (let round = 0; round < 3; round++) {
      const candidates = seen.filter((c) => !voted.has(c.proposalId));
      const shown = options.chooser
        ? options.chooser(candidates, tier, options.sequenceLength, random)
        : chooseSequence(candidates, tier, options.sequenceLength, options.settings, random);
      for (const id of shown) {
        if (voted.has(id)) repeats++;
        if (random() >= options.voteRate) continue;
        const index = Number(id.slice(1));
        const value: VoteValue = random() < quality[index] ? 'agree' : random() < 0.5 ? 'disagree' : 'neutral';
        const c = live[index];
        live[index] = { ...c, overall: addVote(c.overall, value), byTier: { ...c.byTier, [tier]: addVote(c.byTier[tier], value) } };
        voted.add(id);
        votes++;
      }
    }
  }
  return {
    totals: live.map((c) => c.overall.total),
    byTier: Object.fromEntries(TIERS.map((t) => [t, live.map((c) => c.byTier[t].total)])) as Record<Tier, number[]>,
    votes,
    repeats,
  };
};
