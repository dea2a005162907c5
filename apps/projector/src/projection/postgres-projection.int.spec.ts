import { randomBytes } from 'node:crypto';
import { PersonalData, SealedPersonalData, sealPersonalData } from '@app/events';
import { Pool } from 'pg';
import { PostgresProjection } from './postgres-projection';
import { EventLog, idFrom } from './testing/event-scenario';
import { OwnDatabase, batchOf, createOwnDatabase, postgresSnapshot } from './testing/projection-test-kit';

const seal = (participantId: string, key: Buffer, personal: PersonalData): SealedPersonalData => sealPersonalData(personal, key, participantId);

/** Applies every batch twice and checks that the second delivery changed nothing. */
const applyTwice = async (projection: PostgresProjection, pool: Pool, log: EventLog, from: number): Promise<void> => {
  const batch = batchOf(log.records.slice(from));
  await projection.apply(batch);
  const once = await postgresSnapshot(pool);
  const votesOnce = (await pool.query('SELECT * FROM readmodel.current_votes ORDER BY 1, 2')).rows;
  expect(await projection.apply(batch)).toEqual({ applied: 0, skipped: batch.events.length });
  expect(await postgresSnapshot(pool)).toEqual(once);
  expect((await pool.query('SELECT * FROM readmodel.current_votes ORDER BY 1, 2')).rows).toEqual(votesOnce);
};

