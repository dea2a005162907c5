import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { retractVote } from '@app/domain';
import { makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { domainProblem } from '../infrastructure/domain-problem';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { WriteModelService } from '../write-model/write-model.service';
import { RetractVoteCommand } from './retract-vote.command';

/** Appends VoteRetracted, always: retracting a vote that does not exist changes nothing downstream. */
@CommandHandler(RetractVoteCommand)
export class RetractVoteHandler implements ICommandHandler<RetractVoteCommand, Position> {
  constructor(
    private readonly writeModel: WriteModelService,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {}

  async execute(command: RetractVoteCommand): Promise<Position> {
    const now = this.clock.now();
    const decided = retractVote(
      this.writeModel.state,
      { proposalId: command.proposalId, participantId: command.voter.participantId, voterTier: command.voter.tier },
      now,
    );
    if (!decided.ok) throw domainProblem(decided.error);
    const eventId = idFor(command.context, 'VoteRetracted');
    return this.log.append(makeEvent('VoteRetracted', decided.value, { eventId, occurredAt: now, correlationId: command.context.correlationId }));
  }
}
