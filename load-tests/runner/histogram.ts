/**
 * A log-bucket histogram (HDR-like): values land in buckets whose width grows by 1 % of the
 * value, so every percentile is exact within 1 % whatever the range (0.01 ms … minutes), in a
 * few hundred buckets. Histograms of the same layout merge by adding counts, which is how the
 * runner combines per-second and per-tag series.
 */
const GROWTH = Math.log(1.01);
/** Values ≤ this land in bucket 0 (ms: 10 µs). */
const FLOOR = 0.01;

const bucketOf = (value: number): number => (value <= FLOOR ? 0 : 1 + Math.floor(Math.log(value / FLOOR) / GROWTH));
/** The upper bound of a bucket: reported percentiles never understate. */
const upperOf = (bucket: number): number => (bucket === 0 ? FLOOR : FLOOR * Math.exp(bucket * GROWTH));

export interface HistogramSummary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
}

export class Histogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  record(value: number): void {
    const bucket = bucketOf(value);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  merge(other: Histogram): this {
    for (const [bucket, n] of other.buckets) this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + n);
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** The value at percentile `p` (0–100), within 1 %, clamped to the exact min and max. NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, upperOf(bucket)));
    }
    return this.max;
  }

  summary(): HistogramSummary {
    return {
      count: this.count,
      min: this.count === 0 ? Number.NaN : this.min,
      max: this.count === 0 ? Number.NaN : this.max,
      mean: this.count === 0 ? Number.NaN : this.sum / this.count,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p95: this.percentile(95),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
    };
  }
}
