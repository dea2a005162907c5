import { TALLY_FIELDS, Tallies, VALUE_FIELDS } from './tallies';

/**
 * Differences between the expected tallies and a source's. Every vote counts in exactly one
 * value field (agree, disagree or neutral), so over those fields a missing count is a lost vote
 * and an extra count a vote counted twice (or one that should not count at all).
 */
export interface Difference {
  readonly proposalId: string;
  readonly tier: string;
  readonly field: string;
  readonly expected: number;
  readonly actual: number;
}

export interface Comparison {
  readonly lost: number;
  readonly doubleCounted: number;
  /** Sum of |difference| over qualification and total fields. */
  readonly otherFieldsOff: number;
  readonly proposals: number;
  readonly differences: readonly Difference[];
}

const VALUES: ReadonlySet<string> = new Set(VALUE_FIELDS);

export const compareTallies = (expected: Tallies, actual: Tallies, scope?: ReadonlySet<string>): Comparison => {
  const proposals = new Set([...Object.keys(expected), ...Object.keys(actual)].filter((id) => scope === undefined || scope.has(id)));
  let lost = 0;
  let doubleCounted = 0;
  let otherFieldsOff = 0;
  const differences: Difference[] = [];
  for (const proposalId of proposals) {
    const tiers = new Set([...Object.keys(expected[proposalId] ?? {}), ...Object.keys(actual[proposalId] ?? {})]);
    for (const tier of tiers) {
      for (const field of TALLY_FIELDS) {
        const want = expected[proposalId]?.[tier]?.[field] ?? 0;
        const got = actual[proposalId]?.[tier]?.[field] ?? 0;
        if (want === got) continue;
        differences.push({ proposalId, tier, field, expected: want, actual: got });
        if (VALUES.has(field)) {
          if (got < want) lost += want - got;
          else doubleCounted += got - want;
        } else otherFieldsOff += Math.abs(got - want);
      }
    }
  }
  return { lost, doubleCounted, otherFieldsOff, proposals: proposals.size, differences };
};
