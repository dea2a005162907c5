import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { physicalTopic } from '@app/events';
import { createHttpApp } from '@app/http';
import { createKafka } from '@app/kafka';
import { JsonLogger } from '@app/observability';
import { eventually, testEnv, tolerateTermination } from '@app/testing';
import { Answer, call } from '../../ingest-api/test/http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from '../../ingest-api/test/ingest-harness';
import { expectProblem, schedule, submit } from '../../ingest-api/test/test-support';
import { QueryHarness, ReadSide, startQuery } from '../../query-api/test/query-harness';
import { ErasureSweeper } from '../../ingest-api/src/participants/erasure-sweeper';
import { KeyStore } from '../../ingest-api/src/participants/key-store';
import { ProjectorConfig } from '../src/projector.config';
import { ProjectorModule } from '../src/projector.module';
import { ReadModelRebuild } from '../src/rebuild/read-model-rebuild';

/**
 * Right to erasure end to end (issue 7 items 3–5, and the log scan of item 6), on the real apps
 * and services: ingest, projector and query-api in this process with their logs captured at
 * debug level, the real broker, Postgres and Redis. A person registers with a first name and an
 * age range, proposes, votes, is erased; after a full rebuild from offset 0 no table, Redis key,
 * idempotency entry, export, public answer or log line holds their first name, and their votes
 * still count.
 */
