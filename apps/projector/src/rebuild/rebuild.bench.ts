/**
 * Rebuild speed against the raw limit of the same machine: the same topics read and decoded by a
 * bare log reader (readLog, nothing written) versus replayed into fresh read models by the
 * rebuild (Postgres + Redis). Prints events/s of both and their ratio.
 *
 *   node -r @swc-node/register apps/projector/src/rebuild/rebuild.bench.ts [votes=200000] [concurrency=6]
 *
 * Needs Kafka, Postgres and Redis; uses its own topics, database and key prefix, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { QUALIFICATIONS_BY_VALUE, TIERS, TOPIC_NAMES, VOTE_VALUES, physicalTopic } from '@app/events';
import { readLog } from '@app/kafka';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { EventLog, idFrom, seededRandom } from '../projection/testing/event-scenario';
import { createOwnDatabase, createTestTopics, deleteRedisKeys, produceRecords } from '../projection/testing/projection-test-kit';
import { formatProgress } from './progress';
import { ReadModelRebuild } from './read-model-rebuild';
import { generationKeys, pointerKeyOf } from './redis-generation';

const main = async (): Promise<void> => {
  const votes = Number(process.argv[2] ?? 200_000);
  const concurrency = Number(process.argv[3] ?? 6);
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const kafka = new Kafka({ clientId: 'rebuild-bench', brokers, logLevel: logLevel.NOTHING });
  const topicPrefix = `bench-rebuild-${randomBytes(4).toString('hex')}.`;
  const redisPrefix = `bench-rebuild-${randomBytes(4).toString('hex')}`;
  const topics = TOPIC_NAMES.map((name) => physicalTopic(topicPrefix, name));
  const deleteTopics = await createTestTopics(kafka, topicPrefix);
  const db = await createOwnDatabase();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let generation: string | undefined;
  try {
    // A consultation, 20,000 voters, 1,000 accepted proposals, `votes` vote events (10 % changes, 5 % retractions).
    const log = new EventLog(topicPrefix);
    const random = seededRandom(7);
    log.schedule('cgt');
    const voters = Array.from({ length: 20_000 }, (_, i) => ({ id: idFrom('bench-voter', i), tier: TIERS[i % 3] }));
    voters.forEach((v) => log.register(v.id, v.tier));
    const proposals = Array.from({ length: 1000 }, (_, i) => idFrom('bench-proposal', i));
    proposals.forEach((id, i) => {
      log.submit(id, 'cgt', voters[i].id, voters[i].tier);
      log.moderate(id, 'cgt', 'accept');
    });
    for (let i = 0; i < votes; i++) {
      const voter = voters[Math.floor(random() * voters.length)];
      const proposal = proposals[Math.floor(random() * proposals.length)];
      if (random() < 0.05) log.retract(voter.id, proposal, 'cgt', voter.tier);
      else {
        const value = VOTE_VALUES[Math.floor(random() * 3)];
        log.cast(voter.id, proposal, 'cgt', voter.tier, value, QUALIFICATIONS_BY_VALUE[value].filter(() => random() < 0.3));
      }
    }
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let i = 0; i < log.records.length; i += 5000) await produceRecords(producer, log.records.slice(i, i + 5000));
    await producer.disconnect();
    const records = log.records.length;
    process.stdout.write(`${records} records produced\n`);

    let read = 0;
    const readStarted = Date.now();
    await readLog(kafka, topics, () => void (read += 1)).done;
    const readMs = Date.now() - readStarted;

    const result = await new ReadModelRebuild({
      kafka,
      pool: db.pool,
      redis,
      topicPrefix,
      redisPrefix,
      graceMs: 0,
      replay: { partitionsConsumedConcurrently: concurrency },
      onProgress: (p) => process.stdout.write(`${formatProgress(p)}\n`),
      log: (message, extra) => process.stdout.write(`${message} ${JSON.stringify(extra ?? {})}\n`),
    }).run();
    generation = result.redisPrefix;

    const rawRate = Math.round((read * 1000) / readMs);
    process.stdout.write(
      `bare log read: ${read} records in ${readMs} ms = ${rawRate} ev/s\n` +
        `rebuild replay (Postgres + Redis, concurrency ${concurrency}): ${result.records} records in ${result.replayMs} ms = ${result.replayEventsPerSecond} ev/s ` +
        `(${((100 * result.replayEventsPerSecond) / rawRate).toFixed(1)} % of the bare read); whole rebuild ${result.durationMs} ms, ` +
        `live projector held ${result.frozenMs} ms ${JSON.stringify(result.switchTimingsMs)}\n`,
    );
  } finally {
    await redis.del(pointerKeyOf(redisPrefix));
    await deleteRedisKeys(redis, redisPrefix);
    if (generation) for await (const keys of generationKeys(redis, generation)) await redis.unlink(...keys);
    redis.disconnect();
    await db.drop();
    await deleteTopics();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
