import { Tier, VoteValue, isTier, isVoteValue } from '@app/events';

/**
 * The generator's side of verification: the vote writes the load scripts sent and how the ingest
 * answered (k6/lib/ledger.js prints them). Folded per (participant, proposal) into the state the
 * read models must end in: the acknowledged write with the highest log offset wins (all writes of
 * a participant share a partition, so offsets order them, whatever order the answers came in).
 * A write that was never confirmed (503 after every retry) may or may not be in the log: it adds
 * an acceptable alternative final state instead of an expectation.
 */
export interface LedgerEntry {
  readonly participantId: string;
  readonly proposalId: string;
  readonly tier: Tier;
  /** null: a retraction. */
  readonly value: VoteValue | null;
  readonly qualifications: readonly string[];
  readonly topic: string | null;
  readonly partition: number | null;
  readonly offset: string | null;
}

export interface PairState {
  readonly tier: Tier;
  /** null: no current vote (never voted, or retracted). */
  readonly value: VoteValue | null;
  /** Sorted, distinct. */
  readonly qualifications: readonly string[];
}

export interface ExpectedPair {
  readonly participantId: string;
  readonly proposalId: string;
  readonly expected: PairState;
  /** Other acceptable final states (from unconfirmed writes). */
  readonly alternatives: readonly PairState[];
}

export const LEDGER_PREFIX = 'LEDGER\t';
export const RUN_PREFIX = 'RUN\t';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const asEntry = (value: unknown): LedgerEntry | undefined => {
  if (!isRecord(value)) return undefined;
  const { participantId, proposalId, tier, value: vote, qualifications, topic, partition, offset } = value;
  const confirmed = typeof topic === 'string' && typeof partition === 'number' && typeof offset === 'string' && /^\d+$/.test(offset);
  const unconfirmed = topic === null && partition === null && offset === null;
  if (typeof participantId !== 'string' || typeof proposalId !== 'string' || !isTier(tier)) return undefined;
  if (!(vote === null || isVoteValue(vote)) || !Array.isArray(qualifications) || !qualifications.every((q) => typeof q === 'string')) return undefined;
  if (!confirmed && !unconfirmed) return undefined;
  return { participantId, proposalId, tier, value: vote, qualifications, topic: confirmed ? topic : null, partition: confirmed ? partition : null, offset: confirmed ? offset : null };
};

/** The text of a console line as the runner writes it, or as k6 logs it raw or in JSON. */
const messageOf = (line: string): string | undefined => {
  const text = line.trim();
  if (!text.startsWith('{')) return text;
  try {
    const logged: unknown = JSON.parse(text);
    return isRecord(logged) && typeof logged.msg === 'string' ? logged.msg : undefined;
  } catch {
    return undefined;
  }
};

/** The consultation slug from the `RUN\t{…}` line setup() prints, if `line` is it. */
export const parseRunLine = (line: string): string | undefined => {
  const text = messageOf(line);
  if (text === undefined || !text.startsWith(RUN_PREFIX)) return undefined;
  try {
    const data: unknown = JSON.parse(text.slice(RUN_PREFIX.length));
    return isRecord(data) && typeof data.slug === 'string' ? data.slug : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A ledger entry from one output line: the runner's raw line, k6 `--log-format=raw`, or k6's
 * JSON log format (`{"msg":"LEDGER\t{…}",…}`). Undefined for any other line.
 */
export const parseLedgerLine = (line: string): LedgerEntry | undefined => {
  const text = messageOf(line);
  if (text === undefined || !text.startsWith(LEDGER_PREFIX)) return undefined;
  try {
    return asEntry(JSON.parse(text.slice(LEDGER_PREFIX.length)));
  } catch {
    return undefined;
  }
};

export const pairKey = (participantId: string, proposalId: string): string => `${participantId.toLowerCase()}|${proposalId.toLowerCase()}`;

const stateOf = (entry: LedgerEntry): PairState => ({
  tier: entry.tier,
  value: entry.value,
  qualifications: entry.value === null ? [] : [...new Set(entry.qualifications)].sort(),
});

export const sameState = (a: PairState, b: PairState): boolean =>
  a.value === b.value && (a.value === null || (a.tier === b.tier && a.qualifications.join(',') === b.qualifications.join(',')));

interface Fold {
  participantId: string;
  proposalId: string;
  offset: bigint;
  state: PairState;
  alternatives: PairState[];
}

const NO_VOTE = (tier: Tier): PairState => ({ tier, value: null, qualifications: [] });

export class LedgerFold {
  private readonly pairs = new Map<string, Fold>();
  entries = 0;
  unconfirmed = 0;

  add(entry: LedgerEntry): void {
    this.entries += 1;
    const key = pairKey(entry.participantId, entry.proposalId);
    let fold = this.pairs.get(key);
    if (fold === undefined) {
      fold = { participantId: entry.participantId.toLowerCase(), proposalId: entry.proposalId.toLowerCase(), offset: -1n, state: NO_VOTE(entry.tier), alternatives: [] };
      this.pairs.set(key, fold);
    }
    if (entry.offset === null) {
      this.unconfirmed += 1;
      fold.alternatives.push(stateOf(entry));
      return;
    }
    const offset = BigInt(entry.offset);
    if (offset > fold.offset) {
      fold.offset = offset;
      fold.state = stateOf(entry);
    }
  }

  /** Every pair written, with the state the read models must show. */
  expected(): ExpectedPair[] {
    return [...this.pairs.values()].map((fold) => ({
      participantId: fold.participantId,
      proposalId: fold.proposalId,
      expected: fold.state,
      alternatives: fold.alternatives.filter((alt) => !sameState(alt, fold.state)),
    }));
  }

  get size(): number {
    return this.pairs.size;
  }
}
