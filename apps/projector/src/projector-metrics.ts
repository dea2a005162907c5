import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsRegistry } from '@app/observability';
import { BatchInfo, ProjectorRunner } from './projection/projector-runner';

/**
 * What an SRE watches on the projector: events/s (rate of the counters), batch latency,
 * consumer lag per partition and dead letters (an undecodable event is a defect: alert on it).
 */
export class ProjectorMetrics {
  private readonly batchSeconds: Histogram<'topic'>;
  private readonly batchRecords: Counter<'topic'>;

  constructor(metrics: MetricsRegistry, runner: () => ProjectorRunner | undefined) {
    const registers = [metrics.registry];
    this.batchSeconds = new Histogram({
      name: 'projector_batch_duration_seconds',
      help: 'Time to apply one fetched batch to every projection',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.batchRecords = new Counter({ name: 'projector_records_total', help: 'Records consumed', labelNames: ['topic'], registers });
    new Gauge({
      name: 'projector_events_applied',
      help: 'Events applied since start, per projection (rate() gives events/s)',
      labelNames: ['projection'],
      registers,
      collect() {
        for (const [projection, n] of Object.entries(runner()?.stats().eventsApplied ?? {})) this.set({ projection }, n);
      },
    });
    new Gauge({
      name: 'projector_consumer_lag',
      help: 'High watermark minus next offset to apply, per topic and partition',
      labelNames: ['topic', 'partition'],
      registers,
      collect() {
        for (const [key, lag] of Object.entries(runner()?.stats().lag ?? {})) {
          const at = key.lastIndexOf(':');
          this.set({ topic: key.slice(0, at), partition: key.slice(at + 1) }, lag);
        }
      },
    });
    new Gauge({
      name: 'projector_dead_letters',
      help: 'Records sent to the dead-letter topic since start (any value above 0 is a defect)',
      registers,
      collect() {
        this.set(runner()?.stats().deadLetters ?? 0);
      },
    });
  }

  onBatch = (info: BatchInfo): void => {
    this.batchSeconds.observe({ topic: info.topic }, info.durationMs / 1000);
    this.batchRecords.inc({ topic: info.topic }, info.records);
  };
}
