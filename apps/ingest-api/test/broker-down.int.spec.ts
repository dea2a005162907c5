import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { makeEvent } from '@app/events';
import { createKafka, ensureTopics, readLog } from '@app/kafka';
import { createTestDatabase, eventually, PrivateBroker, startPrivateBroker, TestDatabase, testEnv } from '@app/testing';
import { WriteModelService } from '../src/write-model/write-model.service';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, TOKEN_SECRET } from './ingest-harness';
import { startIngestVariant } from './ingest-harness-variants';
import { expectProblem, signParticipantToken, sleep } from './test-support';

/**
 * API.md: "When Kafka cannot confirm the event in time, the ingest answers 503 with Retry-After"
 * (bounded: ≤ 5 s, plus HTTP slack), and /health/ready says Kafka is down. The real broker on
 * 9092 is never touched: the ingest is pointed at a port where no broker answers, either a
 * closed port (connection refused at once) or a black hole (accepts TCP, never answers, the
 * harder case: only the ingest's own deadline ends the wait).
 */

const BOUND_MS = 5500;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** Accepts connections and never answers (a hung broker). */
const blackHole = async (): Promise<{ port: number; close(): Promise<void> }> => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};

/** A TCP relay from `port` to the real broker: "the broker comes back" for a client bootstrapping on `port`. */
const relayTo = async (port: number, target: string): Promise<{ close(): Promise<void> }> => {
  const [host, targetPort] = target.split(':');
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

const timed = async (work: () => Promise<Answer>): Promise<{ answer: Answer; ms: number }> => {
  const started = performance.now();
  const answer = await work();
  return { answer, ms: performance.now() - started };
};

const expectNotConfirmed = ({ answer, ms }: { answer: Answer; ms: number }): void => {
  expectProblem(answer, 503, 'event-not-confirmed');
  const retryAfter = answer.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(ms).toBeLessThanOrEqual(BOUND_MS);
};

/**
 * 503 + Retry-After within the bound, for a command that needs the write model while Kafka was
 * never reachable: either the append was not confirmed (`event-not-confirmed`) or the write model
 * could not catch up yet (the ingest refuses to decide on a partial state). Both mean "retry".
 */
const expectRetryLater = ({ answer, ms }: { answer: Answer; ms: number }): void => {
  expect({ status: answer.status, body: answer.body }).toEqual({ status: 503, body: expect.objectContaining({ status: 503, type: expect.any(String) }) });
  expect(answer.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(ms).toBeLessThanOrEqual(BOUND_MS);
};

/** Puts an open consultation with an accepted and a pending proposal into the ingest's memory, as if read from the log before Kafka went away. */
const seedProposals = (ingest: IngestHarness): { slug: string; accepted: string; pending: string } => {
  const writeModel = ingest.app.get(WriteModelService);
  const slug = `seeded-${randomUUID().slice(0, 8)}`;
  const proposalId = randomUUID();
  const context = () => ({ eventId: randomUUID(), occurredAt: new Date(), correlationId: randomUUID() });
  writeModel.apply(
    makeEvent(
      'ConsultationScheduled',
      {
        slug,
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2020-01-01T00:00:00Z',
        proposalsCloseAt: '2099-01-01T00:00:00Z',
        votesOpenAt: '2020-01-01T00:00:00Z',
        votesCloseAt: '2099-01-01T00:00:00Z',
        thresholds: { minVotes: 90, minAdhesion: 0.8, minEngagement: 0.37, minVotesPerTier: 30, minVotesControversy: 30 },
        scheduledBy: 'tester',
      },
      context(),
    ),
  );
  writeModel.apply(
    makeEvent(
      'ProposalSubmitted',
      { proposalId, consultation: slug, authorId: randomUUID(), authorTier: 'rural', text: 'Il faut des trains partout' },
      context(),
    ),
  );
  writeModel.apply(makeEvent('ProposalAccepted', { proposalId, consultation: slug, moderator: 'tester' }, context()));
  const pending = randomUUID();
  writeModel.apply(
    makeEvent('ProposalSubmitted', { proposalId: pending, consultation: slug, authorId: randomUUID(), authorTier: 'large', text: 'Il faut des bus partout' }, context()),
  );
  return { slug, accepted: proposalId, pending };
};

describe.each([
  ['a closed port', 'closed'],
  ['a black hole (accepts TCP, never answers)', 'black-hole'],
] as const)('ingest-api with Kafka unreachable: %s', (_label, kind) => {
  let ingest: IngestHarness;
  let hole: { port: number; close(): Promise<void> } | undefined;
  let port: number;
  let relay: { close(): Promise<void> } | undefined;
  let seeded: string;
  /** A registration key first answered 503, retried once the broker is back. */
  const downKey = `down-${randomUUID()}`;
  let seededSlug: string;
  let seededPending: string;
  const voterToken = signParticipantToken({ participantId: randomUUID(), tier: 'medium', exp: Math.floor(Date.now() / 1000) + 3600 });

  beforeAll(async () => {
    if (kind === 'black-hole') hole = await blackHole();
    port = hole?.port ?? (await freePort());
    // Topics exist on the real broker (so that "the broker comes back" can be tested), but the
    // ingest bootstraps on `port`, where no broker answers.
    ingest = await startIngestVariant({ label: `down-${kind}`, overrides: { KAFKA_BROKERS: `127.0.0.1:${port}` } });
    ({ slug: seededSlug, accepted: seeded, pending: seededPending } = seedProposals(ingest));
  }, 120_000);
  afterAll(async () => {
    await relay?.close();
    await ingest?.close();
    await hole?.close();
  }, 60_000);

  it('/health/ready answers 503 with the kafka check down', async () => {
    const { answer, ms } = await timed(() => call(ingest.url, 'GET', '/health/ready'));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'not-ready', checks: { kafka: { status: 'down' } } });
    expect(ms).toBeLessThanOrEqual(BOUND_MS);
    // Liveness is not readiness: the process is alive.
    expect((await call(ingest.url, 'GET', '/health/live')).status).toBe(200);
  });

  it('a registration answers 503 event-not-confirmed with Retry-After within the bound', async () => {
    expectNotConfirmed(await timed(() => call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' } })));
  });

  it('a vote on a known accepted proposal answers 503 with Retry-After within the bound', async () => {
    expectRetryLater(
      await timed(() => call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { token: voterToken, body: { value: 'agree' } })),
    );
  });

  it('scheduling a consultation, submitting a proposal, moderating and retracting answer 503 too', async () => {
    expectRetryLater(
      await timed(() => call(ingest.url, 'POST', `/v1/consultations/${seededSlug}/proposals`, { token: voterToken, body: { text: 'Il faut des trains la nuit' } })),
    );
    expectRetryLater(await timed(() => call(ingest.url, 'POST', `/v1/moderation/proposals/${seededPending}/accept`, { token: MODERATOR_TOKEN })));
    expectRetryLater(await timed(() => call(ingest.url, 'DELETE', `/v1/proposals/${seeded}/vote`, { token: voterToken })));
    expectRetryLater(
      await timed(() =>
        call(ingest.url, 'POST', '/v1/consultations', {
          token: MODERATOR_TOKEN,
          body: {
            slug: `down-${randomUUID().slice(0, 8)}`,
            question: 'Comment améliorer les conditions de vie ?',
            proposalsOpenAt: '2020-01-01T00:00:00Z',
            proposalsCloseAt: '2099-01-01T00:00:00Z',
            votesOpenAt: '2020-01-01T00:00:00Z',
            votesCloseAt: '2099-01-01T00:00:00Z',
          },
        }),
      ),
    );
  });

  it('30 concurrent writes all answer 503 within the bound, none hangs', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        timed(() =>
          i % 2 === 0
            ? call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '2A004' } })
            : call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { token: voterToken, body: { value: 'neutral' } }),
        ),
      ),
    );
    answers.forEach((answer, i) => (i % 2 === 0 ? expectNotConfirmed(answer) : expectRetryLater(answer)));
  });

  it('a 503 is not stored: the same Idempotency-Key gets 503 again, not a replay and not 409', async () => {
    const send = () => call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '69381' }, headers: { 'idempotency-key': downKey } });
    const first = await timed(send);
    expectNotConfirmed(first);
    const retried = await timed(send);
    expectNotConfirmed(retried);
    expect(retried.answer.headers.get('idempotent-replayed')).toBeNull();
  });

  it('client errors are still 4xx while Kafka is down (decided before any append)', async () => {
    expectProblem(await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '99999' } }), 422, 'unknown-territory');
    expectProblem(await call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { token: voterToken, body: { value: 42 } }), 422, 'validation-failed', ['/value']);
    expectProblem(await call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { token: voterToken, body: { value: 'agree', extra: 1 } }), 422, 'validation-failed', ['/extra']);
    expectProblem(await call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { body: { value: 'agree' } }), 401, 'unauthorized');
  });

  /*
   * Regression (bug found by this test, fixed in f36a761): the write model's log reader was started
   * once; when it failed (Kafka unreachable at start) nothing restarted it, so `write-model` stayed
   * down in /health/ready forever although Kafka was back and appends succeeded again.
   */
  it('when the broker becomes reachable, the ingest recovers: ready again, and the retried key counts', async () => {
    // Let a first connection attempt fail with the real broker still hidden, then expose it on the same port.
    if (kind === 'black-hole') {
      await hole?.close();
      hole = undefined;
    }
    relay = await relayTo(port, testEnv.kafkaBrokers()[0]);
    const registration = await eventually(
      async () => {
        const answer = await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '69381' }, headers: { 'idempotency-key': downKey } });
        expect(answer.status).toBe(201);
        return answer;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(registration.body).toMatchObject({ tier: 'large' });
    expect(registration.headers.get('idempotent-replayed')).toBeNull();
    // Readiness covers every check, the write model's catch-up included: it must come back too.
    await eventually(
      async () => {
        const ready = await call(ingest.url, 'GET', '/health/ready');
        expect(ready.body).toMatchObject({ checks: { kafka: { status: 'up' }, 'write-model': { status: 'up' } } });
        expect(ready.status).toBe(200);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    // Once ready, commands that need the write model are decided and appended again.
    const vote = await call(ingest.url, 'PUT', `/v1/proposals/${seeded}/vote`, { token: voterToken, body: { value: 'agree' } });
    expect(vote.status).toBe(202);
  }, 90_000);
});

