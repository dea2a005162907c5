// @ts-check
import { config } from './config.js';
import { plan } from './plan.js';
import { thresholdsFor } from './thresholds.js';
import { tvPeakStages } from './tv-peak.js';

/**
 * The run's timeline, every scenario open-model (arrival rates) except the moderator, who works
 * through the queue in a loop:
 *
 *   schedule      t=0, one iteration: the consultation
 *   registration  from t=0 at REGISTRATION_RATE until every fixture is sent
 *   proposals     from half-way through registration, at PROPOSAL_RATE
 *   moderation    alongside proposals, plus a tail to empty the queue
 *   votes         once registration and moderation are done: TV-peak ramp to VOTE_PEAK_RATE
 *   voteChanges   alongside votes, at VOTE_CHANGE_RATE
 *   reads         alongside votes, at READ_RATE
 *
 * SCENARIOS=votes,reads (say) keeps some of them and starts the first one at t=0.
 */
const MODERATION_TAIL_SECONDS = 8;

/** @param {number} rate iterations/s @param {number} budget seconds an iteration may take */
const vusFor = (rate, budget) => ({ preAllocatedVUs: Math.max(2, Math.ceil(rate * 0.02)), maxVUs: Math.max(10, Math.ceil(rate * budget)) });

/** @returns {Record<string, import('k6/options').Scenario & { startTime: string }>} */
const timeline = () => {
  const p = plan();
  const budget = p.latencyBudgetSeconds;
  const registrationSeconds = Math.ceil(p.participants / p.registrationRate) + 1;
  const proposalsStart = 2 + Math.ceil(registrationSeconds / 2);
  const proposalSeconds = Math.ceil(p.proposals / p.proposalRate) + 1;
  const votesStart = Math.max(registrationSeconds, proposalsStart + proposalSeconds + MODERATION_TAIL_SECONDS) + 2;
  const peak = tvPeakStages(p.votes, p.votePeakRate);
  return {
    schedule: { executor: 'shared-iterations', exec: 'schedule', vus: 1, iterations: 1, maxDuration: '30s', startTime: '0s' },
    registration: {
      executor: 'constant-arrival-rate',
      exec: 'register',
      rate: p.registrationRate,
      timeUnit: '1s',
      duration: `${registrationSeconds}s`,
      ...vusFor(p.registrationRate, budget),
      startTime: '0s',
    },
    proposals: {
      executor: 'constant-arrival-rate',
      exec: 'propose',
      rate: p.proposalRate,
      timeUnit: '1s',
      duration: `${proposalSeconds}s`,
      ...vusFor(p.proposalRate, budget * 2),
      startTime: `${proposalsStart}s`,
    },
    moderation: {
      executor: 'constant-vus',
      exec: 'moderate',
      vus: 1,
      duration: `${proposalSeconds + MODERATION_TAIL_SECONDS}s`,
      startTime: `${proposalsStart}s`,
    },
    votes: {
      executor: 'ramping-arrival-rate',
      exec: 'vote',
      startRate: 0,
      timeUnit: '1s',
      stages: peak.stages,
      ...vusFor(p.votePeakRate, budget),
      startTime: `${votesStart}s`,
    },
    voteChanges: {
      executor: 'constant-arrival-rate',
      exec: 'changeVote',
      rate: p.voteChangeRate,
      timeUnit: '1s',
      duration: `${peak.seconds}s`,
      ...vusFor(p.voteChangeRate, budget * 5),
      startTime: `${votesStart}s`,
    },
    reads: {
      executor: 'constant-arrival-rate',
      exec: 'read',
      rate: p.readRate,
      timeUnit: '1s',
      duration: `${peak.seconds}s`,
      ...vusFor(p.readRate, budget),
      startTime: `${votesStart}s`,
    },
  };
};

/** The k6 `options` of the run, restricted to SCENARIOS when set. */
export const buildOptions = () => {
  const all = timeline();
  const names = config.scenarios.length === 0 ? Object.keys(all) : config.scenarios;
  const unknown = names.filter((name) => !(name in all));
  if (unknown.length > 0) throw new Error(`SCENARIOS: unknown ${unknown.join(', ')} (known: ${Object.keys(all).join(', ')})`);
  const shift = Math.min(...names.map((name) => Number.parseInt(all[name].startTime, 10)));
  /** @type {Record<string, import('k6/options').Scenario>} */
  const scenarios = {};
  for (const name of names) scenarios[name] = { ...all[name], startTime: `${Number.parseInt(all[name].startTime, 10) - shift}s` };
  return {
    scenarios,
    thresholds: thresholdsFor(names),
    summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
  };
};
