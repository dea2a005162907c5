import { Controller, Delete, HttpCode, Param, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParticipantClaims } from '@app/auth';
import { Moderator, ModeratorGuard, Participant, ParticipantGuard } from '../auth/guards';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { uuidParam } from '../infrastructure/uuid-param';
import { EraseParticipantCommand } from './erase-participant.command';
import { ErasureAnswer } from './erase-participant.handler';

type Request = IdempotentRequest & { method: string; url: string };

/** Right to erasure (docs/privacy.md): the person's own request, or a moderator's. */
@ApiTags('participants')
@ApiBearerAuth()
@Controller('v1')
@UseInterceptors(IdempotencyInterceptor)
export class ErasureController {
  constructor(private readonly commands: CommandBus) {}

  @Delete('participants/me')
  @HttpCode(202)
  @UseGuards(ParticipantGuard)
  @ApiOperation({ summary: 'Erase my personal data (first name, age range); my votes stay counted, anonymously.' })
  eraseMe(@Participant() participant: ParticipantClaims, @Req() request: Request): Promise<ErasureAnswer> {
    return this.commands.execute(new EraseParticipantCommand(participant.participantId, { kind: 'participant' }, requestContext(request)));
  }

  @Delete('moderation/participants/:participantId/personal-data')
  @HttpCode(202)
  @UseGuards(ModeratorGuard)
  @ApiOperation({ summary: "Erase a participant's personal data on their behalf (named in the audit trail)." })
  erase(
    @Param('participantId', uuidParam('participantId')) participantId: string,
    @Moderator() moderator: string,
    @Req() request: Request,
  ): Promise<ErasureAnswer> {
    return this.commands.execute(new EraseParticipantCommand(participantId, { kind: 'moderator', moderator }, requestContext(request)));
  }
}