/*
 * Regression (bug found by this suite, fixed in f36a761): WriteModelService.onModuleInit did
 * `void this.reader.caughtUp.then(...)` with no rejection handler; with Kafka unreachable at start
 * the rejection was unhandled and Node exited the real process (exit code 1, about a second after
 * boot). Under Jest the same rejection only fails whichever test is running, so this is checked
 * on the real entry point, in a child process.
 */
describe('the ingest-api process (main.ts) with Kafka unreachable at start', () => {
  let child: ChildProcess | undefined;
  let database: TestDatabase;
  let output = '';
  let exitCode: number | null | undefined;
  let url = '';

  beforeAll(async () => {
    database = await createTestDatabase('down-main');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const root = path.resolve(__dirname, '../../..');
    child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ingest-api/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
        TOPIC_PREFIX: `t-down-main-${randomUUID().slice(0, 8)}.`,
        DATABASE_URL: database.url,
        REDIS_URL: testEnv.redisUrl(),
        REDIS_PREFIX: `t-down-main-${randomUUID().slice(0, 8)}.`,
        TOKEN_SECRET,
        MODERATOR_TOKENS: `tester:${MODERATOR_TOKEN}`,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => (exitCode = code));
    await eventually(
      async () => {
        if (exitCode !== undefined) throw new Error(`exited early (${exitCode})`);
        expect((await call(url, 'GET', '/health/live')).status).toBe(200);
      },
      { timeoutMs: 45_000, intervalMs: 250 },
    ).catch(() => undefined);
  }, 60_000);
  afterAll(async () => {
    if (child && exitCode === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000)))]);
      clearTimeout(timer);
      if (exitCode === undefined) child.kill('SIGKILL');
    }
    await database?.drop().catch(() => undefined);
  }, 30_000);

  it('keeps running, answers /health/ready 503 and writes 503 (it does not exit)', async () => {
    // The write model's first read attempt fails within a few seconds: the process must survive it.
    await sleep(8_000);
    const tail = output.split('\n').filter((line) => !line.startsWith('{')).slice(-15).join('\n');
    expect({ exitCode, tail }).toEqual({ exitCode: undefined, tail });
    const ready = await call(url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { kafka: { status: 'down' } } });
    expectNotConfirmed(await timed(() => call(url, 'POST', '/v1/participants', { body: { communeCode: '75101' } })));
  }, 60_000);
});

