import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentViewer, Viewer, ViewerGuard, requireModerator } from '../auth/viewer';
import { PRIVATE_NO_STORE, PUBLIC_CACHE, parseChoice, parseLimit, parseTier, proposalIdParam } from '../infrastructure/query-params';
import { GetProposalQuery, GetProposalResult, ProposalAnswer } from './get-proposal.query';
import { ListProposalsQuery, ProposalPage } from './list-proposals.query';
import { SORTS } from './ranking';

const STATUSES = ['accepted', 'pending', 'refused'] as const;

@ApiTags('proposals')
@ApiBearerAuth()
@Controller('v1')
@UseGuards(ViewerGuard)
export class ProposalsController {
  constructor(private readonly queries: QueryBus) {}

  /** A consultation's proposals; pending and refused ones for moderators only. */
  @Get('consultations/:slug/proposals')
  @ApiQuery({ name: 'status', required: false, enum: STATUSES, description: 'default accepted; others need a moderator token' })
  @ApiQuery({ name: 'sort', required: false, enum: SORTS, description: 'default top' })
  @ApiQuery({ name: 'tier', required: false, description: 'rank by the votes of this tier' })
  @ApiQuery({ name: 'authorTier', required: false, description: "only proposals of authors of this tier" })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  async list(
    @Param('slug') slug: string,
    @Query() query: Record<string, string | undefined>,
    @CurrentViewer() viewer: Viewer,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProposalPage> {
    const status = parseChoice('status', query.status, STATUSES, 'accepted');
    if (status !== 'accepted') requireModerator(viewer, `Listing ${status} proposals`);
    const page = await this.queries.execute<ListProposalsQuery, ProposalPage>(
      new ListProposalsQuery(
        slug,
        status,
        parseChoice('sort', query.sort, SORTS, 'top'),
        parseTier('tier', query.tier),
        parseTier('authorTier', query.authorTier),
        parseLimit(query.limit, 20, 100),
        query.cursor,
      ),
    );
    reply.header('cache-control', viewer.kind === 'moderator' ? PRIVATE_NO_STORE : PUBLIC_CACHE);
    return page;
  }

  /** One proposal with its overall and per-tier tallies (hot: Redis, cached one second). */
  @Get('proposals/:proposalId')
  async detail(
    @Param('proposalId', proposalIdParam()) proposalId: string,
    @CurrentViewer() viewer: Viewer,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProposalAnswer> {
    const { answer, source } = await this.queries.execute<GetProposalQuery, GetProposalResult>(new GetProposalQuery(proposalId, viewer));
    reply.header('cache-control', viewer.kind === 'moderator' ? PRIVATE_NO_STORE : PUBLIC_CACHE).header('x-read-source', source);
    return answer;
  }
}
