// @ts-check
import { config } from './config.js';

/**
 * The generator's record of vote writes, for load-tests/verify: one `LEDGER\t{json}` console line
 * per write the ingest acknowledged (with its log position) or could not confirm (position null:
 * the outcome is unknown, verification accepts either). Under k6, collect it with
 * `--log-format=raw --console-output=ledger.log`; the Node runner reads the same lines.
 *
 * @typedef {{ participantId: string, proposalId: string, tier: import('./types.js').Tier,
 *   value: import('./types.js').VoteValue | null, qualifications: string[],
 *   topic: string | null, partition: number | null, offset: string | null }} LedgerEntry
 */

export const LEDGER_PREFIX = 'LEDGER\t';
/** The line that names the run's consultation, printed once by setup(): verify/main.ts reads the slug from it. */
export const RUN_PREFIX = 'RUN\t';

/** k6 provides `console`, but @types/k6 does not declare it (and these scripts get no DOM or Node types). */
const { console: out } = /** @type {{ console: { log(line: string): void } }} */ (/** @type {unknown} */ (globalThis));

/** @param {LedgerEntry} entry */
export const recordVoteWrite = (entry) => {
  if (config.ledger) out.log(`${LEDGER_PREFIX}${JSON.stringify(entry)}`);
};

/** @param {import('./types.js').RunData} data */
export const announceRun = (data) => out.log(`${RUN_PREFIX}${JSON.stringify(data)}`);