describe('PostgresProjection', () => {
  let db: OwnDatabase;
  let projection: PostgresProjection;
  let log: EventLog;
  let applied: number;
  const step = async (): Promise<void> => {
    await applyTwice(projection, db.pool, log, applied);
    applied = log.records.length;
  };
  const tally = async (proposalId: string, tier: string): Promise<Record<string, number> | undefined> =>
    (await postgresSnapshot(db.pool)).tallies[proposalId]?.[tier];

  beforeAll(async () => {
    db = await createOwnDatabase();
  });
  afterAll(async () => db.drop());
  beforeEach(async () => {
    await db.pool.query(`TRUNCATE readmodel.tallies, readmodel.consultation_counters, readmodel.consultation_participants,
      readmodel.current_votes, readmodel.proposals, readmodel.participants, readmodel.consultations, readmodel.projection_offsets`);
    projection = new PostgresProjection({ pool: db.pool });
    log = new EventLog(`t${randomBytes(3).toString('hex')}.`);
    applied = 0;
  });

  const voter = idFrom('voter');
  const proposal = idFrom('proposal');

  it('moves a changed vote and its qualifications, removes a retracted one, and ignores the same vote again', async () => {
    log.submit(proposal, 'cgt', idFrom('author'), 'large');
    log.moderate(proposal, 'cgt', 'accept');
    log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt', 'doable']);
    await step();
    expect(await tally(proposal, 'rural')).toEqual({ total: 1, agree: 1, likeIt: 1, doable: 1 });

    log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['doable', 'likeIt']);
    await step();
    expect(await tally(proposal, 'rural')).toEqual({ total: 1, agree: 1, likeIt: 1, doable: 1 });

    log.cast(voter, proposal, 'cgt', 'rural', 'disagree', ['noWay']);
    await step();
    expect(await tally(proposal, 'rural')).toEqual({ total: 1, disagree: 1, noWay: 1 });

    log.retract(voter, proposal, 'cgt', 'rural');
    log.retract(voter, proposal, 'cgt', 'rural');
    await step();
    expect(await tally(proposal, 'rural')).toBeUndefined();
    const counters = (await postgresSnapshot(db.pool)).counters;
    expect(counters.cgt.rural).toEqual({ participants: 1 });
    expect(counters.cgt.large).toEqual({ participants: 1, proposalsSubmitted: 1, proposalsAccepted: 1 });
  });

  it('drops a retry carrying an event id already applied to the pair, even after later events', async () => {
    const first = log.cast(voter, proposal, 'cgt', 'medium', 'agree', []);
    log.retract(voter, proposal, 'cgt', 'medium');
    log.append(first);
    await step();
    expect(await tally(proposal, 'medium')).toBeUndefined();
    log.append(first);
    await step();
    expect(await tally(proposal, 'medium')).toBeUndefined();
    expect((await postgresSnapshot(db.pool)).counters.cgt.medium).toEqual({ participants: 1 });
  });

  it('counts the votes of a refused proposal out of the results and back in when it is accepted again', async () => {
    log.submit(proposal, 'cgt', idFrom('author'), 'rural');
    log.moderate(proposal, 'cgt', 'accept');
    log.cast(voter, proposal, 'cgt', 'large', 'agree', ['likeIt']);
    await step();
    const results = async (): Promise<number[]> =>
      (await db.pool.query<{ votes: number }>(`SELECT votes FROM analytics.proposal_results WHERE proposal_id = $1 AND tier = 'all'`, [proposal])).rows.map((r) => r.votes);
    expect(await results()).toEqual([1]);
    log.moderate(proposal, 'cgt', 'refuse');
    await step();
    expect(await results()).toEqual([]);
    expect(await tally(proposal, 'large')).toEqual({ total: 1, agree: 1, likeIt: 1 });
    expect((await postgresSnapshot(db.pool)).counters.cgt.rural).toEqual({ participants: 1, proposalsSubmitted: 1, proposalsRefused: 1 });
    log.moderate(proposal, 'cgt', 'accept');
    await step();
    expect(await results()).toEqual([1]);
    const row = await db.pool.query(`SELECT adhesion, engagement, score FROM analytics.proposal_results WHERE proposal_id = $1 AND tier = 'large'`, [proposal]);
    expect(row.rows[0]).toEqual({ adhesion: 1, engagement: 1, score: 2 });
  });

  it('ignores a 101st submission of an author, and lets an earlier one read late push the 100th out', async () => {
    const author = idFrom('prolific');
    const base = Date.parse('2021-02-10T10:00:00Z');
    for (let i = 1; i <= 101; i++) log.submit(idFrom('p', i), 'cgt', author, 'medium', base + i * 1000);
    await step();
    const within = async (): Promise<string[]> =>
      (await db.pool.query<{ id: string }>('SELECT proposal_id::text AS id FROM readmodel.proposals WHERE NOT within_quota')).rows.map((r) => r.id);
    expect(await within()).toEqual([idFrom('p', 101)]);
    log.submit(idFrom('p', 0), 'cgt', author, 'medium', base);
    await step();
    expect((await within()).sort()).toEqual([idFrom('p', 100), idFrom('p', 101)].sort());
    expect((await postgresSnapshot(db.pool)).counters.cgt.medium).toEqual({ participants: 1, proposalsSubmitted: 100 });
  });

  it('decrypts personal data while the key exists and stores nothing once it is destroyed or missing', async () => {
    const kept = idFrom('kept');
    const shredded = idFrom('shredded');
    const missing = idFrom('missing');
    const keys = { kept: randomBytes(32), shredded: randomBytes(32) };
    await db.pool.query('INSERT INTO keystore.participant_keys (participant_id, key) VALUES ($1, $2)', [kept, keys.kept]);
    await db.pool.query('INSERT INTO keystore.participant_keys (participant_id, key, destroyed_at) VALUES ($1, NULL, now())', [shredded]);
    log.register(kept, 'rural', seal(kept, keys.kept, { firstName: 'Maëlle', ageRange: '25-34' }));
    log.register(shredded, 'rural', seal(shredded, keys.shredded, { firstName: 'Paul' }));
    log.register(missing, 'large', seal(missing, randomBytes(32), { firstName: 'Zoé' }));
    log.register(idFrom('anonymous'), 'medium');
    await step();
    const rows = await db.pool.query('SELECT participant_id::text AS id, first_name, age_range, personal_status, tier FROM readmodel.participants ORDER BY personal_status');
    expect(rows.rows).toEqual(
      expect.arrayContaining([
        { id: kept, first_name: 'Maëlle', age_range: '25-34', personal_status: 'decrypted', tier: 'rural' },
        { id: shredded, first_name: null, age_range: null, personal_status: 'erased', tier: 'rural' },
        { id: missing, first_name: null, age_range: null, personal_status: 'erased', tier: 'large' },
        { id: idFrom('anonymous'), first_name: null, age_range: null, personal_status: 'absent', tier: 'medium' },
      ]),
    );
  });

  it('writes nothing, not even the checkpoint, when a batch fails', async () => {
    log.register(voter, 'rural');
    log.cast(voter, proposal, 'cgt', 'rural', 'agree', []);
    await db.pool.query('ALTER TABLE readmodel.tallies ADD CONSTRAINT refuse_all CHECK (total < 0) NOT VALID');
    try {
      await expect(projection.apply(batchOf(log.records))).rejects.toThrow(/refuse_all/);
    } finally {
      await db.pool.query('ALTER TABLE readmodel.tallies DROP CONSTRAINT refuse_all');
    }
    const count = async (table: string): Promise<number> => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM readmodel.${table}`)).rows[0].n;
    expect([await count('participants'), await count('current_votes'), await count('projection_offsets')]).toEqual([0, 0, 0]);
    await step();
    expect(await tally(proposal, 'rural')).toEqual({ total: 1, agree: 1 });
  });

  it('lets the analyst role read the analytics views and nothing else, and write nothing', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('SET ROLE analyst');
      await expect(client.query('SELECT * FROM analytics.plebiscites')).resolves.toBeDefined();
      await expect(client.query('SELECT * FROM analytics.participation_by_region')).resolves.toBeDefined();
      await expect(client.query('SELECT * FROM readmodel.tallies')).rejects.toThrow(/permission denied/);
      await expect(client.query('SELECT * FROM keystore.participant_keys')).rejects.toThrow(/permission denied/);
      await expect(client.query("INSERT INTO readmodel.consultation_counters (consultation, tier) VALUES ('x', 'rural')")).rejects.toThrow(/permission denied/);
      await expect(client.query("DELETE FROM analytics.proposals")).rejects.toThrow(/permission denied/);
      await expect(client.query('CREATE TABLE analytics.mine (x int)')).rejects.toThrow(/permission denied/);
    } finally {
      await client.query('RESET ROLE');
      client.release();
    }
  });
});
