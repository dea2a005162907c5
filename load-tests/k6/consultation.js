// @ts-check
/**
 * The whole consultation under load (DESIGN.md "Load and speed"): registrations, proposals,
 * moderation, a TV-peak of votes, vote changes and retractions, and reads alongside.
 *
 *   k6 run -e DATA_DIR=/abs/path/load-tests/.data/full -e INGEST_URL=… -e QUERY_URL=… \
 *          -e MODERATOR_TOKEN=… load-tests/k6/consultation.js
 *
 * See load-tests/README.md for sizing, thresholds and verification.
 */
import { config } from './lib/config.js';
import { loadFixtures } from './lib/fixtures.js';
import { announceRun } from './lib/ledger.js';
import { buildOptions } from './lib/options.js';

loadFixtures((name) => open(`${config.dataDir}/${name}`));

export const options = buildOptions();

/** @returns {import('./lib/types.js').RunData} */
export function setup() {
  const slug = config.slug !== '' ? config.slug : `lt-${Date.now().toString(36)}`;
  const data = { slug, runId: config.runId !== '' ? config.runId : slug };
  announceRun(data);
  return data;
}

export { schedule } from './scenarios/schedule.js';
export { register } from './scenarios/registration.js';
export { propose } from './scenarios/proposals.js';
export { moderate } from './scenarios/moderation.js';
export { vote } from './scenarios/votes.js';
export { changeVote } from './scenarios/vote-changes.js';
export { read, readMyVotes, readProposal, readResults, readSequence, readStats } from './scenarios/reads.js';
