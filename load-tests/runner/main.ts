import { join, resolve } from 'node:path';
import { parseScale } from '../data/scale';
import { CliArgs, firstModeratorToken, redisProjection } from './cli-args';
import { runLoadTest } from './load-test';

/**
 * `node -r @swc-node/register load-tests/runner/main.ts --scale small|medium|full|<votes>`
 * Options (and their environment fallbacks) are listed in load-tests/README.md.
 */
const PASSED_TO_K6 = ['VOTES', 'REGISTRATION_RATE', 'PROPOSAL_RATE', 'VOTE_PEAK_RATE', 'VOTE_CHANGE_RATE', 'READ_RATE', 'VU_LATENCY_BUDGET', 'REFUSE_PERCENT', 'POOL_MAX', 'POOL_REFRESH_SECONDS', 'SLUG', 'RUN_ID', 'WRITE_ATTEMPTS', 'REQUEST_TIMEOUT'];

const reachable = async (url: string): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
};

const main = async (): Promise<number> => {
  const args = new CliArgs(process.argv.slice(2));
  const scale = parseScale(args.value('scale') ?? 'small');
  const ingestUrl = args.value('ingest-url') ?? process.env.INGEST_URL ?? 'http://127.0.0.1:3000';
  const queryUrl = args.value('query-url') ?? process.env.QUERY_URL ?? 'http://127.0.0.1:3001';
  const print = (line: string): void => void process.stdout.write(`${line}\n`);
  if (!(await reachable(ingestUrl))) {
    print(`[load] the ingest API does not answer at ${ingestUrl}/health/live: start the stack (npm start) or pass --ingest-url`);
    return 2;
  }
  const queryUp = !args.flag('no-query') && (await reachable(queryUrl));
  if (!queryUp) print(`[load] no query API at ${queryUrl}: the reads scenario, the query-API verification and its lag probe are SKIPPED`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const brokers = (args.value('kafka-brokers') ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const outcome = await runLoadTest({
    scale,
    seed: args.value('seed') === undefined ? undefined : args.number('seed', 0),
    ingestUrl,
    queryUrl: queryUp ? queryUrl : undefined,
    databaseUrl: args.flag('no-database') ? undefined : (args.value('database-url') ?? process.env.DATABASE_URL ?? 'postgres://consultation:consultation@127.0.0.1:5432/consultation'),
    moderatorToken: args.value('moderator-token') ?? process.env.MODERATOR_TOKEN ?? firstModeratorToken(process.env.MODERATOR_TOKENS) ?? 'local-moderator-token',
    outDir: resolve(args.value('out') ?? join(__dirname, '..', 'reports', `${stamp}-${scale.name}`)),
    scenarios: args.value('scenarios')?.split(','),
    env: Object.fromEntries(PASSED_TO_K6.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]]))),
    verify: !args.flag('no-verify'),
    redis: redisProjection(args),
    recount: args.flag('recount') ? { brokers, topicPrefix: args.value('topic-prefix') ?? process.env.TOPIC_PREFIX ?? '' } : undefined,
    catchUpTimeoutSeconds: args.number('catch-up-timeout', 120),
    command: `load-tests/runner/main.ts ${process.argv.slice(2).join(' ')}`,
    print,
  });
  return outcome.exitCode;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[load] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
