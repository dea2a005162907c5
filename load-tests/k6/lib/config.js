// @ts-check
/**
 * Everything a run reads from the environment (k6: `-e NAME=value` or the shell environment).
 * Defaults are the local stack of `npm start`; SREs set the URLs and the moderator token of the
 * deployment under test (load-tests/README.md).
 */

/** @param {string} name @param {string} fallback */
const text = (name, fallback) => {
  const value = __ENV[name];
  return value === undefined || value === '' ? fallback : value;
};

/** @param {string} name @param {number} fallback */
export const numberFromEnv = (name, fallback) => {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
};

const trimSlash = (/** @type {string} */ url) => url.replace(/\/+$/, '');

export const config = {
  ingestUrl: trimSlash(text('INGEST_URL', 'http://127.0.0.1:3000')),
  queryUrl: trimSlash(text('QUERY_URL', 'http://127.0.0.1:3001')),
  moderatorToken: text('MODERATOR_TOKEN', 'local-moderator-token'),
  /** Fixture folder; a relative path is resolved from this script's folder (load-tests/k6/). */
  dataDir: text('DATA_DIR', '../.data/small'),
  /** Use an existing consultation instead of creating `lt-<time>`. */
  slug: text('SLUG', ''),
  /** Prefix of every Idempotency-Key of the run (default: the slug). Change it to replay a run. */
  runId: text('RUN_ID', ''),
  /** Comma-separated scenario names to run (default: all). */
  scenarios: text('SCENARIOS', '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== ''),
  /** Print one `LEDGER\t{json}` line per acknowledged vote write, for load-tests/verify. */
  ledger: text('LEDGER', '0') === '1',
  /**
   * What a voteChanges iteration does after its first vote (shares 0..1): send a qualification of
   * another value (422 expected), send the changed vote twice (a no-op downstream), retract it.
   */
  changeMix: {
    mismatch: numberFromEnv('CHANGE_MISMATCH_SHARE', 0.2),
    repeat: numberFromEnv('CHANGE_REPEAT_SHARE', 0.3),
    retract: numberFromEnv('CHANGE_RETRACT_SHARE', 0.4),
  },
  /** Percentage of proposals the moderators refuse. */
  refusePercent: numberFromEnv('REFUSE_PERCENT', 10),
  /** Most accepted proposals a k6 VU lists from the query API to vote on, and how often it relists them. */
  poolMax: numberFromEnv('POOL_MAX', 2000),
  poolRefreshSeconds: numberFromEnv('POOL_REFRESH_SECONDS', 60),
  /** Attempts of a write answered 503 (unknown outcome), each with the same Idempotency-Key. */
  writeAttempts: numberFromEnv('WRITE_ATTEMPTS', 4),
  requestTimeout: text('REQUEST_TIMEOUT', '10s'),
};
