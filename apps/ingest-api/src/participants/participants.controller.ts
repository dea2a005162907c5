import { Body, Controller, HttpCode, Post, Req, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { RegisterParticipantCommand } from './register-participant.command';
import { RegisterParticipantDto } from './register-participant.dto';
import { RegistrationAnswer } from './register-participant.handler';

type Request = IdempotentRequest & { method: string; url: string; ip?: string };

@ApiTags('participants')
@Controller('v1/participants')
@UseInterceptors(IdempotencyInterceptor)
export class ParticipantsController {
  constructor(private readonly commands: CommandBus) {}

  /** Anonymous registration; the Idempotency-Key alone scopes a retry. */
  @Post()
  @HttpCode(201)
  register(@Body() body: RegisterParticipantDto, @Req() request: Request): Promise<RegistrationAnswer> {
    return this.commands.execute(new RegisterParticipantCommand(body, requestContext(request), request.ip));
  }
}
