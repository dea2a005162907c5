import { Inject, Injectable, LoggerService, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../infrastructure/clock';
import { LOGGER } from '../infrastructure/tokens';
import { EventLog } from '../write-model/event-log.service';
import { erasureEvent, requesterOf } from './erasure-event';
import { KeyStore } from './key-store';

/** An erasure younger than this may still be finishing in the request that destroyed the key. */
const GRACE_MS = 30_000;
const EVERY_MS = 60_000;

/**
 * Finishes erasures interrupted by a crash between destroying the key and the log acknowledging
 * ParticipantErased: appends the event again (same id, so at most one counts) and marks it
 * logged. Every instance runs it; duplicates are harmless.
 */
@Injectable()
export class ErasureSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly keys: KeyStore,
    private readonly log: EventLog,
    private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(GRACE_MS).catch(() => undefined), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Returns how many interrupted erasures were appended. */
  async sweep(graceMs: number): Promise<number> {
    let done = 0;
    try {
      for (const pending of await this.keys.unloggedErasures(graceMs)) {
        await this.log.append(erasureEvent(pending.participantId, requesterOf(pending.erasedBy), this.clock.now(), 'erasure-sweeper'));
        await this.keys.markLogged(pending.participantId);
        done++;
      }
    } catch (error) {
      this.logger.warn(`erasure sweep stopped after ${done}: ${(error as Error).message}`, 'ErasureSweeper');
    }
    return done;
  }
}
