/** A dependency `/health/ready` waits on. `check` rejects when the dependency does not answer. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, { status: 'up' | 'down'; detail?: string }>;
}

const withTimeout = (promise: Promise<void>, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });

/** Runs every check concurrently, each bounded by `timeoutMs`. */
export const checkReadiness = async (checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> => {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        await withTimeout(c.check(), timeoutMs);
        return [c.name, { status: 'up' as const }] as const;
      } catch (error) {
        return [c.name, { status: 'down' as const, detail: (error as Error).message }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.status === 'up'), checks: Object.fromEntries(results) };
};
