import { Inject, Injectable, LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { WriteModel, WriteModelView, emptyWriteModel, evolve } from '@app/domain';
import { DomainEvent, physicalTopic } from '@app/events';
import { LogReader, readLog } from '@app/kafka';
import { problem } from '@app/http';
import { ReadinessCheck } from '@app/observability';
import { IngestConfig } from '../ingest.config';
import { CONFIG, KAFKA, LOGGER } from '../infrastructure/tokens';

/**
 * The state the ingest decides with: consultations (windows, thresholds) and proposals (status,
 * author, per-author counts), folded from the consultations and proposals topics.
 *
 * Where it lives and why (docs/write-side.md): in this process's memory, rebuilt from Kafka at
 * every start and kept current by following the two topics. It is small (20,000 proposals is a
 * few MB), it needs no other store that could disagree with the log, and losing it (a restart,
 * a Redis flush) loses nothing: it is read again from the system of record. Each instance also
 * folds the events it appends as soon as they are acknowledged, so its own next command sees
 * them; events of other instances arrive by following the log (milliseconds behind).
 * Votes are not tracked here: the projector, which sees the log in order, judges duplicates.
 */
@Injectable()
export class WriteModelService implements OnModuleInit, OnApplicationShutdown {
  private readonly model: WriteModel = emptyWriteModel();
  private reader?: LogReader;
  private caughtUp = false;
  private undecodable = 0;
  private stopping = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  /**
   * The state to decide with. Until the first catch-up with the log is complete a decision could
   * be wrong (an existing slug or proposal not seen yet), so commands get 503 + Retry-After.
   */
  get state(): WriteModelView {
    if (!this.caughtUp) {
      throw problem(
        503,
        'write-model-catching-up',
        'This instance is still reading consultations and proposals from the event log; retry shortly.',
        {},
        { 'retry-after': '1' },
      );
    }
    return this.model;
  }

  /** Folds an event this instance just appended (folding it again from the log changes nothing). */
  apply(event: DomainEvent): void {
    evolve(this.model, event);
  }

  async onModuleInit(): Promise<void> {
    this.follow();
  }

  /**
   * Reads the two topics from offset 0 and keeps following them. If the reader fails (the broker
   * went away for longer than the client retries), it starts again from offset 0 after a pause:
   * folding the same events again changes nothing, so the model only gains what it missed.
   */
  private follow(attempt = 0): void {
    if (this.stopping) return;
    const topics = [physicalTopic(this.config.TOPIC_PREFIX, 'consultations'), physicalTopic(this.config.TOPIC_PREFIX, 'proposals')];
    const reader = readLog(
      this.kafka,
      topics,
      (decoded, record) => {
        if (decoded.ok) evolve(this.model, decoded.event);
        else {
          this.undecodable++;
          this.logger.error(`undecodable record ${record.topic}/${record.partition}@${record.offset}: ${decoded.reason}`, 'WriteModel');
        }
      },
      { follow: true },
    );
    this.reader = reader;
    reader.caughtUp.then(
      () => {
        if (!this.caughtUp) {
          this.logger.log(
            `write model caught up: ${this.model.consultations.size} consultations, ${this.model.proposals.size} proposals`,
            'WriteModel',
          );
        }
        this.caughtUp = true;
        attempt = 0;
      },
      () => undefined,
    );
    reader.done.catch((error: unknown) => {
      if (this.stopping) return;
      const pauseMs = Math.min(500 * 2 ** attempt, 10_000);
      this.logger.warn(`following the log failed (${(error as Error).message}); reading again in ${pauseMs} ms`, 'WriteModel');
      setTimeout(() => this.follow(attempt + 1), pauseMs).unref();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.reader?.stop();
  }

  readiness(): ReadinessCheck {
    return {
      name: 'write-model',
      check: async () => {
        if (!this.caughtUp) throw new Error('still reading consultations and proposals from the log');
      },
    };
  }
}
