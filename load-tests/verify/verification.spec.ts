import { compareTallies } from './compare';
import { LedgerEntry, LedgerFold, parseLedgerLine } from './ledger';
import { expectedTallies } from './tallies';

const write = (offset: string | null, value: LedgerEntry['value'], qualifications: string[] = [], proposalId = 'p1'): LedgerEntry => ({
  participantId: 'A',
  proposalId,
  tier: 'rural',
  value,
  qualifications,
  topic: offset === null ? null : 'votes',
  partition: offset === null ? null : 3,
  offset,
});

describe('verification from the ledger', () => {
  it('expects the acknowledged write with the highest offset, whatever order the answers came in', () => {
    const fold = new LedgerFold();
    fold.add(write('12', 'disagree', ['noWay']));
    fold.add(write('10', 'agree', ['likeIt']));
    fold.add(write('11', null));
    const { tallies, votes } = expectedTallies(fold.expected());
    expect(votes).toBe(1);
    expect(tallies).toEqual({ p1: { rural: { total: 1, disagree: 1, noWay: 1 } } });
  });

  it('accepts either outcome of an unconfirmed write, settled by what the read model shows', () => {
    const fold = new LedgerFold();
    fold.add(write('10', 'agree'));
    fold.add(write(null, null));
    const [pair] = fold.expected();
    expect(pair.alternatives).toEqual([{ tier: 'rural', value: null, qualifications: [] }]);
    const retracted = expectedTallies(fold.expected(), new Map());
    expect(retracted).toMatchObject({ votes: 0, uncertain: 1, settled: 1, tallies: {} });
  });

  it('counts missing votes as lost and extra ones as double counted', () => {
    const expected = { p1: { rural: { total: 3, agree: 2, neutral: 1 } }, p2: { large: { total: 1, agree: 1 } } };
    const actual = { p1: { rural: { total: 3, agree: 3 } }, p2: { large: { total: 2, agree: 2 } } };
    const comparison = compareTallies(expected, actual);
    expect(comparison).toMatchObject({ lost: 1, doubleCounted: 2, otherFieldsOff: 1 });
    expect(compareTallies(expected, expected)).toMatchObject({ lost: 0, doubleCounted: 0, otherFieldsOff: 0, differences: [] });
  });

  it('reads ledger lines from the runner, k6 raw logs and k6 JSON logs, and nothing else', () => {
    const line = `LEDGER\t${JSON.stringify(write('7', 'neutral', ['noOpinion']))}`;
    expect(parseLedgerLine(line)).toMatchObject({ offset: '7', value: 'neutral' });
    expect(parseLedgerLine(JSON.stringify({ level: 'info', msg: line, source: 'console' }))).toMatchObject({ offset: '7' });
    expect(parseLedgerLine('LEDGER\t{"participantId":"A"}')).toBeUndefined();
    expect(parseLedgerLine('some other log line')).toBeUndefined();
  });
});
