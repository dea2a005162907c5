import { Inject, Injectable, LoggerService, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { Counter as PromCounter } from 'prom-client';
import { ModeratorTokens } from '@app/auth';
import { Problem } from '@app/http';
import { MetricsRegistry } from '@app/observability';
import { revocationKey } from '@app/redis';
import { bearerToken } from '../auth/caller';
import { ParticipantGuard } from '../auth/guards';
import { IngestConfig } from '../ingest.config';
import { CONFIG, LOGGER, REDIS } from '../infrastructure/tokens';
import { WriteModelService } from '../write-model/write-model.service';
import { AddressSet, clientAddress } from './client-address';
import { limitSettingsOf } from './rate-limit-settings';
import { Counter, LimitKind, LimitSettings, countersFor, retryAfterSeconds } from './rate-limits';
import { WriteGateStore } from './write-gate.store';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const REGISTRATION_ROUTE = '/v1/participants';

const DETAIL: Readonly<Record<LimitKind, string>> = {
  participant: 'Too many writes from this participant',
  address: 'Too many writes from this network address',
  registration: 'Too many registrations from this network address',
};

/**
 * The ingest's abuse gate (docs/security.md), a Fastify onRequest hook in front of every route,
 * the vote routes included (they skip Nest's guard and interceptor chains, not Fastify's hooks):
 * - a participant token's revocation is checked on every request that carries one (401
 *   token-revoked);
 * - writes (POST/PUT/PATCH/DELETE) count against the participant, client-address and
 *   registration limits (429 rate-limited with Retry-After).
 * Both in one Redis script call, before the body is even parsed. Moderators and RATE_LIMIT_EXEMPT
 * addresses are not counted. When Redis does not answer, requests pass (as the idempotency store
 * does): a Redis outage at a TV peak must not refuse every vote; the failure is counted and logged.
 */
@Injectable()
export class WriteGate implements OnModuleInit {
  private readonly store: WriteGateStore;
  private readonly settings: LimitSettings;
  private readonly exempt: AddressSet;
  private readonly limited: PromCounter<'limit'>;
  private readonly revokedRefusals: PromCounter;
  private readonly failures: PromCounter;
  private lastFailureLog = 0;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly participants: ParticipantGuard,
    private readonly moderators: ModeratorTokens,
    private readonly writeModel: WriteModelService,
    metrics: MetricsRegistry,
    @Inject(REDIS) redis: Redis,
    @Inject(CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {
    this.store = new WriteGateStore(redis, config.REDIS_PREFIX);
    this.settings = limitSettingsOf(config);
    this.exempt = new AddressSet(config.RATE_LIMIT_EXEMPT);
    this.limited = new PromCounter({
      name: 'ingest_rate_limited_total',
      help: 'Requests refused with 429 rate-limited, by the limit they crossed (participant, address, registration)',
      labelNames: ['limit'],
      registers: [metrics.registry],
    });
    for (const limit of ['participant', 'address', 'registration']) this.limited.inc({ limit }, 0);
    this.revokedRefusals = new PromCounter({
      name: 'ingest_revoked_token_refusals_total',
      help: 'Requests refused with 401 token-revoked',
      registers: [metrics.registry],
    });
    this.failures = new PromCounter({
      name: 'ingest_write_gate_unavailable_total',
      help: 'Requests let through unchecked because Redis did not answer the rate-limit/revocation check',
      registers: [metrics.registry],
    });
  }

  onModuleInit(): void {
    // Route hooks are resolved when Fastify gets ready (at listen), so a hook added now applies to every route.
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply) => this.check(request, reply));
  }

  private async check(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const write = WRITE_METHODS.has(request.method);
    const token = bearerToken(request);
    const participant = token === undefined ? undefined : this.participants.claimsOf(token);
    if (!write && participant === undefined) return undefined;
    // Moderators (configured tokens, audited by name) are not limited.
    if (write && participant === undefined && token !== undefined && this.moderators.identify(token) !== undefined) return undefined;
    const counters = write && !this.exempt.has(request.ip) ? this.countersOf(request, participant?.participantId) : [];
    if (counters.length === 0 && participant === undefined) return undefined;
    const now = Date.now();
    let verdict;
    try {
      verdict = await this.store.check(participant && revocationKey(this.config.REDIS_PREFIX, participant.participantId), counters, now);
    } catch (error) {
      this.failures.inc();
      if (now - this.lastFailureLog > 10_000) {
        this.lastFailureLog = now;
        this.logger.warn(`rate limits and revocation unchecked, Redis did not answer: ${(error as Error).message}`, 'WriteGate');
      }
      return undefined;
    }
    if (verdict.revoked) {
      this.revokedRefusals.inc();
      return this.refuse(reply, { type: 'token-revoked', title: 'Unauthorized', status: 401, detail: 'This token has been revoked; it is no longer accepted.' });
    }
    return verdict.exceeded.length > 0 ? this.refuseLimited(reply, verdict.exceeded, now) : undefined;
  }

  private countersOf(request: FastifyRequest, participantId: string | undefined): Counter[] {
    const route = request.routeOptions.url;
    return countersFor(
      {
        registration: request.method === 'POST' && route === REGISTRATION_ROUTE,
        participantId,
        address: clientAddress(request.ip),
        consultation: this.consultationOf(request.params),
      },
      this.settings,
    );
  }

  /** The consultation a route acts on: its `:slug`, or the consultation of its `:proposalId` (write model). */
  private consultationOf(params: unknown): string | undefined {
    if (this.settings.overrides.size === 0 || typeof params !== 'object' || params === null) return undefined;
    const { slug, proposalId } = params as Record<string, unknown>;
    if (typeof slug === 'string') return slug;
    if (typeof proposalId !== 'string') return undefined;
    try {
      return this.writeModel.state.proposals.get(proposalId.toLowerCase())?.consultation;
    } catch {
      return undefined; // not caught up with the log yet: the command itself will answer 503
    }
  }

  private refuseLimited(reply: FastifyReply, exceeded: readonly Counter[], now: number): FastifyReply {
    // The longest wait among the crossed limits: retrying earlier would be refused again.
    const worst = exceeded.reduce((a, b) => (retryAfterSeconds(b.limit, now) > retryAfterSeconds(a.limit, now) ? b : a));
    const retryAfter = retryAfterSeconds(worst.limit, now);
    for (const counter of exceeded) this.limited.inc({ limit: counter.kind });
    reply.header('retry-after', String(retryAfter));
    return this.refuse(reply, {
      type: 'rate-limited',
      title: 'Too Many Requests',
      status: 429,
      detail: `${DETAIL[worst.kind]}: at most ${worst.limit.max} per ${worst.limit.windowMs / 1000} s. Retry after ${retryAfter} s.`,
      limit: worst.kind,
      retryAfter,
    });
  }

  private refuse(reply: FastifyReply, body: Problem): FastifyReply {
    return reply.status(body.status).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify(body));
  }
}
