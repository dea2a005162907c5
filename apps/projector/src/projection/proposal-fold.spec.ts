import { ProposalFold, ProposalRow } from './proposal-fold';
import { EventLog, idFrom } from './testing/event-scenario';
import { ProposalEvent } from '@app/events';

const fold = (log: EventLog, existing: ProposalRow[] = []): ProposalFold => {
  const f = new ProposalFold(existing);
  for (const r of log.records) f.apply(r.event as ProposalEvent);
  return f;
};

describe('ProposalFold', () => {
  const id = idFrom('proposal');

  it('counts a submission, then moves it between accepted and refused', () => {
    const log = new EventLog();
    log.submit(id, 'cgt', idFrom('author'), 'medium');
    log.moderate(id, 'cgt', 'accept');
    log.moderate(id, 'cgt', 'refuse');
    log.moderate(id, 'cgt', 'refuse');
    const f = fold(log);
    expect(f.insertedRows()).toMatchObject([{ proposalId: id, status: 'refused', withinQuota: true, refusalReason: 'hors sujet' }]);
    expect(f.counterDeltas()).toEqual([{ consultation: 'cgt', tier: 'medium', submitted: 1, accepted: 0, refused: 1 }]);
  });

  it('ignores a second submission of the same proposal and moderation of an unknown one', () => {
    const log = new EventLog();
    log.submit(id, 'cgt', idFrom('author'), 'rural');
    log.submit(id, 'cgt', idFrom('author'), 'rural');
    log.moderate(idFrom('unknown'), 'cgt', 'accept');
    const f = fold(log);
    expect(f.insertedRows()).toHaveLength(1);
    expect(f.updatedRows()).toEqual([]);
    expect(f.counterDeltas()).toEqual([{ consultation: 'cgt', tier: 'rural', submitted: 1, accepted: 0, refused: 0 }]);
  });

  it('pushes the 100th out of the quota when an earlier submission arrives, taking its status with it', () => {
    const author = idFrom('author');
    const existing: ProposalRow[] = Array.from({ length: 100 }, (_, i) => ({
      proposalId: idFrom('p', i),
      consultation: 'cgt',
      authorId: author,
      authorTier: 'large',
      status: 'accepted',
      withinQuota: true,
      submittedMs: 10_000 + i,
      acceptedAt: null,
      refusedAt: null,
      moderator: null,
      refusalReason: null,
    }));
    const log = new EventLog();
    log.submit(id, 'cgt', author, 'large', 5_000);
    const f = fold(log, existing);
    expect(f.updatedRows()).toMatchObject([{ proposalId: existing[99].proposalId, withinQuota: false }]);
    expect(f.counterDeltas()).toEqual([{ consultation: 'cgt', tier: 'large', submitted: 0, accepted: -1, refused: 0 }]);
  });
});
