import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OBSERVABILITY_OPTIONS, ObservabilityOptions } from './observability.options';
import { READINESS_CHECKS, ReadinessCheck, checkReadiness } from './readiness';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency this app needs answers: 200, else 503 with what is down. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<object> {
    const report = await checkReadiness(this.checks, this.options.readinessTimeoutMs);
    reply.status(report.ready ? 200 : 503).header('cache-control', 'no-store');
    return { status: report.ready ? 'ready' : 'not-ready', checks: report.checks };
  }
}
