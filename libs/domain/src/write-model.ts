import { Thresholds } from '@app/events/consultation-events';
import { DomainEvent } from '@app/events/domain-event';
import { Tier } from '@app/events/tier';
import { Window, windowOf } from './window';

/**
 * What the ingest side needs to decide commands, folded from the log by `evolve`.
 *
 * Performance: `evolve` MUTATES the maps in place and returns the same object, so folding the
 * ~20,000 proposals and the proposal counts of ~300,000 participants costs one map operation per
 * event and no copying. Decide functions only read (they take `WriteModelView`), so a decision is
 * still a pure function of the state it is given. Values stored in the maps are immutable and
 * replaced, never edited, so a reference handed out by a query stays a consistent snapshot.
 *
 * Idempotency: applying an event again right after itself changes nothing (a submission is keyed
 * by proposalId, a moderation sets a status, a schedule is keyed by slug), so a handler may apply
 * its own appended event at once and again when it reads it back from the log.
 *
 * Order rules that every other fold of the same log (the projector) must share:
 * - the first `ConsultationScheduled` of a slug wins; a later one (a race between two ingest
 *   instances) is ignored;
 * - the first `ProposalSubmitted` of a proposalId wins;
 * - a proposal's status is that of its last moderation event in log order.
 */

export type ProposalStatus = 'pending' | 'accepted' | 'refused';

export interface ConsultationState {
  readonly slug: string;
  readonly proposals: Window;
  readonly votes: Window;
  readonly thresholds: Thresholds;
}

export interface ProposalState {
  readonly proposalId: string;
  readonly consultation: string;
  readonly authorId: string;
  readonly authorTier: Tier;
  /** Kept for the moderation queue; emptied when refused for personal data. */
  readonly text: string;
  /** Refused with the reason code `personal-data`: the text is gone and it cannot be accepted again. */
  readonly textErased?: boolean;
  readonly status: ProposalStatus;
  /** The submission event's `occurredAt`, and its epoch milliseconds for ordering the queue. */
  readonly submittedAt: string;
  readonly submittedAtMs: number;
}

export interface WriteModel {
  readonly consultations: Map<string, ConsultationState>;
  readonly proposals: Map<string, ProposalState>;
  /** consultation slug → authorId → proposals submitted (whatever their moderation status). */
  readonly proposalCounts: Map<string, Map<string, number>>;
  /** The pending subset of `proposals`, so the moderation queue scans only what is pending. */
  readonly pending: Map<string, ProposalState>;
}

/** The read-only face of the write model that decide functions and queries take. */
export interface WriteModelView {
  readonly consultations: ReadonlyMap<string, ConsultationState>;
  readonly proposals: ReadonlyMap<string, ProposalState>;
  readonly proposalCounts: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly pending: ReadonlyMap<string, ProposalState>;
}

export const emptyWriteModel = (): WriteModel => ({
  consultations: new Map(),
  proposals: new Map(),
  proposalCounts: new Map(),
  pending: new Map(),
});

/** Proposals this participant submitted in this consultation (refused ones included). */
export const proposalCount = (state: WriteModelView, consultation: string, authorId: string): number =>
  state.proposalCounts.get(consultation)?.get(authorId) ?? 0;

const setStatus = (state: WriteModel, proposalId: string, status: ProposalStatus): void => {
  const proposal = state.proposals.get(proposalId);
  if (!proposal || proposal.status === status) return;
  state.proposals.set(proposalId, { ...proposal, status });
  state.pending.delete(proposalId);
};

/** Folds one event into the state, in place (see above), and returns the state. */
export const evolve = (state: WriteModel, event: DomainEvent): WriteModel => {
  switch (event.type) {
    case 'ConsultationScheduled': {
      const d = event.data;
      if (state.consultations.has(d.slug)) return state;
      state.consultations.set(d.slug, {
        slug: d.slug,
        proposals: windowOf(d.proposalsOpenAt, d.proposalsCloseAt),
        votes: windowOf(d.votesOpenAt, d.votesCloseAt),
        thresholds: d.thresholds,
      });
      return state;
    }
    case 'ProposalSubmitted': {
      const d = event.data;
      if (state.proposals.has(d.proposalId)) return state;
      const proposal: ProposalState = {
        proposalId: d.proposalId,
        consultation: d.consultation,
        authorId: d.authorId,
        authorTier: d.authorTier,
        text: d.text,
        status: 'pending',
        submittedAt: event.occurredAt,
        submittedAtMs: Date.parse(event.occurredAt),
      };
      state.proposals.set(d.proposalId, proposal);
      state.pending.set(d.proposalId, proposal);
      let counts = state.proposalCounts.get(d.consultation);
      if (!counts) {
        counts = new Map();
        state.proposalCounts.set(d.consultation, counts);
      }
      counts.set(d.authorId, (counts.get(d.authorId) ?? 0) + 1);
      return state;
    }
    case 'ProposalAccepted':
      setStatus(state, event.data.proposalId, 'accepted');
      return state;
    case 'ProposalRefused': {
      setStatus(state, event.data.proposalId, 'refused');
      const proposal = state.proposals.get(event.data.proposalId);
      if (proposal && event.data.reasonCode === 'personal-data') state.proposals.set(proposal.proposalId, { ...proposal, text: '', textErased: true });
      return state;
    }
    case 'ParticipantRegistered':
    case 'ParticipantErased':
    case 'ParticipantDisqualified':
    case 'ParticipantRequalified':
    case 'VoteCast':
    case 'VoteRetracted':
      // The write side keeps no votes (DESIGN.md pitfalls: the projector judges duplicates).
      return state;
    default: {
      // Compile-time exhaustiveness; at run time, a type this code does not know changes nothing.
      const unknown: never = event;
      void unknown;
      return state;
    }
  }
};
