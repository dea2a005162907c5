import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminUrl } from '@app/testing';
import Redis from 'ioredis';
import { Client } from 'pg';
import { REPO } from './support/exported-metrics';
import { SeededStack, seedStack } from './support/seeded-stack';

/**
 * infra/backup end to end on a small seeded stack: `backup` dumps the topics and the key store,
 * `restore-drill` restores them into a fresh stack (private broker and Redis, new database),
 * rebuilds the read models with the projector app and finds them identical to the originals.
 * Then the comparison and the position check it relies on are shown to catch differences.
 */
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
const script = (name: string, args: string[], env: Record<string, string>, timeout = 300_000): Promise<Run> =>
  new Promise((resolve) => {
    execFile(name.endsWith('.js') ? process.execPath : 'bash', [join(REPO, 'infra/backup', name), ...args], { cwd: REPO, env: { ...process.env, ...env }, timeout, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });

const withAdmin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

describe('backup and restore drill', () => {
  let stack: SeededStack;
  let dir: string;

  beforeAll(async () => {
    stack = await seedStack('drill');
    await stack.project();
    dir = mkdtempSync(join(tmpdir(), 'consultation-backup-'));
  }, 180_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stack?.close();
  });

  it('backs up every record of the topics and the key store, and notes that the read models are at those positions', async () => {
    const result = await script('backup', ['--out', `${dir}/b`, '--settle', '20'], stack.env);
    expect(result.code).toBe(0);
    const summary = JSON.parse(readFileSync(`${dir}/b/backup.json`, 'utf8'));
    expect(summary.kafka.records).toBe(stack.records + 1); // and the dead letter the projector wrote
    expect(summary.keystore).toEqual({ file: 'postgres/keystore.dump', keys: 4, destroyed: 1 });
    expect(summary.originals.atDumpedPositions).toBe(true);
    const manifest = JSON.parse(readFileSync(`${dir}/b/kafka/manifest.json`, 'utf8'));
    expect(manifest.topics.map((t: { name: string }) => t.name)).toEqual(['consultations', 'participants', 'proposals', 'votes', 'dead-letters']);
    const deadLetters = manifest.topics.find((t: { name: string }) => t.name === 'dead-letters');
    expect(deadLetters.partitions.reduce((n: number, p: { records: number }) => n + p.records, 0)).toBe(1);
  }, 120_000);

  it('restores into a fresh stack, rebuilds, finds the read models identical to the originals, and removes the fresh stack', async () => {
    const result = await script('restore-drill', [`${dir}/b`, '--code', 'source', '--timeout', '180'], stack.env);
    const output = `${result.stdout}\n${result.stderr}`;
    const verdict = /RESTORE DRILL (\w+)/.exec(output)?.[1];
    expect({ code: result.code, verdict, output: verdict === 'PASSED' ? '' : output.slice(-4000) }).toEqual({ code: 0, verdict: 'PASSED', output: '' });
    console.log(/RESTORE DRILL .*/.exec(output)?.[0]);
    expect(output).toMatch(/offsets identical to the original log/);
    expect(output).toMatch(/readmodel\.participants: \d+ rows, identical/);
    expect(output).toMatch(/keystore\.participant_keys: 4 rows, identical/);
    expect(output).toMatch(/redis t: \d+ keys, identical/);
    const database = /database (drill_\w+)/.exec(output)?.[1];
    expect(database).toBeDefined();
    const left = await withAdmin((c) => c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]));
    expect(left.rowCount).toBe(0);
  }, 360_000);

  it('refuses to compare with originals that have moved past the backup (positions check)', async () => {
    const manifest = `${dir}/b/kafka/manifest.json`;
    const args = ['--db', stack.databaseUrl, '--redis', stack.redisUrl, '--redis-prefix', stack.redisPrefix, '--expect', manifest];
    expect((await script('positions.js', args, {})).code).toBe(0);
    const c = new Client({ connectionString: stack.databaseUrl });
    await c.connect();
    await c.query("UPDATE readmodel.projection_offsets SET next_offset = next_offset + 1 WHERE topic LIKE '%votes' AND partition = 0");
    await c.end();
    const moved = await script('positions.js', args, {});
    expect(moved.code).toBe(3);
    expect(JSON.parse(moved.stdout).results.postgres.state).toBe('ahead');
  }, 60_000);

  it('reports a changed row and a changed Redis field when the copies differ', async () => {
    // A byte-for-byte copy of the originals (database cloned, Redis keys dumped and restored)…
    const copy = `${stack.databaseName}_copy`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${copy} TEMPLATE ${stack.databaseName}`));
    const redis = new Redis(stack.redisUrl);
    const copyPrefix = `${stack.redisPrefix}copy`;
    try {
      const keys = await redis.keys(`${stack.redisPrefix}:*`);
      for (const key of keys) {
        const dumped = await redis.dumpBuffer(key);
        if (dumped) await redis.restore(`${copyPrefix}${key.slice(stack.redisPrefix.length)}`, 0, dumped, 'REPLACE');
      }
      const copyUrl = stack.databaseUrl.replace(/\/[^/]+$/, `/${copy}`);
      const compare = (): Promise<Run> =>
        script('compare-read-models.js', ['--expected-db', stack.databaseUrl, '--actual-db', copyUrl, '--keystore',
          '--expected-redis', stack.redisUrl, '--expected-redis-prefix', stack.redisPrefix, '--actual-redis', stack.redisUrl, '--actual-redis-prefix', copyPrefix], {});
      const same = await compare();
      expect({ code: same.code, stderr: same.code === 0 ? '' : same.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(same.stdout.trim().split('\n').pop() ?? '{}').identical).toBe(true);

      // …then one vote more in one tally row, and one count changed in Redis.
      const c = new Client({ connectionString: copyUrl });
      await c.connect();
      await c.query('UPDATE readmodel.tallies SET agree = agree + 1, total = total + 1 WHERE (proposal_id, tier) = (SELECT proposal_id, tier FROM readmodel.tallies LIMIT 1)');
      await c.end();
      const tallyKey = (await redis.keys(`${copyPrefix}:t:*`))[0];
      await redis.hincrby(tallyKey, 'all:total', 1);

      const different = await compare();
      expect(different.code).toBe(1);
      const report = JSON.parse(different.stdout.trim().split('\n').pop() ?? '{}');
      expect(report.identical).toBe(false);
      expect(report.tables['readmodel.tallies'].identical).toBe(false);
      expect(report.tables['readmodel.participants'].identical).toBe(true);
      expect(report.redis.t.identical).toBe(false);
      expect(report.redis.c.identical).toBe(true);
      expect(different.stderr).toMatch(/readmodel\.tallies: DIFFERENT \(\d+ rows expected, \d+ actual; 1 only in expected, 1 only in actual\)/);
    } finally {
      const copies = await redis.keys(`${copyPrefix}:*`);
      if (copies.length > 0) await redis.del(...copies);
      redis.disconnect();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`));
    }
  }, 120_000);
});
