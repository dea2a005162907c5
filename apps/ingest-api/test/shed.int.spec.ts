import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Tier, physicalTopic } from '@app/events';
import { createKafka, ensureTopics, readLog } from '@app/kafka';
import { eventually, PrivateBroker, startPrivateBroker } from '@app/testing';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import { startIngestVariant } from './ingest-harness-variants';
import { expectProblem, moderate, register, schedule, signParticipantToken, submit } from './test-support';

/**
 * Load shedding (docs/operations.md, "Load shedding") against the real services: a private broker
 * stalled with SIGSTOP (the shared broker is never touched) drives the write path past its bounds,
 * and a consumer group whose committed offsets trail the log stands for a projector that fell
 * behind. Checked: proposals are shed first, then registrations, votes only once appends queue
 * up; every refusal is a 503 `overloaded` problem with Retry-After, answered at once; nothing
 * shed is in the log and everything acknowledged is; no other 5xx; everything recovers.
 */

const run = promisify(execFile);

/** The pid of the process listening on `port` (our private broker), from `ss`. */
const pidListeningOn = async (port: number): Promise<number> => {
  const { stdout } = await run('ss', ['-ltnpH', `sport = :${port}`]);
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  if (pid === undefined) throw new Error(`no process found listening on ${port}: ${stdout}`);
  return Number(pid);
};

const voterToken = (participantId: string, tier: Tier = 'rural'): string =>
  signParticipantToken({ participantId, tier, exp: Math.floor(Date.now() / 1000) + 3600 });

const timed = async (work: Promise<Answer>): Promise<{ answer: Answer; ms: number }> => {
  const started = performance.now();
  const answer = await work;
  return { answer, ms: performance.now() - started };
};

const expectOverloaded = ({ answer, ms }: { answer: Answer; ms: number }, reason?: string): void => {
  expectProblem(answer, 503, 'overloaded');
  expect(answer.headers.get('retry-after')).toBe('2');
  if (reason !== undefined) expect(answer.body).toMatchObject({ reason });
  // Refused before latency explodes: at once, not after the broker's 5 s deadline.
  expect(ms).toBeLessThan(1500);
};

const sheddingLevel = async (url: string): Promise<number> => {
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = metrics.split('\n').find((l) => l.startsWith('ingest_shedding_level'));
  return Number(line?.split(' ').pop());
};

const shedCount = async (url: string, reason: string, route: string): Promise<number> => {
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = metrics.split('\n').find((l) => l.startsWith('ingest_shed_requests_total{') && l.includes(`reason="${reason}"`) && l.includes(`route="${route}"`));
  return line === undefined ? 0 : Number(line.split(' ').pop());
};

const readinessDetail = async (url: string): Promise<{ status: number; shedding?: { status: string; detail?: string } }> => {
  const answer = await call<{ checks: Record<string, { status: string; detail?: string }> }>(url, 'GET', '/health/ready');
  return { status: answer.status, shedding: answer.body.checks?.['load-shedding'] };
};

