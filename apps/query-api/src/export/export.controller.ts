import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { consultationNotFound } from '../infrastructure/query-params';
import { ReadModels } from '../infrastructure/read-models';
import { CONFIG } from '../infrastructure/tokens';
import { QueryConfig } from '../query.config';
import { exportProposals } from './export-proposals';

@ApiTags('exports')
@Controller('v1/consultations/:slug/exports')
export class ExportController {
  constructor(
    private readonly models: ReadModels,
    @Inject(CONFIG) private readonly config: QueryConfig,
  ) {}

  /**
   * Open-data CSV of the proposals in results, streamed. The log positions it reflects are in
   * the `X-As-Of` header (JSON), read in the same snapshot as the rows.
   */
  @Get('proposals.csv')
  @ApiProduces('text/csv')
  async proposals(@Param('slug') slug: string, @Res() reply: FastifyReply): Promise<void> {
    const exported = await exportProposals(this.models, slug, this.config.EXPORT_BATCH_ROWS);
    if (!exported) throw consultationNotFound(slug);
    reply.raw.once('close', () => exported.body.destroy());
    await reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${slug.replace(/[^a-zA-Z0-9._-]/g, '_')}-proposals.csv"`)
      .header('cache-control', 'public, max-age=60')
      .header('x-as-of', JSON.stringify(exported.asOf))
      .send(exported.body);
  }
}
