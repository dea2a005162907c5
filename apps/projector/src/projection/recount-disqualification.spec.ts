import { recount } from './recount';
import { EventLog, idFrom } from './testing/event-scenario';

describe('recount (the oracle) with disqualifications', () => {
  const proposal = idFrom('rq', 'proposal');
  const honest = idFrom('rq', 'honest');
  const bot = idFrom('rq', 'bot');

  it('leaves out the current votes and the participation of a participant whose last standing event is a disqualification', () => {
    const log = new EventLog();
    log.cast(honest, proposal, 'cgt', 'rural', 'agree', ['doable']);
    log.cast(bot, proposal, 'cgt', 'large', 'agree', ['likeIt']);
    log.standing(bot, 'disqualify');
    log.cast(bot, proposal, 'cgt', 'large', 'disagree', ['noWay']);
    expect(recount(log.records)).toMatchObject({
      tallies: { [proposal]: { rural: { total: 1, agree: 1, doable: 1 } } },
      counters: { cgt: { rural: { participants: 1, votes: 1 } } },
    });
    expect(recount(log.records).counters.cgt.large).toBeUndefined();
  });

  it('counts the participant’s current vote again once requalified, whatever happened meanwhile', () => {
    const log = new EventLog();
    log.cast(bot, proposal, 'cgt', 'large', 'agree', ['likeIt']);
    log.standing(bot, 'disqualify');
    log.cast(bot, proposal, 'cgt', 'large', 'disagree', ['noWay']);
    log.standing(bot, 'disqualify');
    log.standing(bot, 'requalify');
    expect(recount(log.records).tallies).toEqual({ [proposal]: { large: { total: 1, disagree: 1, noWay: 1 } } });
    expect(recount(log.records).counters).toEqual({ cgt: { large: { participants: 1, votes: 1 } } });
  });

  it('keeps the proposals of a disqualified author in the proposal counters', () => {
    const log = new EventLog();
    log.submit(proposal, 'cgt', bot, 'large');
    log.moderate(proposal, 'cgt', 'accept');
    log.standing(bot, 'disqualify');
    expect(recount(log.records).counters).toEqual({ cgt: { large: { proposalsSubmitted: 1, proposalsAccepted: 1 } } });
  });
});
