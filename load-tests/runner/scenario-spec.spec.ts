import { arrivalsBy, parseDuration, parseScenarios, scenarioSeconds } from './scenario-spec';

describe('scenario options', () => {
  it('reads k6 durations', () => {
    expect(parseDuration('1m30s', 'x')).toBe(90);
    expect(parseDuration('500ms', 'x')).toBe(0.5);
    expect(() => parseDuration('soon', 'x')).toThrow(/not a k6 duration/);
  });

  it('starts as many arrivals as the area under a ramping rate', () => {
    const [spec] = parseScenarios({
      scenarios: { votes: { executor: 'ramping-arrival-rate', exec: 'vote', preAllocatedVUs: 1, stages: [{ target: 100, duration: '10s' }, { target: 100, duration: '5s' }, { target: 0, duration: '10s' }] } },
    });
    expect(scenarioSeconds(spec)).toBe(25);
    expect(arrivalsBy(spec, 10)).toBeCloseTo(500);
    expect(arrivalsBy(spec, 15)).toBeCloseTo(1000);
    expect(arrivalsBy(spec, 25)).toBeCloseTo(1500);
    expect(arrivalsBy(spec, 99)).toBeCloseTo(1500);
  });

  it('counts a constant rate per time unit', () => {
    const [spec] = parseScenarios({ scenarios: { r: { executor: 'constant-arrival-rate', rate: 30, timeUnit: '1m', duration: '2m', preAllocatedVUs: 1 } } });
    expect(arrivalsBy(spec, 60)).toBeCloseTo(30);
    expect(arrivalsBy(spec, 600)).toBeCloseTo(60);
  });

  it('refuses an executor it does not implement, by name', () => {
    expect(() => parseScenarios({ scenarios: { x: { executor: 'ramping-vus', stages: [] } } })).toThrow(/ramping-vus is not supported/);
  });
});
