import { DomainResult, PhaseName } from './errors';
import { err, ok } from './result';
import { isOpen } from './window';
import { ConsultationState, ProposalState, WriteModelView } from './write-model';

/** The lookups every decide function starts with, and the refusals when they find nothing. */

export const findProposal = (state: WriteModelView, proposalId: string): DomainResult<ProposalState> => {
  const proposal = state.proposals.get(proposalId);
  return proposal
    ? ok(proposal)
    : err({ type: 'proposal-not-found', detail: `No proposal ${proposalId}.`, proposalId });
};

/**
 * The consultation, when it exists and the given phase is open at `now` (the ingest clock, the
 * same instant the handler stamps as `occurredAt`); otherwise the refusal to answer.
 */
export const consultationInPhase = (
  state: WriteModelView,
  slug: string,
  phase: PhaseName,
  now: Date,
): DomainResult<ConsultationState> => {
  const consultation = state.consultations.get(slug);
  if (!consultation) {
    return err({ type: 'consultation-not-found', detail: `No consultation "${slug}".`, consultation: slug });
  }
  const window = consultation[phase];
  if (isOpen(window, now)) return ok(consultation);
  const when = now.getTime() < window.opensAtMs ? 'is not open yet' : 'is closed';
  return err({
    type: 'phase-closed',
    detail:
      `The ${phase} window of "${slug}" ${when}: it is open from ${window.opensAt} (included) ` +
      `to ${window.closesAt} (excluded), and it is now ${now.toISOString()}.`,
    consultation: slug,
    window: phase,
    opensAt: window.opensAt,
    closesAt: window.closesAt,
    at: now.toISOString(),
  });
};
