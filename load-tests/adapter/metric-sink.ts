/**
 * Where the adapter sends what k6 would record: metric samples (k6's built-in metrics and the
 * scripts' custom ones) and console lines. The runner aggregates them; the adapter test keeps them.
 */
export type MetricKind = 'counter' | 'rate' | 'trend' | 'gauge';

export type Tags = Readonly<Record<string, string>>;

export interface MetricSink {
  add(metric: string, kind: MetricKind, value: number, tags: Tags): void;
}

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

export type ConsoleListener = (level: ConsoleLevel, line: string) => void;
