import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { JsonLogger } from '@app/observability';
import { Clock } from '../infrastructure/clock';
import { LOGGER } from '../infrastructure/tokens';
import { EventLog, Position } from '../write-model/event-log.service';
import { EraseParticipantCommand } from './erase-participant.command';
import { erasedByLabel, erasureEvent } from './erasure-event';
import { KeyStore } from './key-store';

export interface ErasureAnswer {
  readonly participantId: string;
  readonly erased: true;
  /** Null when an earlier erasure of this participant was already in the log. */
  readonly position: Position | null;
}

/**
 * Right to erasure: destroy the key, then append ParticipantErased, then record that the log has
 * it. 202 only after all three, so an acknowledged erasure always left the key destroyed; a crash
 * after the first step leaves a destroyed key without its event, which a retry or ErasureSweeper
 * appends (same event id). See docs/privacy.md.
 */
@CommandHandler(EraseParticipantCommand)
export class EraseParticipantHandler implements ICommandHandler<EraseParticipantCommand, ErasureAnswer> {
  constructor(
    private readonly keys: KeyStore,
    private readonly log: EventLog,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: JsonLogger,
  ) {}

  async execute(command: EraseParticipantCommand): Promise<ErasureAnswer> {
    const participantId = command.participantId.toLowerCase();
    const { alreadyLogged } = await this.keys.destroy(participantId, erasedByLabel(command.requester));
    if (alreadyLogged) return { participantId, erased: true, position: null };
    const position = await this.log.append(erasureEvent(participantId, command.requester, this.clock.now(), command.context.correlationId));
    await this.keys.markLogged(participantId);
    // The erasure journal outside the record (docs/privacy.md "Backups"): the pseudonymous id only,
    // so erasures made after the last backup can be applied again after a disaster restore.
    this.logger.event('info', 'participant personal data erased', {
      participantId,
      requestedBy: command.requester.kind,
      ...(command.requester.kind === 'moderator' && { moderator: command.requester.moderator }),
    });
    return { participantId, erased: true, position };
  }
}
