import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { castVote } from '@app/domain';
import { makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { domainProblem } from '../infrastructure/domain-problem';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { WriteModelService } from '../write-model/write-model.service';
import { CastVoteCommand } from './cast-vote.command';

/** Appends VoteCast. Whether it changes the voter's current vote is the projector's call. */
@CommandHandler(CastVoteCommand)
export class CastVoteHandler implements ICommandHandler<CastVoteCommand, Position> {
  constructor(
    private readonly writeModel: WriteModelService,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {}

  async execute(command: CastVoteCommand): Promise<Position> {
    const now = this.clock.now();
    const decided = castVote(
      this.writeModel.state,
      {
        proposalId: command.proposalId,
        participantId: command.voter.participantId,
        voterTier: command.voter.tier,
        value: command.value,
        qualifications: command.qualifications,
      },
      now,
    );
    if (!decided.ok) throw domainProblem(decided.error);
    const eventId = idFor(command.context, 'VoteCast');
    return this.log.append(makeEvent('VoteCast', decided.value, { eventId, occurredAt: now, correlationId: command.context.correlationId }));
  }
}
