import { VoteEvent } from '@app/events';
import { EventLog, idFrom } from './testing/event-scenario';
import { PairVote, RECENT_EVENT_IDS, foldVote } from './vote-fold';

const run = (events: readonly VoteEvent[], from?: PairVote): PairVote | undefined => events.reduce(foldVote, from);

describe('foldVote', () => {
  const voter = idFrom('voter');
  const proposal = idFrom('proposal');

  it('replaces the value and qualifications, keeps the time of the last real change', () => {
    const log = new EventLog();
    const a = log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt']);
    const b = log.cast(voter, proposal, 'cgt', 'rural', 'neutral', ['noOpinion']);
    const c = log.cast(voter, proposal, 'cgt', 'rural', 'neutral', ['noOpinion']);
    expect(run([a, b, c])).toMatchObject({ value: 'neutral', qualifications: ['noOpinion'], updatedAt: b.occurredAt });
  });

  it('returns the very same state for a retry of an applied event', () => {
    const log = new EventLog();
    const a = log.cast(voter, proposal, 'cgt', 'rural', 'agree', []);
    const state = run([a, log.retract(voter, proposal, 'cgt', 'rural')]);
    expect(foldVote(state, a)).toBe(state);
  });

  it('remembers a retraction of nothing, so its retry cannot remove a later vote', () => {
    const log = new EventLog();
    const retract = log.retract(voter, proposal, 'cgt', 'large');
    const cast = log.cast(voter, proposal, 'cgt', 'large', 'disagree', []);
    expect(run([retract, cast, retract])).toMatchObject({ value: 'disagree' });
  });

  it(`remembers the last ${RECENT_EVENT_IDS} event ids of a pair`, () => {
    const log = new EventLog();
    const events = Array.from({ length: RECENT_EVENT_IDS + 3 }, (_, i) => log.cast(voter, proposal, 'cgt', 'rural', i % 2 ? 'agree' : 'neutral', []));
    const state = run(events);
    expect(state?.recentEventIds).toEqual(events.slice(-RECENT_EVENT_IDS).map((e) => e.eventId));
  });
});
