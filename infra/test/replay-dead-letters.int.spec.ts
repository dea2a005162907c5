import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { encodeEvent, keyOf } from '@app/events';
import { testEnv, uniquePrefix } from '@app/testing';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { deadLetterMessage } from '../../apps/projector/src/projection/dead-letter';
import { EventLog, idFrom } from '../../apps/projector/src/projection/testing/event-scenario';
import { REPO } from './support/exported-metrics';

/**
 * infra/dead-letters/replay-dead-letters.js against the shared broker, on topics of its own:
 * dead letters shaped exactly as the projector writes them (deadLetterMessage), some of which a
 * "deployed fix" now decodes.
 */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
interface Line {
  readonly position: string;
  readonly status: string;
}

const topicPrefix = uniquePrefix('replay');
const votes = `${topicPrefix}votes`;
const env = { KAFKA_BROKERS: testEnv.kafkaBrokers().join(','), TOPIC_PREFIX: topicPrefix };
const kafka = new Kafka({ clientId: 'infra-test-replay', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });

const replay = (...args: string[]): Promise<Run & { lines: Line[] }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'infra/dead-letters/replay-dead-letters.js'), '--decoder', 'source', ...args], { cwd: REPO, env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      const last = stdout.trim().split('\n').pop() ?? '[]';
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, lines: JSON.parse(last.startsWith('[') ? last : '[]') });
    });
  });

const readAll = async (topic: string): Promise<(KafkaMessage & { partition: number })[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const out: (KafkaMessage & { partition: number })[] = [];
  const total = offsets.reduce((n, o) => n + Number(o.high), 0);
  if (total === 0) return out;
  const consumer = kafka.consumer({ groupId: `${topicPrefix}reader-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({ ...message, partition });
        if (out.length === total) resolve();
      },
    });
  });
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
};

describe('replay-dead-letters', () => {
  const log = new EventLog(topicPrefix);
  const [alice, bob] = [idFrom(topicPrefix, 'alice'), idFrom(topicPrefix, 'bob')];
  const proposal = idFrom(topicPrefix, 'proposal');
  // Alice's vote was dead-lettered (a v1 consumer met a shape it did not know yet); nothing of
  // hers came later. Bob's was too, but he voted again afterwards.
  const aliceVote = log.cast(alice, proposal, 'cgt', 'rural', 'agree', ['likeIt']);
  const bobOld = log.cast(bob, proposal, 'cgt', 'large', 'disagree', []);
  const bobNew = log.cast(bob, proposal, 'cgt', 'large', 'agree', []);
  // Carol's was replayed by a run that stopped before writing its marker: its copy is in the log.
  const carol = idFrom(topicPrefix, 'carol');
  const carolVote = log.cast(carol, proposal, 'cgt', 'medium', 'neutral', []);

  beforeAll(async () => {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [join(REPO, 'infra/scripts/create-topics.js')], { cwd: REPO, env: { ...process.env, ...env } }, (e) => (e ? reject(e) : resolve())),
    );
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // The source partition: Bob's two votes at offsets 0 and 1 (the first one is what was dead-lettered).
    await producer.send({ topic: votes, acks: -1, messages: [bobOld, bobNew].map((e) => ({ key: keyOf(e), value: encodeEvent(e), partition: 4 })) });
    await producer.send({
      topic: votes,
      acks: -1,
      messages: [
        { key: carol, value: encodeEvent(carolVote), partition: 5 },
        { key: carol, value: encodeEvent(carolVote), partition: 5, headers: { 'replayed-from': `${votes}:5:0` } },
      ],
    });
    const letter = (event: object | string, key: string, partition: number, offset: string, reason: string) =>
      deadLetterMessage({ topic: votes, partition, offset, reason, key: Buffer.from(key), value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)) });
    await producer.send({
      topic: `${topicPrefix}dead-letters`,
      acks: -1,
      messages: [
        letter(aliceVote, alice, 4, '7', 'unknown event VoteCast@1'),
        letter(aliceVote, alice, 4, '7', 'unknown event VoteCast@1'), // the projector retried its batch: sent twice
        letter(bobOld, bob, 4, '0', 'unknown event VoteCast@1'),
        letter(carolVote, carol, 5, '0', 'unknown event VoteCast@1'),
        // A version no deployed code knows yet: still undecodable.
        letter({ ...aliceVote, schemaVersion: 9, eventId: idFrom(topicPrefix, 'v9') }, 'mallory', 2, '3', 'unknown event VoteCast@9'),
      ],
    });
    await producer.disconnect();
  }, 60_000);

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('reports without writing anything by default (dry run)', async () => {
    const run = await replay();
    expect(run.code).toBe(2);
    const status = Object.fromEntries(run.lines.map((l) => [l.position, l.status]));
    expect(Object.keys(status).sort()).toEqual([`${votes}:2:3`, `${votes}:4:0`, `${votes}:4:7`, `${votes}:5:0`]);
    expect(status[`${votes}:5:0`]).toBe('already replayed (copy at offset 1 by an interrupted run)');
    expect(status[`${votes}:4:7`]).toMatch(/^would be replayed/);
    expect(status[`${votes}:4:0`]).toMatch(/^superseded: 1 later record/);
    expect(status[`${votes}:2:3`]).toMatch(/^still undecodable: unknown event VoteCast@9/);
    expect((await readAll(votes)).length).toBe(4);
  }, 60_000);

  it('with --apply, re-publishes what decodes to its partition with its key and bytes, once, and leaves the rest', async () => {
    const run = await replay('--apply');
    expect(run.code).toBe(2); // the undecodable and the superseded letters remain
    const records = (await readAll(votes)).filter((r) => r.partition === 4);
    expect(records.length).toBe(3);
    const replayed = records[2];
    expect(replayed.partition).toBe(4);
    expect(String(replayed.key)).toBe(alice);
    expect(JSON.parse(String(replayed.value))).toEqual(aliceVote);
    expect(Object.fromEntries(Object.entries(replayed.headers ?? {}).map(([k, v]) => [k, String(v)]))).toEqual({
      'event-type': 'VoteCast',
      'schema-version': '1',
      'event-id': aliceVote.eventId,
      'correlation-id': aliceVote.meta.correlationId,
      'replayed-from': `${votes}:4:7`,
    });

    const again = await replay('--apply');
    const status = Object.fromEntries(again.lines.map((l) => [l.position, l.status]));
    expect([status[`${votes}:4:7`], status[`${votes}:5:0`]]).toEqual(['already replayed', 'already replayed']);
    expect((await readAll(votes)).length).toBe(5);
  }, 90_000);

  it('replays a superseded letter only when told to', async () => {
    const run = await replay('--apply', '--include-superseded');
    expect(Object.fromEntries(run.lines.map((l) => [l.position, l.status]))[`${votes}:4:0`]).toMatch(/^replayed to .*\/4 at offset 3$/);
    const records = (await readAll(votes)).filter((r) => r.partition === 4);
    expect(records.map((r) => JSON.parse(String(r.value)).eventId)).toEqual([bobOld.eventId, bobNew.eventId, aliceVote.eventId, bobOld.eventId]);
  }, 90_000);
});
