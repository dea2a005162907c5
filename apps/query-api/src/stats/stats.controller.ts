import { Controller, Get, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PUBLIC_CACHE } from '../infrastructure/query-params';
import { GetStatsQuery, StatsAnswer, StatsView } from './get-stats.query';

@ApiTags('consultations')
@Controller('v1/consultations/:slug/stats')
export class StatsController {
  constructor(private readonly queries: QueryBus) {}

  /** Live counters of a consultation (hot: Redis, cached one second). */
  @Get()
  @ApiOkResponse({ description: '{participants, proposals: {submitted, accepted, refused}, votes, byTier, asOf}' })
  async stats(@Param('slug') slug: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<StatsView> {
    const { view, source } = await this.queries.execute<GetStatsQuery, StatsAnswer>(new GetStatsQuery(slug));
    reply.header('cache-control', PUBLIC_CACHE).header('x-read-source', source);
    return view;
  }
}
