import { Inject, Injectable, LoggerService, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Kafka } from 'kafkajs';
import { Counter, Gauge } from 'prom-client';
import { physicalTopic, TOPIC_NAMES } from '@app/events';
import { Problem, ProblemError, problem } from '@app/http';
import { EventAppender } from '@app/kafka';
import { MetricsRegistry, ReadinessCheck } from '@app/observability';
import { IngestConfig } from '../ingest.config';
import { CONFIG, KAFKA, LOGGER } from '../infrastructure/tokens';
import { AdmissionController, AdmissionRefusal, AdmissionRefused, AdmissionSample, Permit } from './admission-controller';
import { ProjectorLagSampler } from './projector-lag';
import { deferrableWorkOf, LEVEL_NAMES, PressureBounds, PressureCause, pressureOf, SheddingState } from './shedding-policy';

export type ShedReason = PressureCause | AdmissionRefusal;

const WHY: Readonly<Record<ShedReason, string>> = {
  'broker-slow': 'Kafka is slow to acknowledge',
  'writes-backlog': 'too many writes are in progress',
  'projector-lag': 'the read models are far behind the log',
  'queue-full': 'too many writes are waiting for a turn',
  'queue-wait': 'writes are waiting too long for a turn',
};

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * Load shedding of the ingest (docs/operations.md, "Load shedding"). A Fastify onRequest hook,
 * before the body is even parsed, refuses deferrable work by priority and admits every other write
 * through the AdmissionController (the permit is released when the response closes, whatever
 * happens). The level follows the appends' delay (timed by EventLog), the writes in progress and
 * the projector's lag. Every refusal is a 503 `overloaded` problem with Retry-After, given before
 * the request ran: nothing was appended.
 */
@Injectable()
export class LoadShedder implements OnModuleInit, OnApplicationShutdown {
  private readonly admission: AdmissionController;
  /** Times the appends (never refuses): the `broker-slow` signal. */
  private readonly appends: AdmissionController;
  private readonly state: SheddingState;
  private readonly lag: ProjectorLagSampler | undefined;
  private readonly bounds: PressureBounds;
  private readonly shed: Counter<'reason' | 'route'>;
  private tick: ReturnType<typeof setInterval> | undefined;
  private last: AdmissionSample | undefined;
  private lastAppends: AdmissionSample | undefined;
  private appendDelayMs = 0;

  constructor(
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(EventAppender) private readonly appender: EventAppender,
    private readonly adapterHost: HttpAdapterHost,
    metrics: MetricsRegistry,
  ) {
    this.admission = new AdmissionController({
      maxInFlight: config.SHED_MAX_IN_FLIGHT_WRITES,
      maxWaiting: config.SHED_MAX_WAITING,
      targetMs: config.SHED_QUEUE_TARGET_MS,
      intervalMs: Math.max(config.SHED_QUEUE_INTERVAL_MS, config.SHED_QUEUE_TARGET_MS),
      enforce: config.SHED_ENABLED,
    });
    this.appends = new AdmissionController({ maxInFlight: 1, maxWaiting: 0, targetMs: 1, intervalMs: 1, enforce: false });
    this.state = new SheddingState(config.SHED_COOLDOWN_MS);
    this.bounds = {
      appendDelayMs: config.SHED_APPEND_DELAY_MS,
      writesPending: config.SHED_MAX_IN_FLIGHT_WRITES,
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
      help: 'Inputs of load shedding: append delay (ms), appends in flight, writes in progress and waiting, projector lag (events)',
      labelNames: ['signal'],
      registers,
      collect() {
        this.reset();
        this.set({ signal: 'append_delay_ms' }, self.appendDelayMs);
        this.set({ signal: 'appends_in_flight' }, self.lastAppends?.inFlight ?? 0);
        this.set({ signal: 'writes_in_progress' }, self.last?.inFlight ?? 0);
        this.set({ signal: 'writes_waiting' }, self.last?.waiting ?? 0);
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
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => this.atTheDoor(request, reply, done));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.tick !== undefined) clearInterval(this.tick);
    await this.lag?.stop();
  }

  /** Times one append (EventLog): release once Kafka answered or the append failed. Never refuses. */
  appendStarted(): Permit {
    return this.appends.admit() as Permit;
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
      `writes in progress ${sample?.inFlight ?? 0}, waiting ${sample?.waiting ?? 0} (bound ${this.bounds.writesPending})`,
      this.lag === undefined
        ? 'projector lag not watched'
        : lag?.lagEvents === undefined
          ? `projector lag unknown (${lag?.note ?? ''})`
          : `projector lag ${lag.lagEvents} events (bound ${this.bounds.projectorLagEvents})`,
    ];
    if (sample?.standingQueue === true) figures.push('standing queue: waits cut to the target');
    return `${state}${cause}; ${figures.join('; ')}`;
  }

  /** Recomputes the level from the signals (every SHED_SAMPLE_MS). */
  update(now = performance.now()): void {
    const sample = this.admission.sample();
    const appends = this.appends.sample();
    this.last = sample;
    this.lastAppends = appends;
    this.appendDelayMs = Math.max(appends.oldestInFlightMs, appends.fastestReleaseMs ?? 0);
    // A broker that is down is not overload (writes fail at once with event-not-confirmed), and
    // one slow append among a few is not either: the delay counts with enough writes in progress.
    const brokerCounts = this.appender.isHealthy() && sample.inFlight >= this.config.SHED_BROKER_MIN_WRITES;
    const before = this.state.level;
    this.state.update(
      pressureOf(
        { appendDelayMs: brokerCounts ? this.appendDelayMs : 0, writesPending: sample.inFlight + sample.waiting, projectorLagEvents: this.lag?.latest().lagEvents },
        this.bounds,
      ),
      now,
    );
    if (this.state.level !== before) {
      this.logger.warn({ msg: 'load shedding level changed', from: before, to: this.state.level, state: this.describe() }, 'LoadShedder');
    }
  }

  /**
   * Writes only (reads, health and metrics pass): deferrable work refused at the current level,
   * the rest admitted, after a wait for a turn if needed, or refused. The permit is released when
   * the response closes (sent, failed or the client gone), so no path can leak it.
   */
  private atTheDoor(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const routeUrl = request.routeOptions.url;
    if (routeUrl === undefined || !WRITE_METHODS.has(request.method)) return done();
    const route = `${request.method} ${routeUrl}`;
    const work = deferrableWorkOf(request.method, routeUrl);
    // SHED_ENABLED=false: nothing refused, but the writes are still counted (same cost, same figures).
    if (this.config.SHED_ENABLED && work !== undefined && this.state.sheds(work)) {
      return this.answer(reply, this.refuse(this.state.cause ?? 'writes-backlog', route));
    }
    let permit: Permit | undefined;
    let closed = false;
    reply.raw.once('close', () => {
      closed = true;
      permit?.release();
    });
    const admitted = (granted: Permit): void => {
      if (closed) granted.release();
      else permit = granted;
    };
    const admission = this.admission.admit();
    if (!(admission instanceof Promise)) {
      admitted(admission);
      return done();
    }
    admission.then(
      (granted) => {
        admitted(granted);
        done();
      },
      (error: unknown) => {
        if (error instanceof AdmissionRefused) this.answer(reply, this.refuse(error.reason, route));
        else done(error as Error);
      },
    );
  }

  private answer(reply: FastifyReply, error: ProblemError): void {
    for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
    void reply.code(503).type('application/problem+json; charset=utf-8').send(JSON.stringify(error.problem satisfies Problem));
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