describe('load shedding when the broker stalls (private broker, SIGSTOP)', () => {
  let broker: PrivateBroker;
  let brokerPid: number;
  let stopped = false;
  let ingest: IngestHarness;
  const prefix = `t-shed-${randomUUID().slice(0, 8)}.`;
  const slug = 'shed-stall';
  let proposalId: string;
  let author: string;

  const cont = async (): Promise<void> => {
    if (!stopped) return;
    process.kill(brokerPid, 'SIGCONT');
    stopped = false;
  };

  beforeAll(async () => {
    broker = await startPrivateBroker();
    brokerPid = await pidListeningOn(Number(broker.brokers[0].split(':')[1]));
    await ensureTopics(createKafka({ brokers: broker.brokers, clientId: 'shed-test', logLevel: 'nothing' }), prefix);
    ingest = await startIngestVariant({
      label: 'shed-stall',
      topicPrefix: prefix,
      createTopics: false,
      overrides: {
        KAFKA_BROKERS: broker.brokers.join(','),
        KAFKA_ACK_TIMEOUT_MS: '5000',
        SHED_ENABLED: 'true',
        SHED_MAX_IN_FLIGHT_WRITES: '4',
        SHED_MAX_WAITING: '4',
        SHED_QUEUE_TARGET_MS: '10',
        SHED_QUEUE_INTERVAL_MS: '100',
        SHED_APPEND_DELAY_MS: '800',
        // One stalled vote is enough here (default: 8 writes in progress before the delay counts).
        SHED_BROKER_MIN_WRITES: '1',
        SHED_SAMPLE_MS: '20',
        SHED_COOLDOWN_MS: '500',
        SHED_PROJECTOR_LAG_EVENTS: '0',
      },
    });
    await eventually(async () => expect((await call(ingest.url, 'GET', '/health/ready')).status).toBe(200), { timeoutMs: 60_000, intervalMs: 250 });
    // The first appends to a fresh broker can be slow enough to be shed: set up as a client would, retrying.
    const retried = <T>(step: () => Promise<T>): Promise<T> => eventually(step, { timeoutMs: 60_000, intervalMs: 500 });
    await retried(() => schedule(ingest.url, slug));
    author = (await retried(() => register(ingest.url, { communeCode: '2A004' }))).token;
    proposalId = await retried(() => submit(ingest.url, slug, author, 'Il faut des trains partout'));
    await retried(() => moderate(ingest.url, proposalId, 'accept'));
  }, 240_000);
  afterAll(async () => {
    await cont().catch(() => undefined);
    await ingest?.close();
    await broker?.destroy();
  }, 60_000);

  it('sheds proposals, then registrations, then votes past the append bound; 503 overloaded at once; the acknowledged land, the shed do not; then recovers', async () => {
    const vote = (participantId: string) =>
      timed(call(ingest.url, 'PUT', `/v1/proposals/${proposalId}/vote`, { token: voterToken(participantId), body: { value: 'agree' }, headers: { 'idempotency-key': `v-${participantId}` } }));
    const propose = (text: string) => timed(call(ingest.url, 'POST', `/v1/consultations/${slug}/proposals`, { token: author, body: { text } }));
    const registration = (key: string) => timed(call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' }, headers: { 'idempotency-key': key } }));
    const voters = new Map<string, Promise<{ answer: Answer; ms: number }>>();

    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
    const voteRoute = 'PUT /v1/proposals/:proposalId/vote';
    const counted = async (): Promise<number[]> => [
      await shedCount(ingest.url, 'broker-slow', 'POST /v1/consultations/:slug/proposals'),
      await shedCount(ingest.url, 'broker-slow', 'POST /v1/participants'),
      (await shedCount(ingest.url, 'queue-wait', voteRoute)) + (await shedCount(ingest.url, 'queue-full', voteRoute)),
    ];
    const before = await counted();
    process.kill(brokerPid, 'SIGSTOP');
    stopped = true;
    // One vote waits for the stalled broker; its age is the append delay.
    const first = randomUUID();
    voters.set(first, vote(first));

    // Level 1 (append delay ≥ 400 ms, half the bound): proposal submissions are refused first.
    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(1), { timeoutMs: 5000, intervalMs: 20 });
    const shedProposal = await propose('Il faut des pistes cyclables partout');
    expectOverloaded(shedProposal, 'broker-slow');
    // ... while a registration is still taken (it waits for the broker like the vote).
    const keptKey = `kept-${randomUUID()}`;
    const keptRegistration = registration(keptKey);

    // Level 2 (append delay ≥ 800 ms): registrations are refused too.
    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(2), { timeoutMs: 5000, intervalMs: 20 });
    const shedKey = `shed-${randomUUID()}`;
    expectOverloaded(await registration(shedKey), 'broker-slow');
    const { shedding } = await readinessDetail(ingest.url);
    expect(shedding).toMatchObject({ status: 'up', detail: expect.stringMatching(/^shedding proposal submissions and registrations because Kafka is slow/) });

    // Votes are still admitted up to the in-flight bound (4: one vote and one registration in
    // flight, so two more), then wait for a turn, then are refused: queue-wait or queue-full.
    const burst = Array.from({ length: 10 }, () => randomUUID());
    const settled: { id: string; answer: Answer; ms: number }[] = [];
    for (const id of burst) {
      const pending = vote(id);
      voters.set(id, pending);
      void pending.then((result) => settled.push({ id, ...result }));
    }
    await eventually(() => expect(settled.length).toBeGreaterThanOrEqual(8), { timeoutMs: 3000, intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toHaveLength(8);
    for (const refused of settled) {
      expectOverloaded(refused);
      expect(['queue-wait', 'queue-full']).toContain((refused.answer.body as { reason: string }).reason);
    }
    const admittedVotes = burst.filter((id) => !settled.some((s) => s.id === id));

    // The broker comes back within the ack deadline: whatever was admitted is acknowledged.
    await cont();
    const kept = await keptRegistration;
    expect(kept.answer.status).toBe(201);
    const answers = new Map<string, Answer>();
    for (const [id, pending] of voters) answers.set(id, (await pending).answer);
    const statuses = [...answers.values()].map((a) => a.status);
    expect(statuses.filter((s) => s === 202).length).toBe(3);
    expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);
    for (const answer of answers.values()) if (answer.status === 503) expectOverloaded({ answer, ms: 0 });
    for (const id of [first, ...admittedVotes]) expect(answers.get(id)?.status).toBe(202);

    // Recovery: the level falls back (500 ms per level) and everything is taken again.
    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(0), { timeoutMs: 10_000, intervalMs: 50 });
    expect((await propose('Il faut des pistes cyclables partout')).answer.status).toBe(202);
    expect((await registration(shedKey)).answer.status).toBe(201);
    const after = randomUUID();
    const late = await vote(after);
    expect(late.answer.status).toBe(202);
    answers.set(after, late.answer);

    // A 503 never hides an acknowledged write: the log holds every 202 vote once and no shed one.
    const kafka = createKafka({ brokers: broker.brokers, clientId: 'shed-reader', logLevel: 'nothing' });
    const voted: string[] = [];
    const registered: string[] = [];
    const reader = readLog(kafka, [physicalTopic(prefix, 'votes'), physicalTopic(prefix, 'participants')], (decoded) => {
      if (!decoded.ok) return;
      if (decoded.event.type === 'VoteCast') voted.push(decoded.event.data.participantId);
      if (decoded.event.type === 'ParticipantRegistered') registered.push(decoded.event.data.participantId);
    });
    await reader.caughtUp;
    await reader.stop();
    const accepted = [...answers].filter(([, a]) => a.status === 202).map(([id]) => id);
    const shed = [...answers].filter(([, a]) => a.status === 503).map(([id]) => id);
    expect(voted.sort()).toEqual(accepted.sort());
    expect(shed.filter((id) => voted.includes(id))).toEqual([]);
    // The kept registration, the retried shed one (once, after recovery) and the author.
    expect(registered).toHaveLength(3);
    expect(registered).toContain((kept.answer.body as { participantId: string }).participantId);

    // The metric counts each refusal by reason and route (setup retries may have added some before).
    expect((await counted()).map((n, i) => n - before[i])).toEqual([1, 1, 8]);
  }, 120_000);
});

