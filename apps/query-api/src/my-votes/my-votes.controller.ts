import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ParticipantClaims } from '@app/auth';
import { CurrentParticipant, ParticipantGuard } from '../auth/viewer';
import { PRIVATE_NO_STORE, parseLimit } from '../infrastructure/query-params';
import { GetMyVotesQuery, MyVotesView } from './get-my-votes.query';

@ApiTags('participants')
@ApiBearerAuth()
@Controller('v1/participants/me/votes')
@UseGuards(ParticipantGuard)
export class MyVotesController {
  constructor(private readonly queries: QueryBus) {}

  /** The caller's current votes, most recent first. */
  @Get()
  @ApiQuery({ name: 'consultation', required: false, description: 'only this consultation (slug)' })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'cursor', required: false })
  async votes(
    @Query() query: Record<string, string | undefined>,
    @CurrentParticipant() participant: ParticipantClaims,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MyVotesView> {
    reply.header('cache-control', PRIVATE_NO_STORE);
    return this.queries.execute<GetMyVotesQuery, MyVotesView>(
      new GetMyVotesQuery(participant.participantId.toLowerCase(), query.consultation || undefined, parseLimit(query.limit, 20, 100), query.cursor),
    );
  }
}
