/**
 * What the ingest gives up first when the write path or the projector falls behind (pure: no
 * timers, no I/O; the clock comes in as an argument). docs/operations.md, "Load shedding".
 *
 * During a TV peak the votes are the consultation: they are never shed by priority, only by the
 * admission controller when write requests themselves queue up (admission-controller.ts). Before that:
 * - proposal submissions (level 1): the proposal window lasts weeks, a submission only feeds the
 *   moderation queue, and its author can send it again after Retry-After;
 * - registrations (level 2): each costs a Postgres write (personal-data key) on the database the
 *   projector is also writing to, and 2–3 times a vote's CPU; a newcomer retries after Retry-After.
 * Moderation, scheduling and everything else are rare operator actions: admission only.
 * Idempotency bookkeeping is kept at every level: under pressure clients retry, and replaying the
 * first answer is what keeps those retries from appending again.
 */

/** Requests the ingest refuses by priority before it refuses votes. */
export type DeferrableWork = 'proposal' | 'registration';

export type SheddingLevel = 0 | 1 | 2;

/** Why the level rose: the signal with the highest ratio to its bound. */
export type PressureCause = 'broker-slow' | 'writes-backlog' | 'projector-lag';

/** Level at which each deferrable kind of work is refused. */
export const SHED_AT_LEVEL: Readonly<Record<DeferrableWork, SheddingLevel>> = { proposal: 1, registration: 2 };

export const LEVEL_NAMES: Readonly<Record<SheddingLevel, string>> = {
  0: 'normal',
  1: 'shedding proposal submissions',
  2: 'shedding proposal submissions and registrations',
};

/** Route templates (method + Fastify route url) of deferrable work; any other route is not shed by priority. */
const DEFERRABLE_ROUTES: ReadonlyMap<string, DeferrableWork> = new Map([
  ['POST /v1/consultations/:slug/proposals', 'proposal'],
  ['POST /v1/participants', 'registration'],
]);

export const deferrableWorkOf = (method: string, routeUrl: string | undefined): DeferrableWork | undefined =>
  routeUrl === undefined ? undefined : DEFERRABLE_ROUTES.get(`${method} ${routeUrl}`);

/** Level 1 from half of any bound, level 2 from the bound itself. */
export const LEVEL_1_RATIO = 0.5;
export const LEVEL_2_RATIO = 1;

export interface PressureSignals {
  /** How long appends wait for the broker now: the oldest unanswered append, or the fastest answer of the last sample if longer. */
  readonly appendDelayMs: number;
  /** Write requests admitted and not yet answered, plus those waiting for admission. */
  readonly writesPending: number;
  /** Events the projector's consumer group has not committed yet; undefined when unknown (never a reason to shed). */
  readonly projectorLagEvents: number | undefined;
}

export interface PressureBounds {
  readonly appendDelayMs: number;
  readonly writesPending: number;
  /** 0: the projector's lag is not a signal. */
  readonly projectorLagEvents: number;
}

export interface Pressure {
  /** Highest signal / bound ratio. */
  readonly ratio: number;
  readonly cause: PressureCause | undefined;
}

export const pressureOf = (signals: PressureSignals, bounds: PressureBounds): Pressure => {
  const ratios: [PressureCause, number][] = [
    ['broker-slow', signals.appendDelayMs / bounds.appendDelayMs],
    ['writes-backlog', signals.writesPending / bounds.writesPending],
  ];
  if (bounds.projectorLagEvents > 0 && signals.projectorLagEvents !== undefined) {
    ratios.push(['projector-lag', signals.projectorLagEvents / bounds.projectorLagEvents]);
  }
  let worst: [PressureCause, number] = ratios[0];
  for (const entry of ratios) if (entry[1] > worst[1]) worst = entry;
  return { ratio: worst[1], cause: worst[1] >= LEVEL_1_RATIO ? worst[0] : undefined };
};

export const levelFor = (ratio: number): SheddingLevel => (ratio >= LEVEL_2_RATIO ? 2 : ratio >= LEVEL_1_RATIO ? 1 : 0);

/**
 * The current level with hysteresis: it rises at once when pressure reaches a higher level, and
 * falls one level at a time, each after `cooldownMs` spent below the current level, so that a
 * level does not flap on every sample at the edge of a bound.
 */
export class SheddingState {
  private current: SheddingLevel = 0;
  private currentCause: PressureCause | undefined;
  private calmSince: number | undefined;

  constructor(private readonly cooldownMs: number) {}

  get level(): SheddingLevel {
    return this.current;
  }

  get cause(): PressureCause | undefined {
    return this.current === 0 ? undefined : this.currentCause;
  }

  /** True when `work` is refused at the current level. */
  sheds(work: DeferrableWork): boolean {
    return this.current >= SHED_AT_LEVEL[work];
  }

  update(pressure: Pressure, now: number): void {
    const target = levelFor(pressure.ratio);
    if (target >= this.current) {
      if (target > this.current || pressure.cause !== undefined) this.currentCause = pressure.cause;
      this.current = target;
      this.calmSince = undefined;
      return;
    }
    if (this.calmSince === undefined) {
      this.calmSince = now;
      return;
    }
    if (now - this.calmSince >= this.cooldownMs) {
      this.current = (this.current - 1) as SheddingLevel;
      this.calmSince = target < this.current ? now : undefined;
    }
  }
}
