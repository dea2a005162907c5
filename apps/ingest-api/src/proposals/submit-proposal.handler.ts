import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { submitProposal } from '@app/domain';
import { makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { domainProblem } from '../infrastructure/domain-problem';
import { KeyedSerializer } from '../infrastructure/keyed-serializer';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { WriteModelService } from '../write-model/write-model.service';
import { SubmitProposalCommand } from './submit-proposal.command';

export interface ProposalSubmittedAnswer {
  readonly proposalId: string;
  readonly status: 'pending';
  readonly position: Position;
}

/**
 * Appends ProposalSubmitted. One author's submissions are decided one at a time in this
 * instance, so concurrent requests cannot all pass the quota at 99; across instances the
 * projector, which reads the log in order, ignores any submission past the quota.
 */
@CommandHandler(SubmitProposalCommand)
export class SubmitProposalHandler implements ICommandHandler<SubmitProposalCommand, ProposalSubmittedAnswer> {
  private readonly perAuthor = new KeyedSerializer();

  constructor(
    private readonly writeModel: WriteModelService,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {}

  execute(command: SubmitProposalCommand): Promise<ProposalSubmittedAnswer> {
    return this.perAuthor.run(command.author.participantId, async () => {
      const now = this.clock.now();
      const proposalId = idFor(command.context, 'proposal');
      const decided = submitProposal(
        this.writeModel.state,
        {
          consultation: command.consultation,
          authorId: command.author.participantId,
          authorTier: command.author.tier,
          text: command.text,
          proposalId,
        },
        now,
      );
      if (!decided.ok) throw domainProblem(decided.error);
      const event = makeEvent('ProposalSubmitted', decided.value, {
        eventId: idFor(command.context, 'ProposalSubmitted'),
        occurredAt: now,
        correlationId: command.context.correlationId,
      });
      const position = await this.log.append(event);
      return { proposalId: decided.value.proposalId, status: 'pending', position };
    });
  }
}
