/**
 * The raw store limits the projector is compared with, measured on the same machine in the same
 * run: one COPY of N rows into tables of the exact shape of readmodel.current_votes and
 * readmodel.tallies (LIKE … INCLUDING ALL: same columns, CHECKs and indexes), in one transaction;
 * and N votes written to Redis as pipelined HSET + HINCRBY commands (the writes the Redis
 * projection's script makes per vote, without the script).
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Client, Query } from 'pg';
import { QUALIFICATIONS_BY_VALUE } from '@app/events';
import { participantId, tierOf } from '../loadgen';
import { proposalId } from './events';

/** COPY … FROM STDIN with the rows already encoded (pg's protocol messages, no extra package). */
class CopyIn extends Query {
  constructor(
    text: string,
    private readonly chunks: readonly Buffer[],
  ) {
    super(text);
  }

  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
    for (const chunk of this.chunks) connection.sendCopyFromChunk(chunk);
    connection.endCopyFrom();
  }
}

const copyIn = (client: Client, text: string, chunks: readonly Buffer[]): Promise<void> =>
  new Promise((resolve, reject) => {
    client.query(new CopyIn(text, chunks) as never, ((error: Error | null) => (error ? reject(error) : resolve())) as never);
  });

const VALUES = ['agree', 'disagree', 'neutral'] as const;

export interface BareResult {
  readonly rows: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** COPY `rows` current votes (distinct pairs over `proposals` proposals) and the proposals' tally rows. */
export const bareCopy = async (databaseUrl: string, rows: number, proposals: number): Promise<BareResult> => {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP SCHEMA IF EXISTS bench_bare CASCADE');
    await client.query('CREATE SCHEMA bench_bare');
    await client.query('CREATE TABLE bench_bare.current_votes (LIKE readmodel.current_votes INCLUDING ALL)');
    await client.query('CREATE TABLE bench_bare.tallies (LIKE readmodel.tallies INCLUDING ALL)');
    const now = new Date().toISOString();
    const votes: Buffer[] = [];
    let lines: string[] = [];
    for (let i = 0; i < rows; i++) {
      const value = VALUES[i % 3];
      const qualifications = QUALIFICATIONS_BY_VALUE[value].slice(0, i % 3);
      lines.push(
        `${participantId(i)}\t${proposalId(i % proposals)}\tbench-territoires\t${tierOf(i)}\t${value}\t{${qualifications.join(',')}}\t{${randomUUID()}}\t${now}\n`,
      );
      if (lines.length === 5000) {
        votes.push(Buffer.from(lines.join('')));
        lines = [];
      }
    }
    if (lines.length > 0) votes.push(Buffer.from(lines.join('')));
    const tallies: string[] = [];
    for (let p = 0; p < proposals; p++) {
      for (const tier of ['rural', 'medium', 'large']) tallies.push(`${proposalId(p)}\t${tier}\t3\t1\t1\t1\t1\t0\t0\t0\t0\t0\t0\t0\t0\n`);
    }
    const started = performance.now();
    await client.query('BEGIN');
    await copyIn(
      client,
      'COPY bench_bare.current_votes (participant_id, proposal_id, consultation, voter_tier, value, qualifications, recent_event_ids, updated_at) FROM STDIN',
      votes,
    );
    await copyIn(client, 'COPY bench_bare.tallies FROM STDIN', [Buffer.from(tallies.join(''))]);
    await client.query('COMMIT');
    const ms = performance.now() - started;
    return { rows, ms, perSecond: (rows * 1000) / ms };
  } finally {
    await client.query('DROP SCHEMA IF EXISTS bench_bare CASCADE').catch(() => undefined);
    await client.end();
  }
};

/** `rows` votes as pipelined Redis writes: HSET of the voter's current vote, 4 HINCRBY of tallies. */
export const bareRedis = async (redis: Redis, prefix: string, rows: number, proposals: number): Promise<BareResult> => {
  const chunk = 2000;
  const started = performance.now();
  for (let i = 0; i < rows; i += chunk) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(rows, i + chunk); j++) {
      const value = VALUES[j % 3];
      const tier = tierOf(j);
      const proposal = proposalId(j % proposals);
      const tally = `${prefix}:t:${proposal}`;
      pipeline.hset(`${prefix}:v:${participantId(j)}`, proposal, `${tier}|${value}||${randomUUID()}`);
      pipeline.hincrby(tally, `${tier}:total`, 1);
      pipeline.hincrby(tally, `${tier}:${value}`, 1);
      pipeline.hincrby(tally, 'all:total', 1);
      pipeline.hincrby(tally, `all:${value}`, 1);
    }
    await pipeline.exec();
  }
  const ms = performance.now() - started;
  return { rows, ms, perSecond: (rows * 1000) / ms };
};
