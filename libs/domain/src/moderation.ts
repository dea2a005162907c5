import { ProposalAcceptedData, ProposalRefusedData, RefusalReasonCode } from '@app/events/proposal-events';
import { DomainResult, validationFailed } from './errors';
import { findProposal } from './lookups';
import { err, ok } from './result';
import { forbiddenCharacterErrors, lengthErrors, normaliseText } from './text';
import { WriteModelView } from './write-model';

/**
 * Moderation: pending → accepted | refused, accepted → refused, refused → accepted (DESIGN.md).
 * Moderation has no window: a proposal can be moderated at any time.
 *
 * No change is `ok(null)`: accepting an accepted proposal, refusing a refused one (whatever the
 * new reason: the first refusal's reason stands). The handler then appends nothing and answers
 * 202 (there is no new log position to report). The decision is made on the write model's view,
 * which trails the log slightly; two moderators racing can therefore both append, and every fold
 * of the log applies the last moderation event (see write-model.ts), so all of them agree.
 */
export interface AcceptProposal {
  readonly proposalId: string;
  /** Moderator label (audit trail), never the token. */
  readonly moderator: string;
}

export interface RefuseProposal {
  readonly proposalId: string;
  readonly moderator: string;
  /** As received: normalised like a proposal text (NFC, newlines folded, trimmed). */
  readonly reason: string;
  /** Default `other`; `personal-data` scrubs the text from every read model for good. */
  readonly reasonCode?: RefusalReasonCode;
}

export const REASON_MIN = 3;
export const REASON_MAX = 500;


export const acceptProposal = (
  state: WriteModelView,
  command: AcceptProposal,
): DomainResult<ProposalAcceptedData | null> => {
  const found = findProposal(state, command.proposalId);
  if (!found.ok) return found;
  if (found.value.status === 'accepted') return ok(null);
  if (found.value.textErased) {
    return err({
      type: 'proposal-text-erased',
      detail: 'This proposal was refused because its text held personal data; its text is erased and it cannot be accepted.',
      proposalId: command.proposalId,
    });
  }
  return ok({ proposalId: command.proposalId, consultation: found.value.consultation, moderator: command.moderator });
};

/** 404 first (nothing to refuse), then the reason (422), then whether anything changes. */
export const refuseProposal = (
  state: WriteModelView,
  command: RefuseProposal,
): DomainResult<ProposalRefusedData | null> => {
  const found = findProposal(state, command.proposalId);
  if (!found.ok) return found;
  const reason = normaliseText(command.reason);
  const errors = [...lengthErrors(reason, '/reason', REASON_MIN, REASON_MAX), ...forbiddenCharacterErrors(reason, '/reason')];
  if (errors.length > 0) return err(validationFailed(errors));
  if (found.value.status === 'refused') return ok(null);
  return ok({
    proposalId: command.proposalId,
    consultation: found.value.consultation,
    moderator: command.moderator,
    reason,
    reasonCode: command.reasonCode ?? 'other',
  });
};
