import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { moderationQueue } from '@app/domain';
import { validationFailed } from '@app/http';
import { Moderator, ModeratorGuard } from '../auth/guards';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { uuidParam } from '../infrastructure/uuid-param';
import { WriteModelService } from '../write-model/write-model.service';
import { ModerateProposalCommand } from './moderate-proposal.command';
import { ModerationAnswer } from './moderate-proposal.handler';
import { RefuseProposalDto } from './refuse-proposal.dto';

type Request = IdempotentRequest & { method: string; url: string };

const parseLimit = (raw: string | undefined): number => {
  if (raw === undefined) return 20;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= 100)) throw validationFailed([{ pointer: '/query/limit', detail: 'must be an integer from 1 to 100' }]);
  return limit;
};

@ApiTags('moderation')
@ApiBearerAuth()
@Controller('v1/moderation')
@UseGuards(ModeratorGuard)
export class ModerationController {
  constructor(
    private readonly commands: CommandBus,
    private readonly writeModel: WriteModelService,
  ) {}

  @Post('proposals/:proposalId/accept')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  accept(
    @Param('proposalId', uuidParam('proposalId')) proposalId: string,
    @Moderator() moderator: string,
    @Req() request: Request,
  ): Promise<ModerationAnswer> {
    return this.commands.execute(new ModerateProposalCommand(proposalId, moderator, { kind: 'accept' }, requestContext(request)));
  }

  @Post('proposals/:proposalId/refuse')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  refuse(
    @Param('proposalId', uuidParam('proposalId')) proposalId: string,
    @Body() body: RefuseProposalDto,
    @Moderator() moderator: string,
    @Req() request: Request,
  ): Promise<ModerationAnswer> {
    return this.commands.execute(
      new ModerateProposalCommand(proposalId, moderator, { kind: 'refuse', reason: body.reason, reasonCode: body.reasonCode }, requestContext(request)),
    );
  }

  /** Oldest pending proposals first, from this instance's write model (read from the log). */
  @Get('queue')
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'consultation', required: false, description: 'only this consultation (slug)' })
  queue(@Query('limit') limit?: string, @Query('consultation') consultation?: string): { items: object[] } {
    const state = this.writeModel.state;
    const view =
      consultation === undefined
        ? state
        : { ...state, pending: new Map([...state.pending].filter(([, proposal]) => proposal.consultation === consultation)) };
    const items = moderationQueue(view, parseLimit(limit)).map((p) => ({
      proposalId: p.proposalId,
      consultation: p.consultation,
      text: p.text,
      authorTier: p.authorTier,
      submittedAt: p.submittedAt,
    }));
    return { items };
  }
}
