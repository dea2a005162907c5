import { QUALIFICATIONS, QUALIFICATIONS_BY_VALUE, VOTE_VALUES } from '@app/events/vote-values';
import { CastVote, castVote, retractVote } from './vote';
import { accepted, given, NOW, refused, scheduled, SLUG, submitted } from './spec-fixtures';

const votable = () => given(scheduled(), submitted('p-1'), accepted('p-1'));

const vote = (overrides: Partial<CastVote> = {}): CastVote => ({
  proposalId: 'p-1',
  participantId: 'voter-1',
  voterTier: 'large',
  value: 'agree',
  ...overrides,
});

const votesOpen = Date.UTC(2026, 1, 4, 23);
const votesClose = Date.UTC(2026, 2, 14, 23);

describe('castVote', () => {
  it('given an accepted proposal in an open votes window, then VoteCast carries the voter and the vote', () => {
    expect(castVote(votable(), vote({ qualifications: ['likeIt'] }), NOW)).toEqual({
      ok: true,
      value: {
        proposalId: 'p-1',
        consultation: SLUG,
        participantId: 'voter-1',
        voterTier: 'large',
        value: 'agree',
        qualifications: ['likeIt'],
      },
    });
  });

  it('records qualifications once each, sorted', () => {
    const result = castVote(votable(), vote({ qualifications: ['platitudeAgree', 'likeIt', 'doable', 'likeIt'] }), NOW);
    expect(result.ok && result.value.qualifications).toEqual(['doable', 'likeIt', 'platitudeAgree']);
  });

  it('accepts a vote without qualifications', () => {
    const result = castVote(votable(), vote({ value: 'neutral' }), NOW);
    expect(result.ok && result.value.qualifications).toEqual([]);
  });

  describe.each(VOTE_VALUES)('value %s', (value) => {
    const allowed: readonly string[] = QUALIFICATIONS_BY_VALUE[value];

    it.each(allowed)('accepts the qualification %s', (qualification) => {
      expect(castVote(votable(), vote({ value, qualifications: [qualification] }), NOW).ok).toBe(true);
    });

    it.each(QUALIFICATIONS.filter((q) => !allowed.includes(q)))('refuses the qualification %s at its pointer', (qualification) => {
      const result = castVote(votable(), vote({ value, qualifications: [allowed[0], qualification] }), NOW);
      expect(!result.ok && result.error).toEqual({
        type: 'validation-failed',
        detail: expect.any(String),
        errors: [{ pointer: '/qualifications/1', detail: expect.stringContaining(`does not go with "${value}"`) }],
      });
    });
  });

  it('refuses an unknown value at /value', () => {
    const result = castVote(votable(), vote({ value: 'maybe' }), NOW);
    expect(!result.ok && result.error.type === 'validation-failed' && result.error.errors).toEqual([
      { pointer: '/value', detail: 'must be one of agree, disagree, neutral' },
    ]);
  });

  it('refuses an unknown qualification, and reports it with a bad value', () => {
    const result = castVote(votable(), vote({ value: 'maybe', qualifications: ['likeIt', 'superb'] }), NOW);
    expect(!result.ok && result.error.type === 'validation-failed' && result.error.errors.map((e) => e.pointer)).toEqual([
      '/value',
      '/qualifications/1',
    ]);
  });

  it('refuses an unknown proposal with proposal-not-found', () => {
    const result = castVote(votable(), vote({ proposalId: 'nope' }), NOW);
    expect(!result.ok && result.error.type).toBe('proposal-not-found');
  });

  it('refuses a pending proposal with proposal-not-votable, status pending', () => {
    const result = castVote(given(scheduled(), submitted('p-1')), vote(), NOW);
    expect(!result.ok && result.error).toEqual(expect.objectContaining({ type: 'proposal-not-votable', status: 'pending' }));
  });

  it('refuses a refused proposal with proposal-not-votable, status refused', () => {
    const result = castVote(given(scheduled(), submitted('p-1'), accepted('p-1'), refused('p-1')), vote(), NOW);
    expect(!result.ok && result.error).toEqual(expect.objectContaining({ type: 'proposal-not-votable', status: 'refused' }));
  });

  it('accepts at the open instant of the votes window and refuses at its close instant', () => {
    expect(castVote(votable(), vote(), new Date(votesOpen)).ok).toBe(true);
    expect(castVote(votable(), vote(), new Date(votesClose - 1)).ok).toBe(true);
    const atClose = castVote(votable(), vote(), new Date(votesClose));
    expect(!atClose.ok && atClose.error).toEqual(expect.objectContaining({ type: 'phase-closed', window: 'votes' }));
    const beforeOpen = castVote(votable(), vote(), new Date(votesOpen - 1));
    expect(!beforeOpen.ok && beforeOpen.error.type).toBe('phase-closed');
  });

  it('judges the votes window, not the proposals window: voting goes on after proposals close', () => {
    expect(castVote(votable(), vote(), new Date('2026-03-10T00:00:00Z')).ok).toBe(true);
  });
});

describe('retractVote', () => {
  const retract = { proposalId: 'p-1', participantId: 'voter-1', voterTier: 'large' } as const;

  it('given an accepted proposal, then VoteRetracted names the voter (whether or not a vote exists)', () => {
    expect(retractVote(votable(), retract, NOW)).toEqual({
      ok: true,
      value: { proposalId: 'p-1', consultation: SLUG, participantId: 'voter-1', voterTier: 'large' },
    });
  });

  it('allows withdrawing a vote from a proposal refused since', () => {
    expect(retractVote(given(scheduled(), submitted('p-1'), accepted('p-1'), refused('p-1')), retract, NOW).ok).toBe(true);
  });

  it('refuses an unknown proposal with proposal-not-found', () => {
    const result = retractVote(votable(), { ...retract, proposalId: 'nope' }, NOW);
    expect(!result.ok && result.error.type).toBe('proposal-not-found');
  });

  it('refuses at the close instant of the votes window', () => {
    const result = retractVote(votable(), retract, new Date(votesClose));
    expect(!result.ok && result.error.type).toBe('phase-closed');
  });
});
