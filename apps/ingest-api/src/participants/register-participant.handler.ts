import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Tier, makeEvent, sealPersonalData } from '@app/events';
import { ResolvedTerritory, TERRITORY_DATA_VERSION, TerritoryIndex } from '@app/territory';
import { ParticipantTokens } from '@app/auth';
import { Clock } from '../infrastructure/clock';
import { CONFIG } from '../infrastructure/tokens';
import { idFor } from '../infrastructure/request-context';
import { EventLog, Position } from '../write-model/event-log.service';
import { IngestConfig } from '../ingest.config';
import { KeyStore } from './key-store';
import { NetworkIds } from './network-id';
import { RegisterParticipantCommand } from './register-participant.command';
import { decideRegistration } from './territory-decision';

export interface RegistrationAnswer {
  readonly participantId: string;
  readonly token: string;
  readonly tier: Tier;
  readonly territory: ResolvedTerritory;
  readonly position: Position;
}

/**
 * Appends ParticipantRegistered with the personal data sealed under a fresh per-participant key
 * (crypto-shredding), and answers a signed token carrying the participant id and tier.
 */
@CommandHandler(RegisterParticipantCommand)
export class RegisterParticipantHandler implements ICommandHandler<RegisterParticipantCommand, RegistrationAnswer> {
  constructor(
    private readonly territories: TerritoryIndex,
    private readonly keys: KeyStore,
    private readonly tokens: ParticipantTokens,
    private readonly log: EventLog,
    private readonly clock: Clock,
    private readonly networks: NetworkIds,
    @Inject(CONFIG) private readonly config: IngestConfig,
  ) {}

  async execute(command: RegisterParticipantCommand): Promise<RegistrationAnswer> {
    const decided = decideRegistration(this.territories, command.body);
    if (!('tier' in decided)) throw decided;
    const now = this.clock.now();
    const participantId = idFor(command.context, 'participant');
    const personal = decided.personal && sealPersonalData(decided.personal, await this.keys.keyFor(participantId), participantId);
    const networkId = this.networks.of(command.clientIp);
    const event = makeEvent(
      'ParticipantRegistered',
      {
        participantId,
        tier: decided.tier,
        territory: decided.territory,
        territoryDataVersion: TERRITORY_DATA_VERSION,
        ...(personal && { personal }),
        ...(networkId !== undefined && { networkId }),
      },
      { eventId: idFor(command.context, 'ParticipantRegistered'), occurredAt: now, correlationId: command.context.correlationId },
    );
    const position = await this.log.append(event);
    const exp = Math.floor(now.getTime() / 1000) + this.config.PARTICIPANT_TOKEN_TTL_SECONDS;
    const token = this.tokens.sign({ participantId, tier: decided.tier, exp });
    return { participantId, token, tier: decided.tier, territory: decided.territory, position };
  }
}
