import { Tally } from '@app/domain';
import { Tier } from '@app/events';

/**
 * The voting sequence (docs/sequence.md): which proposals to show a participant next. Pure; the
 * caller removes what the participant must never see again (their votes, their own proposals)
 * and passes the randomness, so tests replay a run from a seed.
 *
 * Each candidate's progress towards the targets that matter for this participant is
 *   progress = min(votes / minVotes, votes of the participant's tier / minVotesPerTier)
 * — the tighter of "enough votes overall" and "enough votes from my kind of territory".
 * Two lanes fill the slots:
 *  - exploration (each slot with probability `exploration`): among proposals that reached both
 *    targets, Thompson sampling on adhesion — each draws a plausible adhesion from its votes
 *    (normal approximation of Beta(agree + 1, votes − agree + 1)) and the highest draws win — so
 *    strong proposals keep being tested by more voters, the uncertain ones more than the settled;
 *  - equalizer (every other slot): the lowest progress first, progress continuing past 1 so
 *    votes keep spreading evenly once targets are met, with a random jitter of `jitter`
 *    progress units so that participants asking at the same time (seeing the same tallies)
 *    spread over near-equal proposals instead of all landing on the same ones.
 * Exploration slots with no proposal past its targets go to the equalizer.
 */
export interface SequenceCandidate {
  readonly proposalId: string;
  readonly overall: Tally;
  readonly byTier: Readonly<Record<Tier, Tally>>;
}

export interface SequenceSettings {
  /** Overall votes a proposal needs (the consultation's minVotes). */
  readonly targetVotes: number;
  /** Votes a proposal needs from each tier (the consultation's minVotesPerTier). */
  readonly targetTierVotes: number;
  /** Share of slots given to exploration, 0..1. */
  readonly exploration: number;
  /** Random spread added to progress in the equalizer lane, in progress units. */
  readonly jitter: number;
}

export const DEFAULT_JITTER = 0.05;

export const progressOf = (c: SequenceCandidate, tier: Tier, settings: SequenceSettings): number =>
  Math.min(c.overall.total / settings.targetVotes, c.byTier[tier].total / settings.targetTierVotes);

/** A standard normal draw (Box–Muller). */
const normal = (random: () => number): number => {
  const u = Math.max(random(), Number.MIN_VALUE);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};

/**
 * A draw of plausible adhesion. The evidence is capped at `cap` votes (the agree share kept), so
 * the draw never becomes certain: exploration keeps spreading over every strong proposal instead
 * of piling onto the current best one.
 */
const thompsonAdhesion = (t: Tally, cap: number, random: () => number): number => {
  const n = Math.min(t.total, cap);
  const agree = t.total === 0 ? 0 : (t.agree / t.total) * n;
  const a = agree + 1;
  const b = n - agree + 1;
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
  return mean + sd * normal(random);
};

export const chooseSequence = (
  candidates: readonly SequenceCandidate[],
  tier: Tier,
  limit: number,
  settings: SequenceSettings,
  random: () => number,
): string[] => {
  const take = Math.min(limit, candidates.length);
  const tested: { id: string; key: number }[] = [];
  for (const c of candidates) {
    if (progressOf(c, tier, settings) >= 1) tested.push({ id: c.proposalId, key: thompsonAdhesion(c.overall, settings.targetTierVotes, random) });
  }
  let explore = 0;
  for (let i = 0; i < take; i++) if (random() < settings.exploration) explore++;
  const strongest = smallest(tested, Math.min(explore, tested.length), (a, b) => b.key - a.key);
  const explored = new Set(strongest.map((s) => s.id));
  const ranked = candidates
    .filter((c) => !explored.has(c.proposalId))
    .map((c) => ({ id: c.proposalId, key: progressOf(c, tier, settings) + settings.jitter * random() }));
  const lowest = smallest(ranked, take - strongest.length, (a, b) => a.key - b.key);
  // Interleave the lanes at random so the exploration slots are not always last.
  const chosen: string[] = [];
  let i = 0;
  let j = 0;
  while (i < lowest.length || j < strongest.length) {
    const left = lowest.length - i + strongest.length - j;
    const pickExplore = j < strongest.length && (i >= lowest.length || random() < (strongest.length - j) / left);
    chosen.push(pickExplore ? strongest[j++].id : lowest[i++].id);
  }
  return chosen;
};

/** The `n` first items by `compare`, without sorting everything when n is small. */
const smallest = <T>(items: T[], n: number, compare: (a: T, b: T) => number): T[] => {
  if (n <= 0) return [];
  if (n * 8 >= items.length) return [...items].sort(compare).slice(0, n);
  const best: T[] = [];
  for (const item of items) {
    if (best.length < n) {
      best.push(item);
      best.sort(compare);
    } else if (compare(item, best[n - 1]) < 0) {
      best[n - 1] = item;
      best.sort(compare);
    }
  }
  return best;
};
