import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { acceptProposal, refuseProposal } from '@app/domain';
import { DomainEvent, makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { domainProblem } from '../infrastructure/domain-problem';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { WriteModelService } from '../write-model/write-model.service';
import { ModerateProposalCommand } from './moderate-proposal.command';

export interface ModerationAnswer {
  readonly proposalId: string;
  readonly status: 'accepted' | 'refused';
  /** Null when the proposal already had this status: nothing was appended. */
  readonly position: Position | null;
}

/** Appends ProposalAccepted / ProposalRefused naming the moderator (audit trail). */
@CommandHandler(ModerateProposalCommand)
export class ModerateProposalHandler implements ICommandHandler<ModerateProposalCommand, ModerationAnswer> {
  constructor(
    private readonly writeModel: WriteModelService,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {}

  async execute(command: ModerateProposalCommand): Promise<ModerationAnswer> {
    const now = this.clock.now();
    const context = { eventId: idFor(command.context, 'moderation'), occurredAt: now, correlationId: command.context.correlationId };
    let event: DomainEvent | null;
    if (command.decision.kind === 'accept') {
      const decided = acceptProposal(this.writeModel.state, { proposalId: command.proposalId, moderator: command.moderator });
      if (!decided.ok) throw domainProblem(decided.error);
      event = decided.value && makeEvent('ProposalAccepted', decided.value, context);
    } else {
      const decided = refuseProposal(this.writeModel.state, {
        proposalId: command.proposalId,
        moderator: command.moderator,
        reason: command.decision.reason,
        reasonCode: command.decision.reasonCode,
      });
      if (!decided.ok) throw domainProblem(decided.error);
      event = decided.value && makeEvent('ProposalRefused', decided.value, context);
    }
    const status = command.decision.kind === 'accept' ? 'accepted' : 'refused';
    const position = event ? await this.log.append(event) : null;
    return { proposalId: command.proposalId, status, position };
  }
}
