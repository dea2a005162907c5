import { applyTallyChanges, emptyTally } from './tally';

describe('tally', () => {
  it('starts with every counter at zero', () => {
    const t = emptyTally();
    expect([t.total, t.agree, t.disagree, t.neutral, ...Object.values(t.qualifications)]).toEqual(Array(13).fill(0));
    expect(Object.keys(t.qualifications)).toHaveLength(9);
  });

  it('moves total with every value change, and not with qualification changes', () => {
    const t = applyTallyChanges(emptyTally(), [
      { tier: 'rural', counter: 'agree', by: 1 },
      { tier: 'rural', counter: 'likeIt', by: 1 },
      { tier: 'large', counter: 'disagree', by: 1 },
    ]);
    expect(t).toEqual({ ...emptyTally(), total: 2, agree: 1, disagree: 1, qualifications: { ...emptyTally().qualifications, likeIt: 1 } });
  });

  it('applies only the given tier’s changes when a tier is named', () => {
    const changes = [
      { tier: 'rural', counter: 'agree', by: 1 },
      { tier: 'large', counter: 'disagree', by: 1 },
    ] as const;
    expect(applyTallyChanges(emptyTally(), changes, 'large')).toEqual({ ...emptyTally(), total: 1, disagree: 1 });
  });
});
