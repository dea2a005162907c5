import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { problem, validationFailed } from '@app/http';
import { Moderator, ModeratorGuard } from '../auth/guards';
import { IdempotencyInterceptor, IdempotentRequest } from '../idempotency/idempotency.interceptor';
import { requestContext } from '../infrastructure/request-context';
import { uuidParam } from '../infrastructure/uuid-param';
import { AbuseFlags, FLAG_RULES, FLAG_STATUSES, FlagStatus, FlagView } from './abuse-flags';
import { ChangeStandingCommand } from './change-standing.command';
import { ChangeStandingDto, ReviewFlagDto } from './change-standing.dto';
import { StandingAnswer } from './change-standing.handler';

type Request = IdempotentRequest & { method: string; url: string };

const parseLimit = (raw: string | undefined): number => {
  if (raw === undefined) return 20;
  const limit = /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
  if (!(limit >= 1 && limit <= 100)) throw validationFailed([{ pointer: '/query/limit', detail: 'must be an integer from 1 to 100' }]);
  return limit;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const encodeCursor = (next: { ms: number; flagId: string }): string => Buffer.from(`${next.ms}|${next.flagId}`).toString('base64url');
const decodeCursor = (cursor: string): { ms: number; flagId: string } => {
  const [ms, flagId, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !/^\d{1,15}$/.test(ms ?? '') || !UUID.test(flagId ?? '')) {
    throw problem(400, 'bad-cursor', 'The cursor is not one this API issued.');
  }
  return { ms: Number(ms), flagId };
};

/**
 * Abuse remedy for moderators (docs/abuse.md): review the flags of the detection scan, and
 * disqualify or requalify a participant. Disqualification appends ParticipantDisqualified; every
 * projection then leaves the participant's votes out of tallies, counters and results, while
 * still accepting and recording them (the participant is not told).
 */
@ApiTags('moderation')
@ApiBearerAuth()
@Controller('v1/moderation')
@UseGuards(ModeratorGuard)
export class ParticipantStandingController {
  constructor(
    private readonly commands: CommandBus,
    private readonly flags: AbuseFlags,
  ) {}

  @Get('flags')
  @ApiQuery({ name: 'status', required: false, description: 'open (default), dismissed, actioned or all' })
  @ApiQuery({ name: 'rule', required: false, enum: FLAG_RULES })
  @ApiQuery({ name: 'group', required: false, description: 'only the flags raised together (same burst, same vote vector)' })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'cursor', required: false })
  async list(
    @Query('status') status?: string,
    @Query('rule') rule?: string,
    @Query('group') group?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ items: FlagView[]; nextCursor: string | null }> {
    const wanted = status ?? 'open';
    if (wanted !== 'all' && !FLAG_STATUSES.includes(wanted as FlagStatus)) {
      throw validationFailed([{ pointer: '/query/status', detail: `must be one of ${[...FLAG_STATUSES, 'all'].join(', ')}` }]);
    }
    if (rule !== undefined && !(FLAG_RULES as readonly string[]).includes(rule)) {
      throw validationFailed([{ pointer: '/query/rule', detail: `must be one of ${FLAG_RULES.join(', ')}` }]);
    }
    if (group !== undefined && group.length > 200) throw validationFailed([{ pointer: '/query/group', detail: 'at most 200 characters' }]);
    const page = await this.flags.list({
      status: wanted === 'all' ? undefined : (wanted as FlagStatus),
      rule,
      groupKey: group,
      limit: parseLimit(limit),
      after: cursor === undefined ? undefined : decodeCursor(cursor),
    });
    return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** A flag judged a false positive (or reopened). Not an event: flags are advisory. */
  @Post('flags/:flagId/dismiss')
  @HttpCode(200)
  dismiss(@Param('flagId', uuidParam('flagId')) flagId: string, @Body() body: ReviewFlagDto, @Moderator() moderator: string) {
    return this.review(flagId, 'dismissed', moderator, body.note);
  }

  @Post('flags/:flagId/reopen')
  @HttpCode(200)
  reopen(@Param('flagId', uuidParam('flagId')) flagId: string, @Body() body: ReviewFlagDto, @Moderator() moderator: string) {
    return this.review(flagId, 'open', moderator, body.note);
  }

  @Post('participants/:participantId/disqualify')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  disqualify(
    @Param('participantId', uuidParam('participantId')) participantId: string,
    @Body() body: ChangeStandingDto,
    @Moderator() moderator: string,
    @Req() request: Request,
  ): Promise<StandingAnswer> {
    return this.changeStanding(participantId, 'disqualify', body, moderator, request);
  }

  @Post('participants/:participantId/requalify')
  @HttpCode(202)
  @UseInterceptors(IdempotencyInterceptor)
  requalify(
    @Param('participantId', uuidParam('participantId')) participantId: string,
    @Body() body: ChangeStandingDto,
    @Moderator() moderator: string,
    @Req() request: Request,
  ): Promise<StandingAnswer> {
    return this.changeStanding(participantId, 'requalify', body, moderator, request);
  }

  private changeStanding(
    participantId: string,
    change: 'disqualify' | 'requalify',
    body: ChangeStandingDto,
    moderator: string,
    request: Request,
  ): Promise<StandingAnswer> {
    return this.commands.execute(new ChangeStandingCommand(participantId, change, moderator, body.reason, body.flagIds ?? [], requestContext(request)));
  }

  private async review(flagId: string, status: 'dismissed' | 'open', moderator: string, note: string | undefined) {
    const updated = await this.flags.review(flagId, status, moderator, note);
    if (updated === null) throw problem(404, 'flag-not-found', 'No abuse flag has this id.', { flagId });
    return { flagId, status: updated };
  }
}
