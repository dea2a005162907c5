// @ts-check
import { numberFromEnv } from './config.js';
import { fixtures } from './fixtures.js';

/**
 * How much load, at which rates: the fixture manifest's figures for its scale (see
 * load-tests/data/scale.ts), each overridable from the environment.
 *
 * @typedef {{ votes: number, participants: number, proposals: number, registrationRate: number,
 *   proposalRate: number, votePeakRate: number, voteChangeRate: number, readRate: number,
 *   latencyBudgetSeconds: number }} Plan
 */

/** @type {Plan | undefined} */
let cached;

/** @returns {Plan} */
export const plan = () => {
  if (cached !== undefined) return cached;
  const { manifest } = fixtures();
  cached = {
    votes: numberFromEnv('VOTES', manifest.votes),
    participants: manifest.participants,
    proposals: manifest.proposals,
    registrationRate: numberFromEnv('REGISTRATION_RATE', manifest.rates.registrationsPerSecond),
    proposalRate: numberFromEnv('PROPOSAL_RATE', manifest.rates.proposalsPerSecond),
    votePeakRate: numberFromEnv('VOTE_PEAK_RATE', manifest.rates.votePeakPerSecond),
    voteChangeRate: numberFromEnv('VOTE_CHANGE_RATE', manifest.rates.voteChangesPerSecond),
    readRate: numberFromEnv('READ_RATE', manifest.rates.readsPerSecond),
    /** VUs per unit of rate: how long an iteration may take before more VUs are needed. */
    latencyBudgetSeconds: numberFromEnv('VU_LATENCY_BUDGET', 0.25),
  };
  return cached;
};
