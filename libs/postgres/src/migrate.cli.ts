import { loadConfig, CommonConfig } from '@app/config';
import { migrate } from './migrate';

/** `npm run migrate`: brings DATABASE_URL's schema up to date. */
const main = async (): Promise<void> => {
  const { DATABASE_URL } = loadConfig(MigrateConfig);
  const report = await migrate(DATABASE_URL);
  process.stdout.write(
    `migrations: ${report.applied.length} applied (${report.applied.join(', ') || 'none'}), ${report.alreadyApplied} already there\n`,
  );
};

class MigrateConfig extends CommonConfig {
  override TOKEN_SECRET = 'not-used-by-migrations-but-validated-000';
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