describe('erasure, minors and moderation safety end to end', () => {
  const marker = randomBytes(4).toString('hex');
  const ALICE = `Zéphyrine${marker}`;
  const MINOR = `Mineur${marker}`;
  const INTERRUPTED = `Interrompu${marker}`;
  const REFUSED_TEXT = `Il faut appeler Gaspard${marker} au 06 12 34 56 78 pour tout régler`;
  const IDEMPOTENCY_KEY = `erasure-key-${marker}`;
  const SLUG = `erasure-${marker}`;
  const logs: { app: string; line: string }[] = [];
  let ingest: IngestHarness;
  let projector: NestFastifyApplication;
  let query: QueryHarness;
  let pool: Pool;
  let redis: Redis;
  let projectionPrefix: string;
  let alice: { participantId: string; token: string };
  let minor: { participantId: string; token: string };
  let voter: { participantId: string; token: string };
  const proposals: { alice?: string; minor?: string; refused?: string } = {};

  const q = <T = Record<string, unknown>>(method: string, path: string, token?: string): Promise<Answer<T>> =>
    call<T>(query.url, method, path, { token });

  beforeAll(async () => {
    ingest = await startIngest('erasure', { LOG_LEVEL: 'debug' });
    logs.push(...ingest.logs.map((line) => ({ app: 'ingest-api(start)', line })));
    ingest.logs.push = (...lines: string[]) => {
      logs.push(...lines.map((line) => ({ app: 'ingest-api', line })));
      return lines.length;
    };
    projectionPrefix = `${ingest.topicPrefix}rm`;
    const projectorConfig = loadConfig(ProjectorConfig, {
      KAFKA_BROKERS: testEnv.kafkaBrokers().join(','),
      TOPIC_PREFIX: ingest.topicPrefix,
      DATABASE_URL: ingest.database.url,
      REDIS_URL: testEnv.redisUrl(),
      REDIS_PREFIX: ingest.topicPrefix,
      REDIS_PROJECTION_PREFIX: projectionPrefix,
      PROJECTOR_GROUP_ID: `projector-${marker}`,
      PORT: '0',
      LOG_LEVEL: 'debug',
      PG_POOL_SIZE: '4',
    });
    const projectorLogger = new JsonLogger('projector', 'debug', (line) => logs.push({ app: 'projector', line }));
    projector = await createHttpApp(ProjectorModule.forRoot(projectorConfig, projectorLogger), { title: 'projector', description: 'test', logger: projectorLogger });
    await projector.listen(0, '127.0.0.1');
    pool = new Pool({ connectionString: ingest.database.url, max: 4 });
    tolerateTermination(pool);
    redis = new Redis(testEnv.redisUrl());
    const side = { database: ingest.database, pool, redis, topicPrefix: ingest.topicPrefix, redisProjectionPrefix: projectionPrefix } as unknown as ReadSide;
    query = await startQuery(side, { LOG_LEVEL: 'debug', REDIS_PROJECTION_POINTER: `${projectionPrefix}:active` });
    query.logs.push = (...lines: string[]) => {
      logs.push(...lines.map((line) => ({ app: 'query-api', line })));
      return lines.length;
    };
  }, 120_000);

  afterAll(async () => {
    await query?.close().catch(() => undefined);
    await projector?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    if (redis) {
      for (const prefix of [ingest.topicPrefix, projectionPrefix]) {
        for (const key of await scanKeys(redis, prefix)) await redis.del(key);
      }
      redis.disconnect();
    }
    await ingest?.close().catch(() => undefined);
  }, 60_000);

  it('publishes the first name of an adult author, never of a minor, in answers and the export', async () => {
    await schedule(ingest.url, SLUG);
    const registered = await call<{ participantId: string; token: string }>(ingest.url, 'POST', '/v1/participants', {
      body: { communeCode: '75101', firstName: ALICE, ageRange: '25-34' },
      headers: { 'idempotency-key': IDEMPOTENCY_KEY },
    });
    expect(registered.status).toBe(201);
    expect(JSON.stringify(registered.body)).not.toContain(ALICE);
    alice = registered.body;
    minor = (await call<{ participantId: string; token: string }>(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '01001', firstName: MINOR, ageRange: '<18' } })).body;
    voter = (await call<{ participantId: string; token: string }>(ingest.url, 'POST', '/v1/participants', { body: { postalCode: '69001' } })).body;
    // Error paths that could echo what they were given into a log: hostile bodies, a poison record.
    expect((await call(ingest.url, 'POST', '/v1/participants', { raw: `{"firstName": "${ALICE}", `, headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101', firstName: `${ALICE}<b>` } })).status).toBe(422);
    expect((await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101', firstName: ALICE, shoeSize: 44 } })).status).toBe(422);
    const producer = createKafka({ brokers: testEnv.kafkaBrokers(), clientId: `poison-${marker}`, logLevel: 'nothing' }).producer();
    await producer.connect();
    await producer.send({ topic: physicalTopic(ingest.topicPrefix, 'participants'), messages: [{ key: marker, value: `${ALICE} is not an event {` }] });
    await producer.disconnect();
    proposals.alice = await submit(ingest.url, SLUG, alice.token, `Il faut plus de bancs publics ${marker}`);
    proposals.minor = await submit(ingest.url, SLUG, minor.token, `Il faut des pistes cyclables ${marker}`);
    proposals.refused = await submit(ingest.url, SLUG, voter.token, REFUSED_TEXT);
    for (const id of [proposals.alice, proposals.minor]) {
      expect((await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/accept`, { token: MODERATOR_TOKEN })).status).toBe(202);
    }
    const refusal = await call(ingest.url, 'POST', `/v1/moderation/proposals/${proposals.refused}/refuse`, {
      token: MODERATOR_TOKEN,
      body: { reason: 'Numéro de téléphone et nom', reasonCode: 'personal-data' },
    });
    expect(refusal.status).toBe(202);
    const vote = async (token: string, proposalId: string, value: string) =>
      expect((await call(ingest.url, 'PUT', `/v1/proposals/${proposalId}/vote`, { token, body: { value } })).status).toBe(202);
    await vote(alice.token, proposals.minor, 'agree');
    await vote(voter.token, proposals.alice, 'agree');
    await vote(minor.token, proposals.alice, 'disagree');
    await vote(voter.token, proposals.minor, 'neutral');

    await eventually(async () => {
      const detail = await q<{ author: Record<string, unknown>; votes: { total: number } }>('GET', `/v1/proposals/${proposals.alice}`);
      expect(detail.body.author).toEqual({ firstName: ALICE, ageRange: '25-34', tier: 'large' });
      expect(detail.body.votes.total).toBe(2);
    }, { timeoutMs: 30_000 });
    const minorDetail = await q<{ author: Record<string, unknown> }>('GET', `/v1/proposals/${proposals.minor}`);
    expect(minorDetail.body.author).toEqual({ ageRange: '<18', tier: expect.any(String) });
    const list = await q('GET', `/v1/consultations/${SLUG}/proposals?sort=recent`);
    expect(JSON.stringify(list.body)).toContain(ALICE);
    const sequence = await q('GET', `/v1/consultations/${SLUG}/sequence`, voter.token);
    const results = await q('GET', `/v1/consultations/${SLUG}/results`);
    const csv = await q<string>('GET', `/v1/consultations/${SLUG}/exports/proposals.csv`);
    expect(csv.body).toContain(ALICE);
    for (const answer of [list, sequence, results, csv, minorDetail]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(MINOR);
    }
    // The search used after the erasure finds the names while they are there.
    expect(await tablesHolding(pool, ALICE)).toEqual(['readmodel.participants']);
    expect(await tablesHolding(pool, MINOR)).toEqual(['readmodel.participants']);
  }, 90_000);

  it('never serves a text refused for personal data again, and keeps the moderator in the audit trail', async () => {
    await eventually(async () => {
      const rows = await pool.query(`SELECT text, text_erased FROM readmodel.proposals WHERE proposal_id = $1`, [proposals.refused]);
      expect(rows.rows).toEqual([{ text: '', text_erased: true }]);
    }, { timeoutMs: 20_000 });
    // Moderators still see that the proposal exists, without its text (the detail caches facts up to 10 s).
    await eventually(async () => {
      const asModerator = await q<{ text: string; status: string }>('GET', `/v1/proposals/${proposals.refused}`, MODERATOR_TOKEN);
      expect(asModerator).toMatchObject({ status: 200, body: { text: '', status: 'refused' } });
    }, { timeoutMs: 15_000, intervalMs: 500 });
    expect((await q('GET', `/v1/proposals/${proposals.refused}`)).status).toBe(404);
    const queue = await call(ingest.url, 'GET', '/v1/moderation/queue?limit=100', { token: MODERATOR_TOKEN });
    expect(JSON.stringify(queue.body)).not.toContain(`Gaspard${marker}`);
    expectProblem(await call(ingest.url, 'POST', `/v1/moderation/proposals/${proposals.refused}/accept`, { token: MODERATOR_TOKEN }), 409, 'proposal-text-erased');
    const audit = await pool.query(`SELECT action, moderator, reason_code FROM analytics.moderation_actions ORDER BY occurred_at, action`);
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: 'accept', moderator: 'tester', reason_code: null },
        { action: 'refuse', moderator: 'tester', reason_code: 'personal-data' },
      ]),
    );
  }, 60_000);

  it('answers problem documents to erasure requests it cannot take', async () => {
    expectProblem(await call(ingest.url, 'DELETE', '/v1/participants/me'), 401, 'unauthorized');
    expectProblem(await call(ingest.url, 'DELETE', '/v1/participants/me', { token: MODERATOR_TOKEN }), 403, 'forbidden');
    expectProblem(await call(ingest.url, 'DELETE', `/v1/moderation/participants/${alice.participantId}/personal-data`, { token: alice.token }), 403, 'forbidden');
    expectProblem(await call(ingest.url, 'DELETE', '/v1/moderation/participants/not-a-uuid/personal-data', { token: MODERATOR_TOKEN }), 404, 'not-found');
  });

  let aliceKeyBeforeErasure: Buffer;

  it('erases the person everywhere, through a full rebuild, and keeps their votes counted', async () => {
    aliceKeyBeforeErasure = (await pool.query(`SELECT key FROM keystore.participant_keys WHERE participant_id = $1`, [alice.participantId])).rows[0].key;
    expect(aliceKeyBeforeErasure).toHaveLength(32);
    const erased = await call<{ erased: boolean; position: unknown }>(ingest.url, 'DELETE', '/v1/participants/me', {
      token: alice.token,
      headers: { 'idempotency-key': `${IDEMPOTENCY_KEY}-erase` },
    });
    expect(erased.status).toBe(202);
    expect(erased.body).toMatchObject({ participantId: alice.participantId, erased: true, position: expect.any(Object) });
    const again = await call<{ position: unknown }>(ingest.url, 'DELETE', '/v1/participants/me', { token: alice.token });
    expect(again).toMatchObject({ status: 202, body: { position: null } });
    const byModerator = await call(ingest.url, 'DELETE', `/v1/moderation/participants/${minor.participantId}/personal-data`, { token: MODERATOR_TOKEN });
    expect(byModerator.status).toBe(202);
    // The key store: both keys destroyed, both erasures acknowledged by the log.
    const keys = await pool.query(
      `SELECT key IS NULL AS destroyed, erasure_logged_at IS NOT NULL AS logged, erased_by FROM keystore.participant_keys
       WHERE participant_id = ANY($1::uuid[]) ORDER BY erased_by`,
      [[alice.participantId, minor.participantId]],
    );
    expect(keys.rows).toEqual([
      { destroyed: true, logged: true, erased_by: 'moderator:tester' },
      { destroyed: true, logged: true, erased_by: 'participant' },
    ]);
    // A registration retried with the same Idempotency-Key replays the stored answer (no personal data in it).
    const replay = await call(ingest.url, 'POST', '/v1/participants', {
      body: { communeCode: '75101', firstName: ALICE, ageRange: '25-34' },
      headers: { 'idempotency-key': IDEMPOTENCY_KEY },
    });
    expect(replay.status).toBe(201);
    expect(JSON.stringify(replay.body)).not.toContain(ALICE);

    // Live read models scrubbed (the query-api's detail cache holds facts up to 10 s).
    await eventually(async () => {
      const detail = await q<{ author: Record<string, unknown> }>('GET', `/v1/proposals/${proposals.alice}`);
      expect(detail.body.author).toEqual({ tier: 'large' });
    }, { timeoutMs: 30_000, intervalMs: 500 });

    const result = await new ReadModelRebuild({
      kafka: createKafka({ brokers: testEnv.kafkaBrokers(), clientId: `erasure-rebuild-${marker}`, logLevel: 'nothing' }),
      pool,
      redis,
      topicPrefix: ingest.topicPrefix,
      redisPrefix: projectionPrefix,
      tailLag: 0,
      graceMs: 200,
      log: (message, extra) => logs.push({ app: 'rebuild', line: JSON.stringify({ message, ...extra }) }),
    }).run();
    expect(result.droppedOld).toBe(true);

    // Every text-bearing value of every table of the database (read models, analytics, key store).
    const tables = await pool.query<{ schema: string; name: string }>(
      `SELECT schemaname AS schema, relname AS name FROM pg_stat_user_tables ORDER BY 1, 2`,
    );
    expect(tables.rows.map((t) => `${t.schema}.${t.name}`)).toEqual(expect.arrayContaining(['readmodel.participants', 'readmodel.proposals', 'keystore.participant_keys']));
    for (const needle of [ALICE, MINOR, `Gaspard${marker}`]) expect({ needle, tables: await tablesHolding(pool, needle) }).toEqual({ needle, tables: [] });
    const people = await pool.query(
      `SELECT first_name, age_range, personal_status FROM readmodel.participants WHERE participant_id = ANY($1::uuid[])`,
      [[alice.participantId, minor.participantId]],
    );
    expect(people.rows).toEqual([
      { first_name: null, age_range: null, personal_status: 'erased' },
      { first_name: null, age_range: null, personal_status: 'erased' },
    ]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM readmodel.moderation_actions WHERE action = 'erase-personal-data' AND moderator = 'tester'`)).rows[0].n).toBe(1);

    // Redis: every key of this test's prefixes (idempotency store, projection generations).
    const redisKeys = [...(await scanKeys(redis, ingest.topicPrefix)), ...(await scanKeys(redis, projectionPrefix))];
    expect(redisKeys.some((k) => k.includes('idem:'))).toBe(true);
    for (const key of redisKeys) {
      const dump = await dumpKey(redis, key);
      for (const needle of [ALICE, MINOR, `Gaspard${marker}`]) expect({ key, found: dump.includes(needle) }).toEqual({ key, found: false });
    }

    // Public answers and the export, while the votes still count.
    await eventually(async () => {
      const detail = await q<{ author: Record<string, unknown>; votes: { total: number; agree: number; disagree: number } }>('GET', `/v1/proposals/${proposals.alice}`);
      expect(detail.body.author).toEqual({ tier: 'large' });
      expect(detail.body.votes).toMatchObject({ total: 2, agree: 1, disagree: 1 });
      const minorDetail = await q<{ votes: { total: number; agree: number } }>('GET', `/v1/proposals/${proposals.minor}`);
      expect(minorDetail.body.votes).toMatchObject({ total: 2, agree: 1 });
    }, { timeoutMs: 30_000, intervalMs: 500 });
    const answers = [
      await q('GET', `/v1/consultations/${SLUG}/proposals?sort=recent`),
      await q('GET', `/v1/consultations/${SLUG}/proposals?sort=votes`),
      await q('GET', `/v1/consultations/${SLUG}/results`),
      await q('GET', `/v1/consultations/${SLUG}/stats`),
      await q('GET', `/v1/consultations/${SLUG}/sequence`, voter.token),
      await q('GET', '/v1/participants/me/votes', alice.token),
      await q('GET', `/v1/consultations/${SLUG}/exports/proposals.csv`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      for (const needle of [ALICE, MINOR, `Gaspard${marker}`]) expect(text).not.toContain(needle);
    }
    const stats = answers[3].body as { votes: number };
    expect(stats.votes).toBe(4);
    expect(JSON.stringify(answers[5].body)).toContain(proposals.minor);
  }, 180_000);

  it('destroys again, on the next replay, a key that a restored backup brought back after the erasure', async () => {
    // A key store restored from a backup taken before the erasure, with a log that holds it.
    await pool.query(
      `UPDATE keystore.participant_keys SET key = $2, destroyed_at = NULL, erasure_logged_at = NULL, erased_by = NULL WHERE participant_id = $1`,
      [alice.participantId, aliceKeyBeforeErasure],
    );
    await new ReadModelRebuild({
      kafka: createKafka({ brokers: testEnv.kafkaBrokers(), clientId: `erasure-restore-${marker}`, logLevel: 'nothing' }),
      pool,
      redis,
      topicPrefix: ingest.topicPrefix,
      redisPrefix: projectionPrefix,
      tailLag: 0,
      graceMs: 200,
    }).run();
    const key = await pool.query(`SELECT key IS NULL AS destroyed, erased_by FROM keystore.participant_keys WHERE participant_id = $1`, [alice.participantId]);
    expect(key.rows).toEqual([{ destroyed: true, erased_by: 'log' }]);
    expect(await tablesHolding(pool, ALICE)).toEqual([]);
  }, 120_000);

  it('finishes an erasure interrupted between destroying the key and appending the event', async () => {
    const registered = await call<{ participantId: string }>(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101', firstName: INTERRUPTED, ageRange: '65+' } });
    expect(registered.status).toBe(201);
    const id = registered.body.participantId;
    const nameOf = async () => (await pool.query(`SELECT first_name FROM readmodel.participants WHERE participant_id = $1`, [id])).rows[0]?.first_name;
    await eventually(async () => expect(await nameOf()).toBe(INTERRUPTED), { timeoutMs: 20_000 });
    // The crash: step 1 done, no event appended, no answer sent.
    await ingest.app.get(KeyStore).destroy(id, 'participant');
    expect(await nameOf()).toBe(INTERRUPTED);
    expect(await ingest.app.get(ErasureSweeper).sweep(0)).toBeGreaterThanOrEqual(1);
    await eventually(async () => expect(await nameOf()).toBeNull(), { timeoutMs: 20_000 });
    const key = await pool.query(`SELECT key IS NULL AS destroyed, erasure_logged_at IS NOT NULL AS logged FROM keystore.participant_keys WHERE participant_id = $1`, [id]);
    expect(key.rows).toEqual([{ destroyed: true, logged: true }]);
    expect(await ingest.app.get(ErasureSweeper).sweep(0)).toBe(0);
  }, 60_000);

  it('writes no personal data, token or Idempotency-Key into any log line of the apps', async () => {
    // Every app logged (debug level), so the scan below reads real output.
    // The apps log little at run time by design; the poison record's dead letter is one line that
    // could have quoted it.
    expect([...new Set(logs.map((l) => l.app))]).toEqual(expect.arrayContaining(['ingest-api(start)', 'projector', 'rebuild']));
    expect(logs.some((l) => l.app === 'projector' && l.line.includes('dead letter'))).toBe(true);
    const secrets = [ALICE, MINOR, INTERRUPTED, `Gaspard${marker}`, IDEMPOTENCY_KEY, alice.token, minor.token, voter.token, MODERATOR_TOKEN];
    const counts = logs.reduce<Record<string, number>>((acc, l) => ({ ...acc, [l.app]: (acc[l.app] ?? 0) + 1 }), {});
    process.stdout.write(`log lines scanned: ${JSON.stringify(counts)}\n`);
    const leaks = logs.flatMap(({ app, line }) => secrets.filter((s) => line.includes(s)).map((s) => `${app}: ${s.slice(0, 12)}… in ${line.slice(0, 200)}`));
    expect(leaks).toEqual([]);
  });
});

/** `schema.table` of every table of the database with a row whose text form holds `needle`. */
const tablesHolding = async (pool: Pool, needle: string): Promise<string[]> => {
  const tables = await pool.query<{ schema: string; name: string }>(`SELECT schemaname AS schema, relname AS name FROM pg_stat_user_tables ORDER BY 1, 2`);
  const holding: string[] = [];
  for (const { schema, name } of tables.rows) {
    const found = await pool.query(`SELECT 1 FROM "${schema}"."${name}" r WHERE strpos(r::text, $1) > 0 LIMIT 1`, [needle]);
    if (found.rows.length > 0) holding.push(`${schema}.${name}`);
  }
  return holding;
};

const scanKeys = async (redis: Redis, prefix: string): Promise<string[]> => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys;
};

const dumpKey = async (redis: Redis, key: string): Promise<string> => {
  switch (await redis.type(key)) {
    case 'string':
      return (await redis.get(key)) ?? '';
    case 'hash':
      return JSON.stringify(await redis.hgetall(key));
    case 'set':
      return JSON.stringify(await redis.smembers(key));
    case 'zset':
      return JSON.stringify(await redis.zrange(key, 0, -1));
    case 'list':
      return JSON.stringify(await redis.lrange(key, 0, -1));
    default:
      return '';
  }
};
