import { Admin, Kafka } from 'kafkajs';

/** Structurally the ReadinessCheck of @app/observability, plus close() for shutdown. */
export interface KafkaReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Readiness: `extra` first (e.g. "the appender is healthy"), then a cheap metadata round trip
 * (describeCluster) on one admin client kept connected between probes and replaced after a failure.
 */
export const kafkaReadiness = (kafka: Kafka, extra?: () => void | Promise<void>, name = 'kafka'): KafkaReadinessCheck => {
  let admin: Admin | null = null;
  const drop = async (): Promise<void> => {
    const current = admin;
    admin = null;
    if (current !== null) await current.disconnect().catch(() => undefined);
  };
  return {
    name,
    async check() {
      if (extra !== undefined) await extra();
      try {
        if (admin === null) {
          const fresh = kafka.admin();
          admin = fresh;
          await fresh.connect();
        }
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0) throw new Error('Kafka reports no broker');
      } catch (error) {
        await drop();
        throw error;
      }
    },
    close: drop,
  };
};