/*
 * The broker dies AFTER the ingest caught up (SIGKILL of a private broker started by the infra
 * scripts; the shared broker on 9092 is never touched): decisions are made, appends cannot be
 * confirmed, so every write answers 503 event-not-confirmed + Retry-After within the bound; once
 * the broker is back, the retry with the same Idempotency-Key lands once.
 */
describe('ingest-api when the broker dies after the catch-up', () => {
  let broker: PrivateBroker;
  let ingest: IngestHarness;
  const prefix = `t-died-${randomUUID().slice(0, 8)}.`;
  let voter: { participantId: string; token: string };
  let accepted: string;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    await ensureTopics(createKafka({ brokers: broker.brokers, clientId: 'died-test', logLevel: 'nothing' }), prefix);
    ingest = await startIngestVariant({ label: 'died', topicPrefix: prefix, createTopics: false, overrides: { KAFKA_BROKERS: broker.brokers.join(',') } });
    await eventually(async () => expect((await call(ingest.url, 'GET', '/health/ready')).status).toBe(200), { timeoutMs: 60_000, intervalMs: 250 });
    const scheduled = await call(ingest.url, 'POST', '/v1/consultations', {
      token: MODERATOR_TOKEN,
      body: {
        slug: 'died',
        question: 'Comment améliorer les conditions de vie ?',
        proposalsOpenAt: '2020-01-01T00:00:00Z',
        proposalsCloseAt: '2099-01-01T00:00:00Z',
        votesOpenAt: '2020-01-01T00:00:00Z',
        votesCloseAt: '2099-01-01T00:00:00Z',
      },
    });
    expect(scheduled.status).toBe(201);
    const registered = await call<{ participantId: string; token: string }>(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '2A004' } });
    voter = registered.body;
    const submitted = await call<{ proposalId: string }>(ingest.url, 'POST', '/v1/consultations/died/proposals', { token: voter.token, body: { text: 'Il faut des trains partout' } });
    accepted = submitted.body.proposalId;
    expect((await call(ingest.url, 'POST', `/v1/moderation/proposals/${accepted}/accept`, { token: MODERATOR_TOKEN })).status).toBe(202);
    await broker.stop({ kill: true });
  }, 240_000);
  afterAll(async () => {
    await ingest?.close();
    await broker?.destroy();
  }, 60_000);

  it('votes, retractions, proposals, moderation and registrations answer 503 event-not-confirmed + Retry-After within the bound', async () => {
    expectNotConfirmed(await timed(() => call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: voter.token, body: { value: 'agree' } })));
    expectNotConfirmed(await timed(() => call(ingest.url, 'DELETE', `/v1/proposals/${accepted}/vote`, { token: voter.token })));
    expectNotConfirmed(await timed(() => call(ingest.url, 'POST', '/v1/consultations/died/proposals', { token: voter.token, body: { text: 'Il faut des bus partout' } })));
    expectNotConfirmed(await timed(() => call(ingest.url, 'POST', `/v1/moderation/proposals/${accepted}/refuse`, { token: MODERATOR_TOKEN, body: { reason: 'Hors sujet' } })));
    expectNotConfirmed(await timed(() => call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' } })));
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, () => timed(() => call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: voter.token, body: { value: 'neutral' } }))),
    );
    for (const answer of concurrent) expectNotConfirmed(answer);
    const ready = await call(ingest.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ checks: { kafka: { status: 'down' } } });
  }, 120_000);

  it('a vote refused with 503 and retried with the same key once the broker is back lands, with one event id', async () => {
    const key = `died-${randomUUID()}`;
    const send = () =>
      call(ingest.url, 'PUT', `/v1/proposals/${accepted}/vote`, { token: voter.token, body: { value: 'disagree', qualifications: ['noWay'] }, headers: { 'idempotency-key': key } });
    expectNotConfirmed(await timed(send));
    await broker.start();
    const landed = await eventually(
      async () => {
        const answer = await send();
        expect(answer.status).toBe(202);
        return answer;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const position = (landed.body as { position: { partition: number; offset: string } }).position;
    const kafka = createKafka({ brokers: broker.brokers, clientId: 'died-reader', logLevel: 'nothing' });
    const votes: { eventId: string; partition: number; offset: string }[] = [];
    const reader = readLog(kafka, [`${prefix}votes`], (decoded, record) => {
      if (decoded.ok && decoded.event.type === 'VoteCast' && decoded.event.data.value === 'disagree') {
        votes.push({ eventId: decoded.event.eventId, partition: record.partition, offset: record.offset });
      }
    });
    await reader.caughtUp;
    await reader.stop();
    expect(votes.length).toBeGreaterThanOrEqual(1);
    expect(new Set(votes.map((v) => v.eventId)).size).toBe(1);
    expect(votes).toContainEqual(expect.objectContaining({ partition: position.partition, offset: position.offset }));
  }, 120_000);
});
