import { RequestContext } from '../infrastructure/request-context';
import { ScheduleConsultationDto } from './schedule-consultation.dto';

export class ScheduleConsultationCommand {
  constructor(
    readonly body: ScheduleConsultationDto,
    readonly admin: string,
    readonly context: RequestContext,
  ) {}
}
