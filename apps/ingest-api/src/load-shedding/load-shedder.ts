import { Inject, Injectable, LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Kafka } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { DomainEventType, physicalTopic, TOPIC_NAMES } from '@app/events';
import { Problem, ProblemError, problem } from '@app/http';
import { MetricsRegistry, ReadinessCheck } from '@app/observability';
import { IngestConfig } from '../ingest.config';
import { CONFIG, KAFKA, LOGGER } from '../infrastructure/tokens';
import { AdmissionController, AdmissionRefusal, AdmissionRefused, AdmissionSample, Permit } from './admission-controller';
import { ProjectorLagSampler } from './projector-lag';
import { deferrableWorkOf, LEVEL_NAMES, PressureBounds, PressureCause, pressureOf, SheddingState } from './shedding-policy';

export type ShedReason = PressureCause | AdmissionRefusal;

/** The route whose append was refused, for the metric (each write route appends one event type). */
const ROUTE_OF_EVENT: Partial<Record<DomainEventType, string>> = {
  VoteCast: 'PUT /v1/proposals/:proposalId/vote',
  VoteRetracted: 'DELETE /v1/proposals/:proposalId/vote',
  ParticipantRegistered: 'POST /v1/participants',
  ProposalSubmitted: 'POST /v1/consultations/:slug/proposals',
  ProposalAccepted: 'POST /v1/moderation/proposals/:proposalId/accept',
  ProposalRefused: 'POST /v1/moderation/proposals/:proposalId/refuse',
  ConsultationScheduled: 'POST /v1/consultations',
};

const WHY: Readonly<Record<ShedReason, string>> = {
  'broker-slow': 'Kafka is slow to acknowledge',
  'append-backlog': 'too many writes are waiting for Kafka',
  'projector-lag': 'the read models are far behind the log',
  'queue-full': 'too many writes are waiting for Kafka',
  'queue-wait': 'writes are waiting too long for Kafka',
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * Load shedding of the ingest (docs/operations.md, "Load shedding"): samples the write path and
 * the projector's lag, refuses deferrable work by priority in a Fastify onRequest hook (before
 * the body is even parsed), and admits appends through the AdmissionController. Every refusal
 * is a 503 `overloaded` problem with Retry-After, given before anything is appended.
 */
@Injectable()
export class LoadShedder implements OnModuleInit, OnApplicationShutdown {
  private readonly admission: AdmissionController;
  private readonly state: SheddingState;
  private readonly lag: ProjectorLagSampler | undefined;
  private readonly bounds: PressureBounds;
  private readonly shed: Counter<'reason' | 'route'>;
  private tick: ReturnType<typeof setInterval> | undefined;
  private last: AdmissionSample | undefined;
  private appendDelayMs = 0;

