import { ProposalSubmittedData } from '@app/events/proposal-events';
import { Tier } from '@app/events/tier';
import { DomainResult, validationFailed } from './errors';
import { consultationInPhase } from './lookups';
import { normaliseProposalText, validateProposalText } from './proposal-text';
import { err, ok } from './result';
import { proposalCount, WriteModelView } from './write-model';

/** At most this many proposals per participant per consultation (refused ones count too). */
export const PROPOSAL_QUOTA = 100;

/** `POST /v1/consultations/{slug}/proposals`: author and tier from the token, id from the handler. */
export interface SubmitProposal {
  readonly consultation: string;
  readonly authorId: string;
  readonly authorTier: Tier;
  /** As received: normalised here. */
  readonly text: string;
  /** Derived from the Idempotency-Key when there is one, so that a retry keeps its id. */
  readonly proposalId: string;
}

/**
 * Decides `ProposalSubmitted`. Checks, in this order, each answering the first that fails:
 * 1. the id is already in the log: the same author, consultation and text means this is a
 *    retry of a submission that landed, answered with the recorded data (appending it again is
 *    harmless: proposals are keyed by id everywhere), even if the window closed since; anything
 *    else is a `proposal-id-conflict`;
 * 2. the consultation exists (404) and accepts proposals at `now` (409);
 * 3. the quota: the 101st is refused whatever its text, since fixing the text would not help;
 * 4. the text rules, all broken ones reported (422).
 * The quota is judged on the write model, which trails the log by the time it takes to read it
 * back: concurrent submissions of one author can pass it by the number in flight.
 */
export const submitProposal = (
  state: WriteModelView,
  command: SubmitProposal,
  now: Date,
): DomainResult<ProposalSubmittedData> => {
  const text = normaliseProposalText(command.text);
  const existing = state.proposals.get(command.proposalId);
  if (existing) {
    const sameSubmission =
      existing.authorId === command.authorId && existing.consultation === command.consultation && existing.text === text;
    return sameSubmission
      ? ok({
          proposalId: existing.proposalId,
          consultation: existing.consultation,
          authorId: existing.authorId,
          authorTier: existing.authorTier,
          text: existing.text,
        })
      : err({
          type: 'proposal-id-conflict',
          detail: `Proposal id ${command.proposalId} is already taken by another submission.`,
          proposalId: command.proposalId,
        });
  }

  const open = consultationInPhase(state, command.consultation, 'proposals', now);
  if (!open.ok) return open;

  if (proposalCount(state, command.consultation, command.authorId) >= PROPOSAL_QUOTA) {
    return err({
      type: 'proposal-quota-exceeded',
      detail: `A participant may submit at most ${PROPOSAL_QUOTA} proposals to "${command.consultation}".`,
      consultation: command.consultation,
      limit: PROPOSAL_QUOTA,
    });
  }

  const errors = validateProposalText(text);
  if (errors.length > 0) return err(validationFailed(errors));

  return ok({
    proposalId: command.proposalId,
    consultation: command.consultation,
    authorId: command.authorId,
    authorTier: command.authorTier,
    text,
  });
};
