import { acceptProposal, REASON_MAX, refuseProposal } from './moderation';
import { accepted, given, refused, scheduled, SLUG, submitted } from './spec-fixtures';

const pending = () => given(scheduled(), submitted('p-1'));

describe('acceptProposal', () => {
  it('given a pending proposal, then ProposalAccepted names the moderator', () => {
    expect(acceptProposal(pending(), { proposalId: 'p-1', moderator: 'mod-a' })).toEqual({
      ok: true,
      value: { proposalId: 'p-1', consultation: SLUG, moderator: 'mod-a' },
    });
  });

  it('given a refused proposal, then it can be accepted', () => {
    const result = acceptProposal(given(submitted('p-1'), refused('p-1')), { proposalId: 'p-1', moderator: 'mod-a' });
    expect(result.ok && result.value).toEqual(expect.objectContaining({ proposalId: 'p-1' }));
  });

  it('given an accepted proposal, then accepting it again is no change (null)', () => {
    expect(acceptProposal(given(submitted('p-1'), accepted('p-1')), { proposalId: 'p-1', moderator: 'mod-b' })).toEqual({
      ok: true,
      value: null,
    });
  });

  it('refuses an unknown proposal with proposal-not-found', () => {
    const result = acceptProposal(pending(), { proposalId: 'nope', moderator: 'mod-a' });
    expect(!result.ok && result.error).toEqual(expect.objectContaining({ type: 'proposal-not-found', proposalId: 'nope' }));
  });
});

describe('refuseProposal', () => {
  it('given a pending proposal, then ProposalRefused carries the trimmed reason and the moderator', () => {
    expect(refuseProposal(pending(), { proposalId: 'p-1', moderator: 'mod-a', reason: '  hors sujet\n' })).toEqual({
      ok: true,
      value: { proposalId: 'p-1', consultation: SLUG, moderator: 'mod-a', reason: 'hors sujet', reasonCode: 'other' },
    });
  });

  it('given an accepted proposal, then it can be refused', () => {
    const result = refuseProposal(given(submitted('p-1'), accepted('p-1')), { proposalId: 'p-1', moderator: 'm', reason: 'doublon' });
    expect(result.ok && result.value).toEqual(expect.objectContaining({ reason: 'doublon' }));
  });

  it('given a refused proposal, then refusing it again is no change (null), whatever the reason', () => {
    const state = given(submitted('p-1'), refused('p-1', 'doublon'));
    expect(refuseProposal(state, { proposalId: 'p-1', moderator: 'm', reason: 'une autre raison' })).toEqual({ ok: true, value: null });
  });

  it.each([
    ['missing', ''],
    ['blank', '   \n '],
    ['2 characters long', 'ko'],
    [`${REASON_MAX + 1} characters long`, 'x'.repeat(REASON_MAX + 1)],
  ])('refuses a reason that is %s, at /reason', (_, reason) => {
    const result = refuseProposal(pending(), { proposalId: 'p-1', moderator: 'm', reason });
    expect(!result.ok && result.error).toEqual(
      expect.objectContaining({ type: 'validation-failed', errors: [expect.objectContaining({ pointer: '/reason' })] }),
    );
  });

  it(`accepts a reason of 3 and of ${REASON_MAX} characters`, () => {
    expect(refuseProposal(pending(), { proposalId: 'p-1', moderator: 'm', reason: 'non' }).ok).toBe(true);
    expect(refuseProposal(pending(), { proposalId: 'p-1', moderator: 'm', reason: 'x'.repeat(REASON_MAX) }).ok).toBe(true);
  });

  it('refuses an unknown proposal with proposal-not-found, before judging the reason', () => {
    const result = refuseProposal(pending(), { proposalId: 'nope', moderator: 'm', reason: '' });
    expect(!result.ok && result.error.type).toBe('proposal-not-found');
  });
});

describe('refusal for personal data', () => {
  const refusedForPersonalData = () => {
    const state = given(submitted('p-1'));
    const decided = refuseProposal(state, { proposalId: 'p-1', moderator: 'mod-a', reason: 'nom et adresse', reasonCode: 'personal-data' });
    if (!decided.ok || !decided.value) throw new Error('expected a refusal');
    return { decided: decided.value, state: given(submitted('p-1'), { ...refused('p-1'), data: decided.value }) };
  };

  it('carries the reason code personal-data and the moderator', () => {
    expect(refusedForPersonalData().decided).toEqual(expect.objectContaining({ reasonCode: 'personal-data', moderator: 'mod-a' }));
  });

  it('empties the text kept by the write model and refuses to accept the proposal again', () => {
    const { state } = refusedForPersonalData();
    expect(state.proposals.get('p-1')).toEqual(expect.objectContaining({ text: '', textErased: true, status: 'refused' }));
    const result = acceptProposal(state, { proposalId: 'p-1', moderator: 'mod-b' });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ type: 'proposal-text-erased', proposalId: 'p-1' }) });
  });
});
