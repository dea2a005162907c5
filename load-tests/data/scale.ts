/**
 * How big a run is. Everything derives from the number of votes, with the proportions of the
 * targets (DESIGN.md "Load and speed": 300,000 participants, 1,000,000 votes) and of the 2021 run
 * (about 1 participant in 20 proposes): participants = 30 % of votes, proposals = 5 % of
 * participants (at most the 14,517 real texts). Rates grow with √size so that a small run is
 * short and a full run reaches the targets of issue 6 (5,000 votes/s at the peak).
 */
export interface ScaleRates {
  readonly registrationsPerSecond: number;
  readonly proposalsPerSecond: number;
  /** Top of the TV-peak shape of the votes scenario. */
  readonly votePeakPerSecond: number;
  readonly voteChangesPerSecond: number;
  readonly readsPerSecond: number;
}

export interface ScaleSpec {
  /** small | medium | full | votes-<n>: the fixture folder name under load-tests/.data/. */
  readonly name: string;
  readonly votes: number;
  readonly participants: number;
  readonly proposals: number;
  readonly rates: ScaleRates;
}

export const SCALE_PRESETS = { small: 5_000, medium: 100_000, full: 1_000_000 } as const;
export type ScalePreset = keyof typeof SCALE_PRESETS;

export const REAL_PROPOSAL_TEXTS = 14_517;
const MIN_PROPOSALS = 20;

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.round(value)));

const isPreset = (value: string): value is ScalePreset => Object.prototype.hasOwnProperty.call(SCALE_PRESETS, value);

/** `small`, `medium`, `full` or a number of votes (`20000`, `20_000`). */
export const parseScale = (raw: string): ScaleSpec => {
  if (isPreset(raw)) return scaleOf(SCALE_PRESETS[raw], raw);
  const votes = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(votes) || votes < 100) {
    throw new RangeError(`--scale must be small, medium, full or a number of votes ≥ 100, got "${raw}"`);
  }
  return scaleOf(votes, `votes-${votes}`);
};

export const scaleOf = (votes: number, name = `votes-${votes}`): ScaleSpec => {
  const participants = Math.max(100, Math.round(votes * 0.3));
  const proposals = Math.min(REAL_PROPOSAL_TEXTS, Math.max(MIN_PROPOSALS, Math.round(participants * 0.05)));
  const votePeakPerSecond = clamp(Math.sqrt(votes) * 5, 100, 5_000);
  return {
    name,
    votes,
    participants,
    proposals,
    rates: {
      registrationsPerSecond: clamp(Math.sqrt(participants) * 4, 50, 2_000),
      proposalsPerSecond: clamp(Math.sqrt(proposals) * 4, 10, 500),
      votePeakPerSecond,
      voteChangesPerSecond: Math.max(2, Math.round(votePeakPerSecond / 100)),
      readsPerSecond: Math.max(20, Math.round(votePeakPerSecond / 10)),
    },
  };
};
