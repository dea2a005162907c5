import { Body, Controller, Delete, HttpCode, Param, Put, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Participant, ParticipantGuard } from '../auth/guards';
import { ParticipantClaims } from '@app/auth';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { uuidParam } from '../infrastructure/uuid-param';
import { Position } from '../write-model/event-log.service';
import { CastVoteCommand } from './cast-vote.command';
import { CastVoteDto } from './cast-vote.dto';
import { RetractVoteCommand } from './retract-vote.command';

type Request = IdempotentRequest & { method: string; url: string };

@ApiTags('votes')
@ApiBearerAuth()
@Controller('v1/proposals/:proposalId/vote')
@UseGuards(ParticipantGuard)
@UseInterceptors(IdempotencyInterceptor)
export class VotesController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @HttpCode(202)
  async cast(
    @Param('proposalId', uuidParam('proposalId')) proposalId: string,
    @Body() body: CastVoteDto,
    @Participant() voter: ParticipantClaims,
    @Req() request: Request,
  ): Promise<{ position: Position }> {
    const position = await this.commands.execute<CastVoteCommand, Position>(
      new CastVoteCommand(proposalId, voter, body.value, body.qualifications, requestContext(request)),
    );
    return { position };
  }

  @Delete()
  @HttpCode(202)
  async retract(
    @Param('proposalId', uuidParam('proposalId')) proposalId: string,
    @Participant() voter: ParticipantClaims,
    @Req() request: Request,
  ): Promise<{ position: Position }> {
    const position = await this.commands.execute<RetractVoteCommand, Position>(
      new RetractVoteCommand(proposalId, voter, requestContext(request)),
    );
    return { position };
  }
}