  constructor(
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LOGGER) private readonly logger: LoggerService,
    private readonly adapterHost: HttpAdapterHost,
    metrics: MetricsRegistry,
  ) {
    this.admission = new AdmissionController({
      maxInFlight: config.SHED_MAX_IN_FLIGHT_APPENDS,
      maxWaiting: config.SHED_MAX_WAITING,
      targetMs: config.SHED_QUEUE_TARGET_MS,
      intervalMs: Math.max(config.SHED_QUEUE_INTERVAL_MS, config.SHED_QUEUE_TARGET_MS),
      enforce: config.SHED_ENABLED,
    });
    this.state = new SheddingState(config.SHED_COOLDOWN_MS);
    this.bounds = {
      appendDelayMs: config.SHED_APPEND_DELAY_MS,
      appendsPending: config.SHED_MAX_IN_FLIGHT_APPENDS,
      projectorLagEvents: config.SHED_PROJECTOR_LAG_EVENTS,
    };
    this.lag =
      config.SHED_PROJECTOR_LAG_EVENTS > 0
        ? new ProjectorLagSampler({
            kafka,
            groupId: config.SHED_PROJECTOR_GROUP_ID,
            topics: TOPIC_NAMES.map((name) => physicalTopic(config.TOPIC_PREFIX, name)),
            intervalMs: config.SHED_LAG_SAMPLE_MS,
          })
        : undefined;
    const registers = [metrics.registry];
    this.shed = new Counter({
      name: 'ingest_shed_requests_total',
      help: 'Requests answered 503 overloaded (nothing appended), by reason and route',
      labelNames: ['reason', 'route'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'ingest_shedding_level',
      help: '0 normal, 1 shedding proposal submissions, 2 also registrations (votes: only by admission)',
      registers,
      collect() {
        this.set(self.state.level);
      },
    });
    new Gauge({
      name: 'ingest_shedding_signal',
      help: 'Inputs of load shedding: append delay (ms), appends in flight and waiting, projector lag (events)',
      labelNames: ['signal'],
      registers,
      collect() {
        this.reset();
        this.set({ signal: 'append_delay_ms' }, self.appendDelayMs);
        this.set({ signal: 'appends_in_flight' }, self.last?.inFlight ?? 0);
        this.set({ signal: 'appends_waiting' }, self.last?.waiting ?? 0);
        const lag = self.lag?.latest().lagEvents;
        if (lag !== undefined) this.set({ signal: 'projector_lag_events' }, lag);
      },
    });
  }

  onModuleInit(): void {
    this.lag?.start();
    this.tick = setInterval(() => this.update(), this.config.SHED_SAMPLE_MS);
    this.tick.unref();
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify === undefined) return;
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const reason = this.refusalAtTheDoor(request.method, request.routeOptions.url);
      if (reason === undefined) return done();
      const error = this.refuse(reason, `${request.method} ${request.routeOptions.url ?? ''}`);
      for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
      void reply.code(503).type('application/problem+json; charset=utf-8').send(JSON.stringify(error.problem satisfies Problem));
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.tick !== undefined) clearInterval(this.tick);
    await this.lag?.stop();
  }

  /**
   * Before an append: a permit to release once Kafka answered, or a 503 overloaded ProblemError.
   * Nothing has been appended when this throws.
   */
  async admit(eventType: DomainEventType): Promise<Permit> {
    try {
      return await this.admission.admit();
    } catch (error) {
      if (error instanceof AdmissionRefused) throw this.refuse(error.reason, ROUTE_OF_EVENT[eventType] ?? eventType);
      throw error;
    }
  }

  /** `/health/ready` detail: always up (a shedding instance still takes votes), with the state. */
  readiness(): ReadinessCheck {
    return { name: 'load-shedding', check: async () => this.describe() };
  }

  describe(): string {
    const sample = this.last;
    const lag = this.lag?.latest();
    const state = this.config.SHED_ENABLED ? LEVEL_NAMES[this.state.level] : `disabled (SHED_ENABLED=false); would be: ${LEVEL_NAMES[this.state.level]}`;
    const cause = this.state.cause === undefined ? '' : ` because ${WHY[this.state.cause]}`;
    const figures = [
      `level ${this.state.level}`,
      `append delay ${Math.round(this.appendDelayMs)} ms (bound ${this.bounds.appendDelayMs})`,
      `appends in flight ${sample?.inFlight ?? 0}, waiting ${sample?.waiting ?? 0} (bound ${this.bounds.appendsPending})`,
      this.lag === undefined
        ? 'projector lag not watched'
        : `projector lag ${lag?.lagEvents ?? `unknown (${lag?.note ?? ''})`} events (bound ${this.bounds.projectorLagEvents})`,
    ];
    if (sample?.standingQueue === true) figures.push('standing queue: waits cut to the target');
    return `${state}${cause}; ${figures.join('; ')}`;
  }

  /** Recomputes the level from the signals (every SHED_SAMPLE_MS). */
  update(now = performance.now()): void {
    const sample = this.admission.sample();
    this.last = sample;
    this.appendDelayMs = Math.max(sample.oldestInFlightMs, sample.fastestReleaseMs ?? 0);
    const before = this.state.level;
    this.state.update(
      pressureOf(
        { appendDelayMs: this.appendDelayMs, appendsPending: sample.inFlight + sample.waiting, projectorLagEvents: this.lag?.latest().lagEvents },
        this.bounds,
      ),
      now,
    );
    if (this.state.level !== before) {
      this.logger.warn({ msg: 'load shedding level changed', from: before, to: this.state.level, state: this.describe() }, 'LoadShedder');
    }
  }

  /** Deferrable work at the current level, or any write while the admission queue is full. */
  private refusalAtTheDoor(method: string, routeUrl: string | undefined): ShedReason | undefined {
    if (!this.config.SHED_ENABLED || routeUrl === undefined || !WRITE_METHODS.has(method)) return undefined;
    const work = deferrableWorkOf(method, routeUrl);
    if (work !== undefined && this.state.sheds(work)) return this.state.cause ?? 'append-backlog';
    return this.admission.full() ? 'queue-full' : undefined;
  }

  private refuse(reason: ShedReason, route: string): ProblemError {
    this.shed.inc({ reason, route });
    const seconds = this.config.SHED_RETRY_AFTER_SECONDS;
    return problem(
      503,
      'overloaded',
      `The service is shedding load (${WHY[reason]}); nothing was recorded. Retry after ${seconds} s, with the same Idempotency-Key.`,
      { reason },
      { 'retry-after': String(seconds) },
    );
  }
}
