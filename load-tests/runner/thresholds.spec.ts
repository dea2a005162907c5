import { MetricsStore } from './metrics-store';
import { evaluateThresholds, parseSelector } from './thresholds';

describe('thresholds', () => {
  it('selects a metric by tags like k6', () => {
    expect(parseSelector('http_req_duration{name:vote, scenario:votes}')).toEqual({
      metric: 'http_req_duration',
      filter: { name: 'vote', scenario: 'votes' },
    });
  });

  it('passes and fails on percentiles, rates and counts of the selected series only', () => {
    const store = new MetricsStore(() => 0);
    for (let i = 1; i <= 100; i++) store.add('http_req_duration', 'trend', i, { name: 'vote' });
    store.add('http_req_duration', 'trend', 10_000, { name: 'results' });
    store.add('http_req_failed', 'rate', 1, { scenario: 'votes' });
    for (let i = 0; i < 999; i++) store.add('http_req_failed', 'rate', 0, { scenario: 'votes' });
    store.add('dropped_iterations', 'counter', 2, { scenario: 'votes' });
    const results = evaluateThresholds(
      {
        'http_req_duration{name:vote}': ['p(99)<100', 'p(95)<50'],
        'http_req_failed{scenario:votes}': ['rate<0.01', 'rate<0.0005'],
        dropped_iterations: ['count==0'],
      },
      store,
      10,
    );
    expect(results.map((r) => [r.metric, r.expression, r.passed])).toEqual([
      ['http_req_duration{name:vote}', 'p(99)<100', true],
      ['http_req_duration{name:vote}', 'p(95)<50', false],
      ['http_req_failed{scenario:votes}', 'rate<0.01', true],
      ['http_req_failed{scenario:votes}', 'rate<0.0005', false],
      ['dropped_iterations', 'count==0', false],
    ]);
  });
});
