import { Histogram } from './histogram';

describe('Histogram', () => {
  it('reports percentiles within 1 % of the exact ones over a wide range', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 0.05 * 1.001 ** i);
    const histogram = new Histogram();
    values.forEach((v) => histogram.record(v));
    for (const p of [50, 90, 95, 99, 99.9]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1];
      expect(Math.abs(histogram.percentile(p) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
    expect(histogram.summary()).toMatchObject({ count: 10_000, min: values[0], max: values[values.length - 1] });
  });

  it('merges into the same figures as recording everything in one', () => {
    const [a, b, all] = [new Histogram(), new Histogram(), new Histogram()];
    for (let i = 1; i <= 1000; i++) {
      (i % 3 === 0 ? a : b).record(i);
      all.record(i);
    }
    expect(a.merge(b).summary()).toEqual(all.summary());
  });

  it('is NaN, not zero, when empty', () => {
    expect(new Histogram().percentile(99)).toBeNaN();
  });
});
