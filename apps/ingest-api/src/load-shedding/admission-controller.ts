/**
 * Bounds the work in progress (the ingest admits write requests, each appending at most one event)
 * and how long a request may wait for a turn, so that an overload answers 503 at once instead of
 * letting every request's latency grow.
 *
 * - At most `maxInFlight` are admitted and unanswered. Their appends ride one or two group-commit
 *   batches, so the bound also bounds how long they wait for Kafka.
 * - Beyond it, requests wait in FIFO order, at most `maxWaiting` of them (more: `queue-full`).
 * - Controlled delay, as Facebook applies CoDel to server queues ("Fail at scale", ACM Queue
 *   2015): normally a request may wait up to `intervalMs` (a burst is absorbed); once no request
 *   got a turn within `targetMs` for a whole interval (a standing queue, not a burst), requests
 *   wait at most `targetMs` before they are refused (`queue-wait`).
 * A refused request has appended nothing: refusal happens before it runs. With `enforce: false`
 * it only measures (the ingest also uses one to time its appends).
 */
export type AdmissionRefusal = 'queue-full' | 'queue-wait';

export class AdmissionRefused extends Error {
  override readonly name = 'AdmissionRefused';

  constructor(readonly reason: AdmissionRefusal) {
    super(reason === 'queue-full' ? 'too many requests are waiting to append' : 'no append slot freed up in time');
  }
}

export interface AdmissionOptions {
  readonly maxInFlight: number;
  readonly maxWaiting: number;
  readonly targetMs: number;
  readonly intervalMs: number;
  /** false: admit everything at once (measure without shedding); the figures are still kept. */
  readonly enforce: boolean;
  /** Milliseconds, monotonic. Default performance.now. */
  readonly now?: () => number;
}

/** An admitted request; `release()` once it is answered (twice is once). */
export interface Permit {
  release(): void;
}

export interface AdmissionSample {
  readonly inFlight: number;
  readonly waiting: number;
  /** Age of the oldest admitted, unreleased permit (0 when none). */
  readonly oldestInFlightMs: number;
  /** Shortest admitted → released time since the previous sample; undefined when none was released. */
  readonly fastestReleaseMs: number | undefined;
  /** True while waits are cut to `targetMs` (a standing queue). */
  readonly standingQueue: boolean;
}

interface Waiter {
  readonly since: number;
  readonly resolve: (permit: Permit) => void;
  readonly reject: (error: AdmissionRefused) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class AdmissionController {
  /** Permit id → admitted at; a Map keeps insertion order, so the first entry is (nearly) the oldest. */
  private readonly inFlight = new Map<number, number>();
  /** A Set keeps FIFO order and deletes a timed-out waiter in O(1). */
  private readonly waiting = new Set<Waiter>();
  private nextId = 0;
  private fastestRelease: number | undefined;
  /** Last instant a request got its turn within `targetMs` (or found no queue). */
  private lastGoodTurn: number;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionOptions) {
    if (!(options.maxInFlight >= 1 && options.maxWaiting >= 0 && options.targetMs > 0 && options.intervalMs >= options.targetMs)) {
      throw new RangeError('admission: maxInFlight ≥ 1, maxWaiting ≥ 0, 0 < targetMs ≤ intervalMs');
    }
    this.now = options.now ?? (() => performance.now());
    this.lastGoodTurn = this.now();
  }

  /** A permit now, a promise of one after a wait, or a rejection with AdmissionRefused. */
  admit(): Permit | Promise<Permit> {
    const now = this.now();
    if (!this.options.enforce || (this.waiting.size === 0 && this.inFlight.size < this.options.maxInFlight)) {
      this.lastGoodTurn = now;
      return this.grant(now);
    }
    if (this.waiting.size >= this.options.maxWaiting) return Promise.reject(new AdmissionRefused('queue-full'));
    const maxWait = this.standingQueue(now) ? this.options.targetMs : this.options.intervalMs;
    return new Promise<Permit>((resolve, reject) => {
      const waiter: Waiter = { since: now, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        if (this.waiting.delete(waiter)) reject(new AdmissionRefused('queue-wait'));
      }, maxWait);
      this.waiting.add(waiter);
    });
  }

  /** Figures for the shedding level and metrics; resets the fastest release. */
  sample(): AdmissionSample {
    const now = this.now();
    const oldest = this.inFlight.values().next();
    const sample: AdmissionSample = {
      inFlight: this.inFlight.size,
      waiting: this.waiting.size,
      oldestInFlightMs: oldest.done === true ? 0 : now - oldest.value,
      fastestReleaseMs: this.fastestRelease,
      standingQueue: this.standingQueue(now),
    };
    this.fastestRelease = undefined;
    return sample;
  }

  private standingQueue(now: number): boolean {
    return this.waiting.size > 0 && now - this.lastGoodTurn > this.options.intervalMs;
  }

  private grant(now: number): Permit {
    const id = this.nextId++;
    this.inFlight.set(id, now);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const admittedAt = this.inFlight.get(id);
        this.inFlight.delete(id);
        const at = this.now();
        if (admittedAt !== undefined) {
          const took = at - admittedAt;
          if (this.fastestRelease === undefined || took < this.fastestRelease) this.fastestRelease = took;
        }
        this.admitWaiters(at);
      },
    };
  }

  private admitWaiters(now: number): void {
    while (this.waiting.size > 0 && this.inFlight.size < this.options.maxInFlight) {
      const waiter = this.waiting.values().next().value as Waiter;
      this.waiting.delete(waiter);
      clearTimeout(waiter.timer);
      if (now - waiter.since <= this.options.targetMs) this.lastGoodTurn = now;
      waiter.resolve(this.grant(now));
    }
    if (this.waiting.size === 0) this.lastGoodTurn = now;
  }
}
