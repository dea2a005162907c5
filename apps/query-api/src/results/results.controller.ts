import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PUBLIC_CACHE, parseLimit, parseTier } from '../infrastructure/query-params';
import { GetResultsQuery, ResultsView } from './get-results.query';

@ApiTags('results')
@Controller('v1/consultations/:slug/results')
export class ResultsController {
  constructor(private readonly queries: QueryBus) {}

  /** Plébiscites, controversies, cross-tier consensus and divergence, representativeness (docs/results.md). */
  @Get()
  @ApiQuery({ name: 'tier', required: false, description: 'only this tier in byTier' })
  @ApiQuery({ name: 'limit', required: false, description: 'truncate every list (complete without it)' })
  async results(
    @Param('slug') slug: string,
    @Query('tier') tier: string | undefined,
    @Query('limit') limit: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResultsView> {
    const view = await this.queries.execute<GetResultsQuery, ResultsView>(
      new GetResultsQuery(slug, parseTier('tier', tier), limit === undefined ? undefined : parseLimit(limit, 0, 100_000)),
    );
    reply.header('cache-control', PUBLIC_CACHE);
    return view;
  }
}
