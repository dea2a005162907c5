import { Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiParam, ApiTags } from '@nestjs/swagger';
import { problem } from '@app/http';
import { JsonLogger } from '@app/observability';
import { Revocation, TokenRevocations } from '@app/redis';
import { Moderator, ModeratorGuard } from '../auth/guards';
import { Clock } from '../infrastructure/clock';
import { IngestConfig } from '../ingest.config';
import { CONFIG, LOGGER } from '../infrastructure/tokens';
import { uuidParam } from '../infrastructure/uuid-param';

/**
 * Revokes a participant's tokens (docs/security.md "Revocation"): from now on, every request
 * with a token of this participant gets 401 token-revoked, on both APIs. Repeating it changes
 * nothing but the date. Not an event: access is not part of the record; the moderator is named in
 * the stored revocation and in the log.
 */
@ApiTags('moderation')
@ApiBearerAuth()
@Controller('v1/moderation/participants')
@UseGuards(ModeratorGuard)
export class RevocationController {
  constructor(
    private readonly revocations: TokenRevocations,
    private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  @Post(':participantId/revoke-token')
  @HttpCode(200)
  @ApiParam({ name: 'participantId', required: true, type: String })
  async revoke(@Param('participantId', uuidParam('participantId')) participantId: string, @Moderator() moderator: string): Promise<Revocation> {
    const revocation = await this.revocations.revoke(participantId, moderator, this.clock.now(), this.ttlSeconds()).catch(() => {
      throw problem(503, 'revocation-unavailable', 'The revocation could not be stored (Redis did not answer); retry.', {}, { 'retry-after': '1' });
    });
    this.logger.event('info', 'participant token revoked', { participantId, moderator });
    return revocation;
  }

  /** A revocation outlives every token it revokes: their lifetime, plus a day for tokens signed under an older, longer setting. */
  private ttlSeconds(): number {
    return this.config.PARTICIPANT_TOKEN_TTL_SECONDS + 24 * 3600;
  }
}
