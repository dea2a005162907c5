import { InjectionToken, Provider, Type } from '@nestjs/common';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics';
import { OBSERVABILITY_OPTIONS, ObservabilityOptions } from './observability.options';
import { READINESS_CHECKS, ReadinessCheck } from './readiness';

/**
 * What an app module adds to serve /health/live, /health/ready and /metrics. The readiness
 * checks are tokens of the app's own providers implementing ReadinessCheck.
 */
export const observability = (
  options: ObservabilityOptions & { readinessChecks: readonly InjectionToken[] },
): { controllers: Type[]; providers: Provider[] } => ({
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: OBSERVABILITY_OPTIONS, useValue: { app: options.app, readinessTimeoutMs: options.readinessTimeoutMs } },
    { provide: MetricsRegistry, useValue: new MetricsRegistry(options.app) },
    {
      provide: READINESS_CHECKS,
      useFactory: (...resolved: ReadinessCheck[]) => resolved,
      inject: [...options.readinessChecks],
    },
  ],
});
