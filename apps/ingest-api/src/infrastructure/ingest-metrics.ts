import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { EventAppender } from '@app/kafka';
import { MetricsRegistry } from '@app/observability';

/** The producer's figures, read from the appender's counters at scrape time. */
@Injectable()
export class IngestMetrics {
  constructor(metrics: MetricsRegistry, @Inject(EventAppender) appender: EventAppender) {
    const snapshot = () => appender.stats();
    new Gauge({
      name: 'ingest_appender_healthy',
      help: '1 when the event producer is connected and its last send succeeded',
      registers: [metrics.registry],
      collect() {
        this.set(appender.isHealthy() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ingest_appender_stats',
      help: 'Event appender counters (appended, batches, failures, queued) since start',
      labelNames: ['stat'],
      registers: [metrics.registry],
      collect() {
        for (const [stat, value] of Object.entries(snapshot())) {
          if (typeof value === 'number') this.set({ stat }, value);
        }
      },
    });
  }
}
