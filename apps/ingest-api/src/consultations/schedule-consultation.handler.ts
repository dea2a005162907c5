import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { scheduleConsultation } from '@app/domain';
import { ConsultationScheduledV2Data, makeEvent } from '@app/events';
import { Clock } from '../infrastructure/clock';
import { domainProblem } from '../infrastructure/domain-problem';
import { KeyedSerializer } from '../infrastructure/keyed-serializer';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { WriteModelService } from '../write-model/write-model.service';
import { ScheduleConsultationCommand } from './schedule-consultation.command';

export type ScheduledAnswer = ConsultationScheduledV2Data & { readonly position: Position };

/** Appends ConsultationScheduled; one slug at a time so two admins cannot both create it here. */
@CommandHandler(ScheduleConsultationCommand)
export class ScheduleConsultationHandler implements ICommandHandler<ScheduleConsultationCommand, ScheduledAnswer> {
  private readonly perSlug = new KeyedSerializer();

  constructor(
    private readonly writeModel: WriteModelService,
    private readonly log: EventLog,
    private readonly clock: Clock,
  ) {}

  execute(command: ScheduleConsultationCommand): Promise<ScheduledAnswer> {
    return this.perSlug.run(command.body.slug, async () => {
      const decided = scheduleConsultation(this.writeModel.state, { ...command.body, scheduledBy: command.admin });
      if (!decided.ok) throw domainProblem(decided.error);
      const event = makeEvent('ConsultationScheduled', decided.value, {
        eventId: idFor(command.context, 'ConsultationScheduled'),
        occurredAt: this.clock.now(),
        correlationId: command.context.correlationId,
      });
      const position = await this.log.append(event);
      return { ...decided.value, position };
    });
  }
}
