import { Controller, Delete, HttpCode, Inject, LoggerService, Put, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ParticipantGuard } from '../auth/guards';
import { IdempotencyStore } from '../idempotency/idempotency-store';
import { IdempotentRequest, idempotentCall } from '../idempotency/idempotent-call';
import { requestContext } from '../infrastructure/request-context';
import { LOGGER } from '../infrastructure/tokens';
import { uuidParam } from '../infrastructure/uuid-param';
import { Position } from '../write-model/event-log.service';
import { castVoteBody } from './cast-vote.body';
import { CastVoteCommand } from './cast-vote.command';
import { CastVoteDto } from './cast-vote.dto';
import { RetractVoteCommand } from './retract-vote.command';

type VoteRequest = FastifyRequest<{ Params: { proposalId: string } }> & IdempotentRequest;

const PROPOSAL_ID = { type: 'param', data: 'proposalId', metatype: String } as const;

/**
 * The hot path (up to thousands of votes per second on one instance). The same steps, checks and
 * answers as the other command routes (ParticipantGuard → IdempotencyInterceptor → DTO validation
 * pipe → handler), but called in sequence from the handler instead of through Nest's guard,
 * interceptor and pipe chains (Observables, async-context bindings and class-validator metadata
 * per request); bench/vote-contract.ts checks that every answer stays the same.
 * Order, as Nest's chain has it: 401/403, Idempotency-Key (422/replay/409), body (422), path id (404), command.
 * Before any of it, Fastify's onRequest hook of the write gate (abuse/write-gate.ts) has already
 * refused a revoked token (401) or a write over a limit (429), in one Redis call, as on every route.
 */
@ApiTags('votes')
@ApiBearerAuth()
@Controller('v1/proposals/:proposalId/vote')
export class VotesController {
  private readonly proposalId = uuidParam('proposalId');

  constructor(
    private readonly commands: CommandBus,
    private readonly participants: ParticipantGuard,
    private readonly idempotency: IdempotencyStore,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  @Put()
  @HttpCode(202)
  @ApiParam({ name: 'proposalId', required: true, type: String })
  @ApiBody({ type: CastVoteDto, required: true })
  async cast(@Req() request: VoteRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const voter = this.participants.authenticate(request);
    return idempotentCall(this.idempotency, this.logger, { request, reply, successStatus: 202 }, async () => {
      const body = castVoteBody(request.body);
      const proposalId = (await this.proposalId.transform(request.params.proposalId, PROPOSAL_ID)) as string;
      const position = await this.commands.execute<CastVoteCommand, Position>(
        new CastVoteCommand(proposalId, voter, body.value, body.qualifications ?? undefined, requestContext(request)),
      );
      return { position };
    });
  }

  @Delete()
  @HttpCode(202)
  @ApiParam({ name: 'proposalId', required: true, type: String })
  async retract(@Req() request: VoteRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const voter = this.participants.authenticate(request);
    return idempotentCall(this.idempotency, this.logger, { request, reply, successStatus: 202 }, async () => {
      const proposalId = (await this.proposalId.transform(request.params.proposalId, PROPOSAL_ID)) as string;
      const position = await this.commands.execute<RetractVoteCommand, Position>(new RetractVoteCommand(proposalId, voter, requestContext(request)));
      return { position };
    });
  }
}
