import { RequestContext } from '../infrastructure/request-context';
import { RegisterParticipantDto } from './register-participant.dto';

export class RegisterParticipantCommand {
  constructor(
    readonly body: RegisterParticipantDto,
    readonly context: RequestContext,
    /** The client's address as Fastify resolved it; only its network id (network-id.ts) is kept. */
    readonly clientIp?: string,
  ) {}
}
