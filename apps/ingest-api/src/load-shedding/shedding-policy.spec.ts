import { deferrableWorkOf, levelFor, pressureOf, PressureBounds, SheddingState } from './shedding-policy';

const bounds: PressureBounds = { appendDelayMs: 200, writesPending: 100, projectorLagEvents: 10_000 };
const calm = { appendDelayMs: 5, writesPending: 3, projectorLagEvents: 10 };

describe('shedding priorities', () => {
  it('proposal submissions and registrations are deferrable; votes, retractions, moderation and scheduling are not', () => {
    expect(deferrableWorkOf('POST', '/v1/consultations/:slug/proposals')).toBe('proposal');
    expect(deferrableWorkOf('POST', '/v1/participants')).toBe('registration');
    expect(deferrableWorkOf('PUT', '/v1/proposals/:proposalId/vote')).toBeUndefined();
    expect(deferrableWorkOf('DELETE', '/v1/proposals/:proposalId/vote')).toBeUndefined();
    expect(deferrableWorkOf('POST', '/v1/moderation/proposals/:proposalId/accept')).toBeUndefined();
    expect(deferrableWorkOf('POST', '/v1/consultations')).toBeUndefined();
    expect(deferrableWorkOf('GET', '/v1/participants')).toBeUndefined();
    expect(deferrableWorkOf('POST', undefined)).toBeUndefined();
  });

  it('proposals are shed at level 1, registrations from level 2', () => {
    const state = new SheddingState(1000);
    expect([state.sheds('proposal'), state.sheds('registration')]).toEqual([false, false]);
    state.update({ ratio: 0.6, cause: 'broker-slow' }, 0);
    expect([state.level, state.sheds('proposal'), state.sheds('registration')]).toEqual([1, true, false]);
    state.update({ ratio: 1.2, cause: 'broker-slow' }, 10);
    expect([state.level, state.sheds('proposal'), state.sheds('registration')]).toEqual([2, true, true]);
  });
});

describe('pressure', () => {
  it('is the highest ratio of a signal to its bound, named after that signal', () => {
    expect(pressureOf(calm, bounds)).toEqual({ ratio: 0.03, cause: undefined });
    expect(pressureOf({ ...calm, appendDelayMs: 150 }, bounds)).toEqual({ ratio: 0.75, cause: 'broker-slow' });
    expect(pressureOf({ ...calm, writesPending: 120 }, bounds)).toEqual({ ratio: 1.2, cause: 'writes-backlog' });
    expect(pressureOf({ ...calm, projectorLagEvents: 30_000 }, bounds)).toEqual({ ratio: 3, cause: 'projector-lag' });
  });

  it('an unknown projector lag, or a bound of 0, is never a reason to shed', () => {
    expect(pressureOf({ ...calm, projectorLagEvents: undefined }, bounds).cause).toBeUndefined();
    expect(pressureOf({ ...calm, projectorLagEvents: 1e9 }, { ...bounds, projectorLagEvents: 0 }).cause).toBeUndefined();
  });

  it('level 1 from half a bound, level 2 from the bound', () => {
    expect([0, 0.49, 0.5, 0.99, 1, 7].map(levelFor)).toEqual([0, 0, 1, 1, 2, 2]);
  });
});

describe('SheddingState hysteresis', () => {
  it('rises at once, falls one level per cooldown spent below it', () => {
    const state = new SheddingState(1000);
    state.update({ ratio: 2, cause: 'writes-backlog' }, 0);
    expect([state.level, state.cause]).toEqual([2, 'writes-backlog']);
    state.update({ ratio: 0, cause: undefined }, 100);
    state.update({ ratio: 0, cause: undefined }, 1050);
    expect(state.level).toBe(2);
    state.update({ ratio: 0, cause: undefined }, 1100);
    expect(state.level).toBe(1);
    state.update({ ratio: 0, cause: undefined }, 2050);
    expect(state.level).toBe(1);
    state.update({ ratio: 0, cause: undefined }, 2100);
    expect([state.level, state.cause]).toEqual([0, undefined]);
  });

  it('a sample back at the level restarts the cooldown', () => {
    const state = new SheddingState(1000);
    state.update({ ratio: 0.7, cause: 'broker-slow' }, 0);
    state.update({ ratio: 0.1, cause: undefined }, 100);
    state.update({ ratio: 0.6, cause: 'broker-slow' }, 900);
    state.update({ ratio: 0.1, cause: undefined }, 1000);
    state.update({ ratio: 0.1, cause: undefined }, 1500);
    expect(state.level).toBe(1);
    state.update({ ratio: 0.1, cause: undefined }, 2000);
    expect(state.level).toBe(0);
  });

  it('keeps the cause of the rise while the level holds, and takes the new one when another signal keeps it there', () => {
    const state = new SheddingState(1000);
    state.update({ ratio: 1.5, cause: 'projector-lag' }, 0);
    state.update({ ratio: 1.1, cause: 'broker-slow' }, 100);
    expect([state.level, state.cause]).toEqual([2, 'broker-slow']);
  });
});