describe('load shedding when the projector falls behind (its consumer group trails the log)', () => {
  let ingest: IngestHarness;
  const groupId = `shed-projector-${randomUUID().slice(0, 8)}`;
  const slug = 'shed-lag';
  let proposalId: string;
  let author: string;

  const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'shed-lag-test', logLevel: 'nothing' });
  const commitAt = async (where: 'start' | 'end'): Promise<void> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topic = physicalTopic(ingest.topicPrefix, 'votes');
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: where === 'start' ? o.low : o.high })) });
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    ingest = await startIngest('shed-lag', {
      SHED_ENABLED: 'true',
      SHED_PROJECTOR_GROUP_ID: groupId,
      SHED_PROJECTOR_LAG_EVENTS: '6',
      SHED_LAG_SAMPLE_MS: '200',
      SHED_SAMPLE_MS: '20',
      SHED_COOLDOWN_MS: '300',
    });
    await schedule(ingest.url, slug);
    author = (await register(ingest.url, { communeCode: '2A004' })).token;
    proposalId = await submit(ingest.url, slug, author, 'Il faut des trains partout');
    await moderate(ingest.url, proposalId, 'accept');
    for (let i = 0; i < 8; i++) {
      const answer = await call(ingest.url, 'PUT', `/v1/proposals/${proposalId}/vote`, { token: voterToken(randomUUID()), body: { value: 'agree' } });
      expect(answer.status).toBe(202);
    }
  }, 120_000);
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteGroups([groupId])).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await ingest?.close();
  }, 60_000);

  it('past the lag bound, registrations and proposals answer 503 overloaded while votes still land; readiness stays up and shows it; recovers once the group catches up', async () => {
    // 8 votes not committed by the group: lag 8 ≥ bound 6, level 2.
    await commitAt('start');
    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(2), { timeoutMs: 10_000, intervalMs: 50 });
    const ready = await readinessDetail(ingest.url);
    expect(ready.status).toBe(200);
    expect(ready.shedding).toMatchObject({ status: 'up', detail: expect.stringMatching(/read models are far behind.*projector lag 8 events \(bound 6\)/) });

    expectOverloaded(await timed(call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' } })), 'projector-lag');
    expectOverloaded(await timed(call(ingest.url, 'POST', `/v1/consultations/${slug}/proposals`, { token: author, body: { text: 'Il faut des bus la nuit' } })), 'projector-lag');
    // Votes are the consultation: the projector's lag never refuses them.
    const vote = await call(ingest.url, 'PUT', `/v1/proposals/${proposalId}/vote`, { token: voterToken(randomUUID()), body: { value: 'neutral' } });
    expect(vote.status).toBe(202);
    // Moderation is not deferred either.
    expect((await call(ingest.url, 'POST', `/v1/moderation/proposals/${proposalId}/refuse`, { token: MODERATOR_TOKEN, body: { reason: 'Doublon' } })).status).toBe(202);

    await commitAt('end');
    await eventually(async () => expect(await sheddingLevel(ingest.url)).toBe(0), { timeoutMs: 10_000, intervalMs: 50 });
    expect((await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' } })).status).toBe(201);
    expect((await call(ingest.url, 'POST', `/v1/consultations/${slug}/proposals`, { token: author, body: { text: 'Il faut des bus la nuit' } })).status).toBe(202);
    expect((await readinessDetail(ingest.url)).shedding?.detail).toMatch(/^normal; level 0/);
  }, 60_000);
});
