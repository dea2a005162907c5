import { createKafka, ensureTopics } from '@app/kafka';
import { PrivateBroker, eventually, startPrivateBroker } from '@app/testing';
import { IngestHarness, MODERATOR_TOKEN } from './ingest-harness';
import { startIngestVariant } from './ingest-harness-variants';
import { call } from './http-client';

/**
 * The foundation's promise to SREs: with the broker stopped, ingest-api's /health/ready answers
 * 503 within 10 s, and 200 again once the broker is back, without restarting the app. Uses a
 * broker of its own (started by infra/bin/kafka-up on free ports) so it can really stop it.
 */
describe('ingest readiness follows the broker', () => {
  let broker: PrivateBroker;
  let ingest: IngestHarness;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    await ensureTopics(createKafka({ brokers: broker.brokers, clientId: 'readiness-test', logLevel: 'nothing' }), 'ready.');
    ingest = await startIngestVariant({
      label: 'readiness',
      topicPrefix: 'ready.',
      createTopics: false,
      overrides: { KAFKA_BROKERS: broker.brokers.join(',') },
    });
  }, 180_000);

  afterAll(async () => {
    await ingest?.close();
    await broker?.destroy();
  }, 60_000);

  const readiness = () => call<{ checks: Record<string, { status: string }> }>(ingest.url, 'GET', '/health/ready');

  it('answers 503 within 10 s of the broker stopping, and 200 again when it is back', async () => {
    await eventually(async () => expect((await readiness()).status).toBe(200), { timeoutMs: 30_000 });

    await broker.stop();
    const stoppedAt = Date.now();
    const down = await eventually(
      async () => {
        const answer = await readiness();
        expect(answer.status).toBe(503);
        return answer;
      },
      { timeoutMs: 10_000, intervalMs: 200 },
    );
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(10_000);
    expect(down.body.checks.kafka.status).toBe('down');
    expect(down.body.checks.postgres.status).toBe('up');

    await broker.start();
    await eventually(async () => expect((await readiness()).status).toBe(200), { timeoutMs: 30_000, intervalMs: 250 });
  }, 120_000);

  it('keeps following the log after the outage: it sees what another instance appends', async () => {
    const other = await startIngestVariant({
      label: 'readiness-other',
      topicPrefix: 'ready.',
      createTopics: false,
      database: ingest.database,
      overrides: { KAFKA_BROKERS: broker.brokers.join(',') },
    });
    try {
      const consultation = {
        slug: 'after-outage',
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2020-01-01T00:00:00Z',
        proposalsCloseAt: '2099-01-01T00:00:00Z',
        votesOpenAt: '2020-01-01T00:00:00Z',
        votesCloseAt: '2099-01-01T00:00:00Z',
      };
      await eventually(async () => expect((await call(other.url, 'GET', '/health/ready')).status).toBe(200), { timeoutMs: 30_000 });
      expect((await call(other.url, 'POST', '/v1/consultations', { token: MODERATOR_TOKEN, body: consultation })).status).toBe(201);
      // The first instance learns of it from the log, not from its own append.
      await eventually(
        async () => {
          const again = await call(ingest.url, 'POST', '/v1/consultations', { token: MODERATOR_TOKEN, body: consultation });
          expect(again.status).toBe(409);
          expect(again.body.type).toBe('consultation-exists');
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
    } finally {
      await other.close();
    }
  }, 120_000);
});
