/**
 * A dependency `/health/ready` waits on. `check` rejects when the dependency does not answer; it
 * may resolve with a detail string to show while up (e.g. the ingest's load-shedding state).
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void | string>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { status: 'up' | 'down'; detail?: string }>;
}

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });

/** Runs every check concurrently, each bounded by `timeoutMs`. */
export const checkReadiness = async (checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> => {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        const detail = await withTimeout(c.check(), timeoutMs);
        return [c.name, typeof detail === 'string' ? { status: 'up' as const, detail } : { status: 'up' as const }] as const;
      } catch (error) {
        return [c.name, { status: 'down' as const, detail: (error as Error).message }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.status === 'up'), checks: Object.fromEntries(results) };
};
