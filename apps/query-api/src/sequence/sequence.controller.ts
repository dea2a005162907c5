import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParticipantClaims } from '@app/auth';
import { CurrentParticipant, ParticipantGuard } from '../auth/viewer';
import { PRIVATE_NO_STORE, parseLimit } from '../infrastructure/query-params';
import { GetSequenceQuery, SequenceView } from './get-sequence.query';

@ApiTags('sequence')
@ApiBearerAuth()
@Controller('v1/consultations/:slug/sequence')
@UseGuards(ParticipantGuard)
export class SequenceController {
  constructor(private readonly queries: QueryBus) {}

  /** The next proposals to show this participant (docs/sequence.md); never one they voted on. */
  @Get()
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 10' })
  async sequence(
    @Param('slug') slug: string,
    @Query('limit') limit: string | undefined,
    @CurrentParticipant() participant: ParticipantClaims,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SequenceView> {
    reply.header('cache-control', PRIVATE_NO_STORE);
    return this.queries.execute<GetSequenceQuery, SequenceView>(new GetSequenceQuery(slug, participant, parseLimit(limit, 10, 100)));
  }
}
