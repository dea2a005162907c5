import { Inject, Injectable } from '@nestjs/common';
import { DomainEvent } from '@app/events';
import { EventAppender, KafkaUnavailableError } from '@app/kafka';
import { problem } from '@app/http';
import { LoadShedder } from '../load-shedding/load-shedder';
import { WriteModelService } from './write-model.service';

export interface Position {
  readonly topic: string;
  readonly partition: number;
  /** 64-bit, as a string. */
  readonly offset: string;
}

/**
 * The only way the ingest writes: append to Kafka (acks=all, batched with concurrent requests),
 * then fold the acknowledged event into this instance's write model at once, so the next
 * command sees it without waiting to read it back. When Kafka cannot confirm in time the
 * answer is 503 + Retry-After: the outcome is unknown and a retry with the same
 * Idempotency-Key counts once. Appends are timed for load shedding (the `broker-slow` signal).
 */
@Injectable()
export class EventLog {
  constructor(
    @Inject(EventAppender) private readonly appender: EventAppender,
    private readonly writeModel: WriteModelService,
    private readonly shedder: LoadShedder,
  ) {}

  async append(event: DomainEvent): Promise<Position> {
    const timing = this.shedder.appendStarted();
    try {
      const position = await this.appender.append(event);
      this.writeModel.apply(event);
      return position;
    } catch (error) {
      if (error instanceof KafkaUnavailableError) {
        throw problem(
          503,
          'event-not-confirmed',
          'The event log did not confirm the write in time; the outcome is unknown. Retry with the same Idempotency-Key.',
          {},
          { 'retry-after': String(error.retryAfterSeconds) },
        );
      }
      throw error;
    } finally {
      timing.release();
    }
  }
}
