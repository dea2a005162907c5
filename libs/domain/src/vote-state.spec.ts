import { TIERS, Tier } from '@app/events/tier';
import { VoteCast, VoteRetracted } from '@app/events/vote-events';
import { QUALIFICATIONS_BY_VALUE, VOTE_VALUES } from '@app/events/vote-values';
import { cast, retracted } from './spec-fixtures';
import { applyTallyChanges, emptyTally, Tally } from './tally';
import { applyVoteEvent, REMEMBERED_EVENT_IDS, VoteState } from './vote-state';

const after = (...events: (VoteCast | VoteRetracted)[]): VoteState | null =>
  events.reduce<VoteState | null>((state, event) => applyVoteEvent(state, event).next, null);

describe('applyVoteEvent', () => {
  it('given no vote, when a vote is cast, then its value and qualifications count +1 in the voter’s tier', () => {
    const { next, delta } = applyVoteEvent(null, cast('e-1', 'agree', ['likeIt'], 'medium'));
    expect(delta).toEqual([
      { tier: 'medium', counter: 'agree', by: 1 },
      { tier: 'medium', counter: 'likeIt', by: 1 },
    ]);
    expect(next).toEqual({ vote: { value: 'agree', qualifications: ['likeIt'], voterTier: 'medium' }, eventIds: ['e-1'] });
  });

  it('given a vote, when the same vote is cast again (another event), then nothing counts', () => {
    const step = applyVoteEvent(after(cast('e-1', 'agree', ['likeIt', 'doable'])), cast('e-2', 'agree', ['doable', 'likeIt']));
    expect(step.delta).toBeNull();
    expect(step.next.eventIds).toEqual(['e-1', 'e-2']);
  });

  it('given a vote, when another value is cast, then the vote moves: old value and qualifications −1, new ones +1', () => {
    const { delta, next } = applyVoteEvent(after(cast('e-1', 'agree', ['likeIt'])), cast('e-2', 'disagree', ['noWay']));
    expect(delta).toEqual([
      { tier: 'rural', counter: 'agree', by: -1 },
      { tier: 'rural', counter: 'likeIt', by: -1 },
      { tier: 'rural', counter: 'disagree', by: 1 },
      { tier: 'rural', counter: 'noWay', by: 1 },
    ]);
    expect(next.vote?.value).toBe('disagree');
  });

  it('given a vote, when only its qualifications change, then only they move (value changes net out)', () => {
    const { delta } = applyVoteEvent(after(cast('e-1', 'agree', ['likeIt'])), cast('e-2', 'agree', ['doable']));
    expect(delta).toEqual([
      { tier: 'rural', counter: 'likeIt', by: -1 },
      { tier: 'rural', counter: 'doable', by: 1 },
    ]);
  });

  it('given a vote, when it is retracted, then its value and qualifications count −1 and no vote remains', () => {
    const { delta, next } = applyVoteEvent(after(cast('e-1', 'neutral', ['noOpinion'])), retracted('e-2'));
    expect(delta).toEqual([
      { tier: 'rural', counter: 'neutral', by: -1 },
      { tier: 'rural', counter: 'noOpinion', by: -1 },
    ]);
    expect(next).toEqual({ vote: null, eventIds: ['e-1', 'e-2'] });
  });

  it('given no vote, when a retraction comes, then nothing counts', () => {
    expect(applyVoteEvent(null, retracted('e-1')).delta).toBeNull();
    expect(applyVoteEvent(after(cast('e-1', 'agree'), retracted('e-2')), retracted('e-3')).delta).toBeNull();
  });

  it('given an event already applied, when it is delivered again, then nothing changes at all (same state object)', () => {
    const state = after(cast('e-1', 'agree'), cast('e-2', 'disagree'));
    const step = applyVoteEvent(state, cast('e-1', 'agree'));
    expect(step.delta).toBeNull();
    expect(step.next).toBe(state);
  });

  it('given a retracted vote, when the earlier cast is re-appended by a retry, then the vote does not come back', () => {
    const state = after(cast('e-1', 'agree'), retracted('e-2'));
    const step = applyVoteEvent(state, cast('e-1', 'agree'));
    expect(step.delta).toBeNull();
    expect(step.next.vote).toBeNull();
  });

  it(`remembers the last ${REMEMBERED_EVENT_IDS} event ids, oldest dropped first`, () => {
    const events = [
      cast('e-0', 'neutral'),
      ...Array.from({ length: REMEMBERED_EVENT_IDS }, (_, i) => cast(`e-${i + 1}`, i % 2 === 0 ? 'agree' : 'disagree')),
    ];
    const state = after(...events);
    expect(state?.eventIds).toEqual(events.slice(1).map((e) => e.eventId));
    expect(applyVoteEvent(state, events[1]).delta).toBeNull();
    expect(applyVoteEvent(state, events[0]).delta).not.toBeNull();
  });

  it('keeps counters equal to a recount of current votes over a long run with moves, retractions and duplicates', () => {
    // A deterministic pseudo-random run over 40 (participant, proposal) pairs.
    let seed = 42;
    const random = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    const states = new Map<number, VoteState | null>();
    const seen = new Map<number, (VoteCast | VoteRetracted)[]>();
    let tally: Tally = emptyTally();
    let minimum = 0;
    for (let i = 0; i < 5000; i++) {
      const pair = random(40);
      const tier: Tier = TIERS[pair % 3];
      const history = seen.get(pair) ?? [];
      let event: VoteCast | VoteRetracted;
      if (history.length > 0 && random(5) === 0) {
        event = history[history.length - 1 - random(Math.min(history.length, 3))];
      } else if (random(4) === 0) {
        event = retracted(`r-${i}`, tier);
      } else {
        const value = VOTE_VALUES[random(3)];
        const allowed = QUALIFICATIONS_BY_VALUE[value];
        event = cast(`c-${i}`, value, allowed.filter(() => random(2) === 0), tier);
      }
      seen.set(pair, [...history, event]);
      const step = applyVoteEvent(states.get(pair) ?? null, event);
      states.set(pair, step.next);
      tally = applyTallyChanges(tally, step.delta ?? []);
      minimum = Math.min(minimum, tally.total, tally.agree, tally.disagree, tally.neutral, ...Object.values(tally.qualifications));
    }
    const recount = [...states.values()].reduce<Tally>((t, state) => {
      const vote = state?.vote;
      if (!vote) return t;
      const changes = [vote.value, ...vote.qualifications].map((counter) => ({ tier: vote.voterTier, counter, by: 1 as const }));
      return applyTallyChanges(t, changes);
    }, emptyTally());
    expect(tally).toEqual(recount);
    expect(minimum).toBe(0);
    expect(recount.total).toBeGreaterThan(0);
  });
});
