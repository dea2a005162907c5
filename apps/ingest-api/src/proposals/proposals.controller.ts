import { Body, Controller, HttpCode, Param, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Participant, ParticipantGuard } from '../auth/guards';
import { ParticipantClaims } from '@app/auth';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { ProposalSubmittedAnswer } from './submit-proposal.handler';
import { SubmitProposalCommand } from './submit-proposal.command';
import { SubmitProposalDto } from './submit-proposal.dto';

type Request = IdempotentRequest & { method: string; url: string };

@ApiTags('proposals')
@ApiBearerAuth()
@Controller('v1/consultations/:slug/proposals')
@UseGuards(ParticipantGuard)
@UseInterceptors(IdempotencyInterceptor)
export class ProposalsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(202)
  submit(
    @Param('slug') slug: string,
    @Body() body: SubmitProposalDto,
    @Participant() author: ParticipantClaims,
    @Req() request: Request,
  ): Promise<ProposalSubmittedAnswer> {
    return this.commands.execute(new SubmitProposalCommand(slug, author, body.text, requestContext(request)));
  }
}
