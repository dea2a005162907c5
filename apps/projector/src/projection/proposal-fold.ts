import { ProposalEvent, Tier } from '@app/events';

/**
 * The projector's proposal rules, applied in log order (proposals are keyed by id, so one
 * proposal's submission and status changes are ordered). Pure and in memory: the SQL path loads
 * the rows concerned, folds a batch with it, then writes the changed rows set-based.
 *
 * Quota (DESIGN.md: at most 100 proposals per participant per consultation): the projector is
 * the judge. One author's submissions are spread over partitions, so "the 101st in log order" is
 * not replay-stable; the judge keeps the author's first 100 in the order (submittedAt to the
 * millisecond, proposalId), an order carried by the events. A late-read earlier submission can
 * therefore push the former 100th out of the quota (and out of the counters).
 */
export const PROPOSAL_QUOTA = 100;

export type ProposalStatus = 'pending' | 'accepted' | 'refused';

export interface ProposalRow {
  readonly proposalId: string;
  readonly consultation: string;
  readonly authorId: string;
  readonly authorTier: Tier;
  /** Only for rows submitted in this batch (existing rows are updated without their text). */
  readonly text?: string;
  readonly status: ProposalStatus;
  readonly withinQuota: boolean;
  /** Epoch milliseconds of the submission's occurredAt. */
  readonly submittedMs: number;
  readonly acceptedAt: string | null;
  readonly refusedAt: string | null;
  readonly moderator: string | null;
  readonly refusalReason: string | null;
}

export interface ProposalCounterDelta {
  consultation: string;
  tier: Tier;
  submitted: number;
  accepted: number;
  refused: number;
}

export interface ProposalMember {
  readonly consultation: string;
  readonly participantId: string;
  readonly tier: Tier;
}

const authorKey = (consultation: string, authorId: string): string => `${consultation}\u0000${authorId}`;
const byQuotaOrder = (a: ProposalRow, b: ProposalRow): number =>
  a.submittedMs - b.submittedMs || (a.proposalId < b.proposalId ? -1 : a.proposalId > b.proposalId ? 1 : 0);

export class ProposalFold {
  private readonly rows = new Map<string, ProposalRow>();
  private readonly byAuthor = new Map<string, ProposalRow[]>();
  private readonly inserted = new Set<string>();
  private readonly changed = new Set<string>();
  private readonly deltas = new Map<string, ProposalCounterDelta>();
  readonly members: ProposalMember[] = [];

  /** `existing`: the stored rows of every proposal in the batch and of every author submitting in it. */
  constructor(existing: readonly ProposalRow[]) {
    for (const row of existing) if (!this.rows.has(row.proposalId)) this.put(row);
    for (const list of this.byAuthor.values()) list.sort(byQuotaOrder);
  }

  apply(event: ProposalEvent): void {
    const id = event.data.proposalId.toLowerCase();
    const row = this.rows.get(id);
    switch (event.type) {
      case 'ProposalSubmitted': {
        if (row) return; // a retried submission: the first one stands
        this.submit({
          proposalId: id,
          consultation: event.data.consultation,
          authorId: event.data.authorId.toLowerCase(),
          authorTier: event.data.authorTier,
          text: event.data.text,
          status: 'pending',
          withinQuota: true,
          submittedMs: Date.parse(event.occurredAt),
          acceptedAt: null,
          refusedAt: null,
          moderator: null,
          refusalReason: null,
        });
        return;
      }
      case 'ProposalAccepted':
        if (!row || row.status === 'accepted') return;
        this.setStatus(row, { ...row, status: 'accepted', acceptedAt: event.occurredAt, moderator: event.data.moderator, refusalReason: null });
        return;
      case 'ProposalRefused':
        if (!row || row.status === 'refused') return;
        this.setStatus(row, { ...row, status: 'refused', refusedAt: event.occurredAt, moderator: event.data.moderator, refusalReason: event.data.reason });
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unexpected proposal event ${(unreachable as ProposalEvent).type}`);
      }
    }
  }

  insertedRows(): ProposalRow[] {
    return [...this.inserted].map((id) => this.rows.get(id) as ProposalRow);
  }

  /** Stored rows whose status or quota standing changed. */
  updatedRows(): ProposalRow[] {
    return [...this.changed].filter((id) => !this.inserted.has(id)).map((id) => this.rows.get(id) as ProposalRow);
  }

  counterDeltas(): ProposalCounterDelta[] {
    return [...this.deltas.values()].filter((d) => d.submitted !== 0 || d.accepted !== 0 || d.refused !== 0);
  }

  private submit(row: ProposalRow): void {
    const list = this.put(row);
    list.sort(byQuotaOrder);
    this.inserted.add(row.proposalId);
    this.members.push({ consultation: row.consultation, participantId: row.authorId, tier: row.authorTier });
    const position = list.indexOf(row);
    if (position >= PROPOSAL_QUOTA) {
      this.replace({ ...row, withinQuota: false });
      return;
    }
    this.count(row, 1);
    const pushedOut = list[PROPOSAL_QUOTA];
    if (pushedOut && pushedOut.withinQuota) {
      this.count(pushedOut, -1);
      this.replace({ ...pushedOut, withinQuota: false });
    }
  }

  private setStatus(before: ProposalRow, after: ProposalRow): void {
    if (before.withinQuota) {
      this.count(before, -1);
      this.count(after, 1);
    }
    this.replace(after);
  }

  /** Adds (+1) or removes (−1) a within-quota proposal from the counters of its author's tier. */
  private count(row: ProposalRow, sign: 1 | -1): void {
    const key = `${row.consultation}\u0000${row.authorTier}`;
    let delta = this.deltas.get(key);
    if (!delta) {
      delta = { consultation: row.consultation, tier: row.authorTier, submitted: 0, accepted: 0, refused: 0 };
      this.deltas.set(key, delta);
    }
    delta.submitted += sign;
    if (row.status === 'accepted') delta.accepted += sign;
    if (row.status === 'refused') delta.refused += sign;
  }

  private put(row: ProposalRow): ProposalRow[] {
    this.rows.set(row.proposalId, row);
    const key = authorKey(row.consultation, row.authorId);
    let list = this.byAuthor.get(key);
    if (!list) {
      list = [];
      this.byAuthor.set(key, list);
    }
    list.push(row);
    return list;
  }

  private replace(row: ProposalRow): void {
    const previous = this.rows.get(row.proposalId) as ProposalRow;
    this.rows.set(row.proposalId, row);
    const list = this.byAuthor.get(authorKey(row.consultation, row.authorId)) as ProposalRow[];
    list[list.indexOf(previous)] = row;
    this.changed.add(row.proposalId);
  }
}
