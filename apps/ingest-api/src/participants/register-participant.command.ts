import { RequestContext } from '../infrastructure/request-context';
import { RegisterParticipantDto } from './register-participant.dto';

export class RegisterParticipantCommand {
  constructor(
    readonly body: RegisterParticipantDto,
    readonly context: RequestContext,
  ) {}
}
