export interface ObservabilityOptions {
  readonly app: string;
  readonly readinessTimeoutMs: number;
}

export const OBSERVABILITY_OPTIONS = Symbol('OBSERVABILITY_OPTIONS');
