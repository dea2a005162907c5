// @ts-check
/**
 * Pass/fail criteria of a run (k6 exits 99 when one is crossed; the Node runner too). What each
 * one protects is explained in load-tests/README.md "Thresholds". Latency targets come from
 * issue 6: votes p99 ≤ 100 ms at 5,000/s; stats and proposal detail p99 ≤ 20 ms.
 * Per-scenario thresholds are set only for the scenarios that run (a check rate with no sample
 * would fail).
 */

/** @type {Record<string, Record<string, string[]>>} */
const BY_SCENARIO = {
  registration: {
    'http_req_duration{name:register}': ['p(95)<100', 'p(99)<250'],
    'checks{scenario:registration}': ['rate>0.999'],
  },
  proposals: {
    'http_req_duration{name:propose}': ['p(95)<100', 'p(99)<250'],
    'checks{scenario:proposals}': ['rate>0.999'],
  },
  moderation: {
    'checks{scenario:moderation}': ['rate>0.99'],
  },
  votes: {
    'http_req_duration{name:vote}': ['p(95)<50', 'p(99)<100'],
    'http_req_failed{scenario:votes}': ['rate<0.001'],
    'checks{scenario:votes}': ['rate>0.999'],
    'dropped_iterations{scenario:votes}': ['count==0'],
  },
  voteChanges: {
    'http_req_duration{name:retract}': ['p(95)<50', 'p(99)<100'],
    'checks{scenario:voteChanges}': ['rate>0.999'],
  },
  reads: {
    'http_req_duration{name:stats}': ['p(95)<10', 'p(99)<20'],
    'http_req_duration{name:proposal}': ['p(95)<10', 'p(99)<20'],
    'http_req_duration{name:sequence}': ['p(99)<100'],
    'http_req_duration{name:results}': ['p(99)<250'],
    'checks{scenario:reads}': ['rate>0.99'],
  },
};

/** @param {string[]} scenarios the scenarios that run */
export const thresholdsFor = (scenarios) => {
  /** @type {Record<string, string[]>} */
  const thresholds = {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.999'],
    dropped_iterations: ['count==0'],
    writes_unconfirmed: ['count==0'],
    participants_unavailable: ['count==0'],
  };
  for (const name of scenarios) Object.assign(thresholds, BY_SCENARIO[name] ?? {});
  return thresholds;
};
