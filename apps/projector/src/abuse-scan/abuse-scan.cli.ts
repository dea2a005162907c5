/**
 * Abuse detection (docs/abuse.md): flags suspicious participants for moderators.
 *
 *   npm run abuse:scan                      one pass, prints the report (JSON) and exits
 *   ABUSE_SCAN_EVERY_SECONDS=300 npm run abuse:scan   a pass every 5 minutes until SIGTERM/SIGINT
 *
 * Environment: DATABASE_URL, READMODEL_SCHEMA, LOG_LEVEL and the ABUSE_* thresholds
 * (abuse-scan.config.ts). Reads the read models, writes abuse.flags only.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/config';
import { createPool } from '@app/postgres';
import { AbuseScanConfig, detectionSettingsOf } from './abuse-scan.config';
import { scanForAbuse } from './abuse-scan';

const main = async (): Promise<void> => {
  const config = loadConfig(AbuseScanConfig);
  const pool = createPool(config.DATABASE_URL, 2, 'abuse-scan');
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopping = true;
    wake?.();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    do {
      const report = await scanForAbuse(pool, config.READMODEL_SCHEMA, detectionSettingsOf(config));
      process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...report })}\n`);
      if (config.ABUSE_SCAN_EVERY_SECONDS === 0) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, config.ABUSE_SCAN_EVERY_SECONDS * 1000);
      });
    } while (!stopping);
  } finally {
    await pool.end();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`abuse-scan: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
