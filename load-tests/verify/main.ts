import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CliArgs, firstModeratorToken, redisProjection } from '../runner/cli-args';
import { LedgerFold, parseLedgerLine, parseRunLine } from './ledger';
import { formatVerification, verify } from './verify';

/**
 * Verifies a finished run from its ledger (the runner's ledger.ndjson, or a k6 console output
 * written with `--console-output`):
 *   node -r @swc-node/register load-tests/verify/main.ts --ledger ledger.ndjson --slug lt-… \
 *     [--database-url …] [--query-url …] [--moderator-token …] [--recount --topic-prefix … --kafka-brokers …]
 * Prints `lost=… double_counted=…` and exits 1 on any difference.
 */
const main = async (): Promise<number> => {
  const args = new CliArgs(process.argv.slice(2));
  const ledgerPath = args.value('ledger');
  if (ledgerPath === undefined) {
    process.stderr.write('usage: verify/main.ts --ledger <file> [--slug <consultation>] [--database-url] [--query-url] [--recount]\n');
    return 2;
  }
  const ledger = new LedgerFold();
  let ignored = 0;
  let announced: string | undefined;
  for await (const line of createInterface({ input: createReadStream(ledgerPath), crlfDelay: Infinity })) {
    const entry = parseLedgerLine(line);
    if (entry !== undefined) ledger.add(entry);
    else if (line.includes('LEDGER')) ignored += 1;
    else announced ??= parseRunLine(line);
  }
  const slug = args.value('slug') ?? announced;
  if (slug === undefined) {
    process.stderr.write('verify: no --slug and no RUN line in the ledger\n');
    return 2;
  }
  if (ignored > 0) process.stdout.write(`verify: ${ignored} unreadable ledger lines ignored\n`);
  const verification = await verify({
    slug,
    ledger,
    databaseUrl: args.flag('no-database') ? undefined : (args.value('database-url') ?? process.env.DATABASE_URL ?? 'postgres://consultation:consultation@127.0.0.1:5432/consultation'),
    queryUrl: args.flag('no-query') ? undefined : (args.value('query-url') ?? process.env.QUERY_URL ?? 'http://127.0.0.1:3001'),
    redis: redisProjection(args),
    moderatorToken: args.value('moderator-token') ?? process.env.MODERATOR_TOKEN ?? firstModeratorToken(process.env.MODERATOR_TOKENS) ?? 'local-moderator-token',
    log: args.flag('recount')
      ? { brokers: (args.value('kafka-brokers') ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), topicPrefix: args.value('topic-prefix') ?? process.env.TOPIC_PREFIX ?? '' }
      : undefined,
    settleSeconds: args.number('settle', 30),
  });
  formatVerification(verification).forEach((line) => process.stdout.write(`${line}\n`));
  return verification.ok ? 0 : 1;
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`verify: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
