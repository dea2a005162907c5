import { Tier } from '@app/events/tier';
import { VoteCastData, VoteRetractedData } from '@app/events/vote-events';
import { isQualificationOf, isVoteValue, Qualification, QUALIFICATIONS, QUALIFICATIONS_BY_VALUE, VOTE_VALUES } from '@app/events/vote-values';
import { DomainResult, FieldError, validationFailed } from './errors';
import { consultationInPhase, findProposal } from './lookups';
import { err, ok } from './result';
import { WriteModelView } from './write-model';

/**
 * Votes. The write side validates only: it does not know the current votes, and must not
 * (DESIGN.md pitfalls: a gate that records "already voted" before the append is acknowledged
 * loses votes on a crash). The projector, which reads the log in order, judges duplicates and
 * no-ops (vote-state.ts).
 */

/** `PUT /v1/proposals/{id}/vote`: participant and tier from the token; the body as received. */
export interface CastVote {
  readonly proposalId: string;
  readonly participantId: string;
  readonly voterTier: Tier;
  /** Checked here: anything but agree | disagree | neutral is a `/value` error. */
  readonly value: string;
  readonly qualifications?: readonly string[];
}

/** `DELETE /v1/proposals/{id}/vote`. */
export interface RetractVote {
  readonly proposalId: string;
  readonly participantId: string;
  readonly voterTier: Tier;
}


const bodyErrors = (value: string, qualifications: readonly string[]): FieldError[] => {
  const errors: FieldError[] = [];
  const knownValue = isVoteValue(value);
  if (!knownValue) errors.push({ pointer: '/value', detail: `must be one of ${VOTE_VALUES.join(', ')}` });
  qualifications.forEach((q, i) => {
    const pointer = `/qualifications/${i}`;
    if (!(QUALIFICATIONS as readonly string[]).includes(q)) {
      errors.push({ pointer, detail: `unknown qualification ${JSON.stringify(q)}` });
    } else if (knownValue && !isQualificationOf(value, q)) {
      const allowed = QUALIFICATIONS_BY_VALUE[value].join(', ');
      errors.push({ pointer, detail: `${JSON.stringify(q)} does not go with "${value}" (allowed: ${allowed})` });
    }
  });
  return errors;
};

/**
 * Decides `VoteCast`: the proposal exists (404), the votes window of its consultation is open at
 * `now` (409), the proposal is accepted (409), then the body (422, every broken rule, pointers
 * `/value` and `/qualifications/<i>` into the request body). Repeated qualifications are
 * accepted and recorded once; the recorded list is sorted (code-unit order, `Array#sort`).
 */
export const castVote = (state: WriteModelView, command: CastVote, now: Date): DomainResult<VoteCastData> => {
  const found = findProposal(state, command.proposalId);
  if (!found.ok) return found;
  const proposal = found.value;
  const open = consultationInPhase(state, proposal.consultation, 'votes', now);
  if (!open.ok) return open;
  if (proposal.status !== 'accepted') {
    return err({
      type: 'proposal-not-votable',
      detail:
        proposal.status === 'pending'
          ? `Proposal ${proposal.proposalId} is waiting for moderation; only accepted proposals can be voted on.`
          : `Proposal ${proposal.proposalId} was refused by moderation; only accepted proposals can be voted on.`,
      proposalId: proposal.proposalId,
      status: proposal.status,
    });
  }
  const qualifications = command.qualifications ?? [];
  const errors = bodyErrors(command.value, qualifications);
  const value = command.value;
  if (errors.length > 0 || !isVoteValue(value)) return err(validationFailed(errors));
  return ok({
    proposalId: proposal.proposalId,
    consultation: proposal.consultation,
    participantId: command.participantId,
    voterTier: command.voterTier,
    value,
    qualifications: [...new Set(qualifications.filter((q): q is Qualification => isQualificationOf(value, q)))].sort(),
  });
};

/**
 * Decides `VoteRetracted`: the proposal exists (404) and the votes window is open (409). It does
 * not look at whether a vote exists (the write side cannot know; API.md: "always appended"), nor
 * at the proposal's status: a participant may withdraw a vote from a proposal refused since,
 * because a refused proposal can be accepted again and its votes would then count again. On a
 * pending proposal no vote can exist, and the retraction changes nothing downstream.
 */
export const retractVote = (state: WriteModelView, command: RetractVote, now: Date): DomainResult<VoteRetractedData> => {
  const found = findProposal(state, command.proposalId);
  if (!found.ok) return found;
  const open = consultationInPhase(state, found.value.consultation, 'votes', now);
  if (!open.ok) return open;
  return ok({
    proposalId: command.proposalId,
    consultation: found.value.consultation,
    participantId: command.participantId,
    voterTier: command.voterTier,
  });
};
