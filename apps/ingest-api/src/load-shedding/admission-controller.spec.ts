import { AdmissionController, AdmissionOptions, AdmissionRefused, Permit } from './admission-controller';

const options: AdmissionOptions = { maxInFlight: 2, maxWaiting: 3, targetMs: 10, intervalMs: 100, enforce: true, now: () => Date.now() };

/** What a pending admission turned into, without awaiting it. */
const watch = (admission: Permit | Promise<Permit>): { outcome: () => Permit | AdmissionRefused | 'waiting' } => {
  let outcome: Permit | AdmissionRefused | 'waiting' = 'waiting';
  Promise.resolve(admission).then(
    (permit) => (outcome = permit),
    (error: AdmissionRefused) => (outcome = error),
  );
  return { outcome: () => outcome };
};

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('AdmissionController', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('admits at once up to maxInFlight, then queues, then refuses queue-full without waiting', async () => {
    const admission = new AdmissionController(options);
    const first = admission.admit();
    const second = admission.admit();
    expect(first).not.toBeInstanceOf(Promise);
    expect(second).not.toBeInstanceOf(Promise);
    const queued = [watch(admission.admit()), watch(admission.admit()), watch(admission.admit())];
    const refused = watch(admission.admit());
    await settle();
    expect(queued.map((q) => q.outcome())).toEqual(['waiting', 'waiting', 'waiting']);
    expect(refused.outcome()).toEqual(new AdmissionRefused('queue-full'));
    expect((refused.outcome() as AdmissionRefused).reason).toBe('queue-full');
  });

  it('a released permit gives its slot to the oldest waiter, in arrival order', async () => {
    const admission = new AdmissionController(options);
    const held = [admission.admit() as Permit, admission.admit() as Permit];
    const a = watch(admission.admit());
    const b = watch(admission.admit());
    held[0].release();
    held[0].release(); // twice is once
    await settle();
    expect(a.outcome()).toHaveProperty('release');
    expect(b.outcome()).toBe('waiting');
    expect(admission.sample()).toMatchObject({ inFlight: 2, waiting: 1 });
  });

  it('a burst may wait up to the interval; past it the request is refused queue-wait', async () => {
    const admission = new AdmissionController(options);
    const held = [admission.admit() as Permit, admission.admit() as Permit];
    const waiter = watch(admission.admit());
    jest.advanceTimersByTime(60);
    await settle();
    expect(waiter.outcome()).toBe('waiting');
    held[0].release();
    await settle();
    expect(waiter.outcome()).toHaveProperty('release');
    const late = watch(admission.admit());
    jest.advanceTimersByTime(101);
    await settle();
    expect((late.outcome() as AdmissionRefused).reason).toBe('queue-wait');
  });

  it('once nobody got a turn within the target for a whole interval (standing queue), waits are cut to the target', async () => {
    const admission = new AdmissionController(options);
    const held = [admission.admit() as Permit, admission.admit() as Permit];
    const first = watch(admission.admit());
    jest.advanceTimersByTime(101);
    await settle();
    expect((first.outcome() as AdmissionRefused).reason).toBe('queue-wait');
    const keepQueued = watch(admission.admit());
    jest.advanceTimersByTime(50);
    expect(admission.sample().standingQueue).toBe(true);
    const cut = watch(admission.admit());
    jest.advanceTimersByTime(11);
    await settle();
    expect((cut.outcome() as AdmissionRefused).reason).toBe('queue-wait');
    // Slots free up and a waiter gets its turn within the target: the queue no longer stands.
    held.forEach((permit) => permit.release());
    await settle();
    expect(keepQueued.outcome()).toHaveProperty('release');
    const fresh = watch(admission.admit());
    await settle();
    expect(fresh.outcome()).toHaveProperty('release');
    expect(admission.sample().standingQueue).toBe(false);
  });

  it('samples the oldest unanswered append and the fastest answer since the previous sample', () => {
    const admission = new AdmissionController(options);
    const slow = admission.admit() as Permit;
    jest.advanceTimersByTime(30);
    const fast = admission.admit() as Permit;
    jest.advanceTimersByTime(5);
    fast.release();
    expect(admission.sample()).toEqual({ inFlight: 1, waiting: 0, oldestInFlightMs: 35, fastestReleaseMs: 5, standingQueue: false });
    jest.advanceTimersByTime(15);
    expect(admission.sample()).toEqual({ inFlight: 1, waiting: 0, oldestInFlightMs: 50, fastestReleaseMs: undefined, standingQueue: false });
    slow.release();
    expect(admission.sample()).toMatchObject({ inFlight: 0, oldestInFlightMs: 0, fastestReleaseMs: 50 });
  });

  it('not enforcing: admits everything at once and still counts', () => {
    const admission = new AdmissionController({ ...options, enforce: false });
    const permits = Array.from({ length: 10 }, () => admission.admit());
    expect(permits.every((p) => !(p instanceof Promise))).toBe(true);
    expect(admission.sample().inFlight).toBe(10);
  });
});
