import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { AbuseFlags } from './abuse-flags';
import { ChangeStandingCommand } from './change-standing.command';

export interface StandingAnswer {
  readonly participantId: string;
  readonly standing: 'disqualified' | 'requalified';
  readonly position: Position;
}

/**
 * Appends ParticipantDisqualified / ParticipantRequalified naming the moderator (acks=all, like
 * every write). Always appended: the projector judges the standing (a repeated decision changes
 * nothing there), as it judges duplicate votes; the write side keeps no participant state.
 * Then the participant's open flags are marked reviewed (best effort: the flags are advisory).
 */
@CommandHandler(ChangeStandingCommand)
export class ChangeStandingHandler implements ICommandHandler<ChangeStandingCommand, StandingAnswer> {
  constructor(
    private readonly log: EventLog,
    private readonly clock: Clock,
    private readonly flags: AbuseFlags,
  ) {}

  async execute(command: ChangeStandingCommand): Promise<StandingAnswer> {
    const data = {
      participantId: command.participantId,
      moderator: command.moderator,
      reason: command.reason.trim(),
      flagIds: [...new Set(command.flagIds.map((id) => id.toLowerCase()))],
    };
    const context = { eventId: idFor(command.context, `standing:${command.change}`), occurredAt: this.clock.now(), correlationId: command.context.correlationId };
    const event =
      command.change === 'disqualify' ? makeEvent('ParticipantDisqualified', data, context) : makeEvent('ParticipantRequalified', data, context);
    const position = await this.log.append(event);
    await this.flags.closeFor(command.participantId, command.change === 'disqualify' ? 'actioned' : 'dismissed', command.moderator, data.reason).catch(() => undefined);
    return { participantId: command.participantId, standing: command.change === 'disqualify' ? 'disqualified' : 'requalified', position };
  }
}
