import { recount } from './recount';
import { EventLog, idFrom } from './testing/event-scenario';

describe('recount (the oracle)', () => {
  const voter = idFrom('voter');
  const proposal = idFrom('proposal');

  it('counts each pair’s last vote once, by the voter’s tier, with its qualifications', () => {
    const log = new EventLog();
    log.cast(voter, proposal, 'cgt', 'rural', 'agree', ['likeIt']);
    log.cast(voter, proposal, 'cgt', 'rural', 'disagree', ['noWay', 'impossible']);
    log.cast(idFrom('other'), proposal, 'cgt', 'large', 'neutral', []);
    expect(recount(log.records).tallies).toEqual({
      [proposal]: { rural: { total: 1, disagree: 1, noWay: 1, impossible: 1 }, large: { total: 1, neutral: 1 } },
    });
  });

  it('drops an event whose id the pair already saw, and forgets a retracted vote', () => {
    const log = new EventLog();
    const first = log.cast(voter, proposal, 'cgt', 'medium', 'agree', []);
    log.retract(voter, proposal, 'cgt', 'medium');
    log.append(first);
    const result = recount([...log.records, ...log.records]);
    expect(result.tallies).toEqual({});
    expect(result.counters).toEqual({ cgt: { medium: { participants: 1 } } });
  });

  it('keeps an author’s first 100 submissions by time then id, and counts statuses of those only', () => {
    const log = new EventLog();
    const author = idFrom('author');
    for (let i = 0; i < 101; i++) log.submit(idFrom('p', i), 'cgt', author, 'rural', 1_000_000 - i);
    log.moderate(idFrom('p', 0), 'cgt', 'accept'); // the latest submission: over the quota
    log.moderate(idFrom('p', 1), 'cgt', 'refuse');
    const result = recount(log.records);
    expect(result.proposals[idFrom('p', 0)]).toMatchObject({ status: 'accepted', withinQuota: false });
    expect(result.counters).toEqual({ cgt: { rural: { participants: 1, proposalsSubmitted: 100, proposalsRefused: 1 } } });
  });
});
