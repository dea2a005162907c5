import { accepted, cast, given, refused, retracted, scheduled, SLUG, submitted } from './spec-fixtures';
import { emptyWriteModel, evolve, proposalCount } from './write-model';

describe('write model: consultations', () => {
  it('given a schedule, then the consultation has its windows as instants and its thresholds', () => {
    const state = given(scheduled());
    const consultation = state.consultations.get(SLUG);
    expect(consultation?.proposals.opensAtMs).toBe(Date.UTC(2026, 0, 31, 23));
    expect(consultation?.votes.closesAt).toBe('2026-03-15T00:00:00+01:00');
    expect(consultation?.thresholds.minVotes).toBe(90);
  });

  it('keeps the first schedule of a slug: a later one (a race between instances) is ignored', () => {
    const state = given(scheduled({ question: 'first question' }), scheduled({ question: 'second', votesCloseAt: '2027-01-01T00:00:00Z' }));
    expect(state.consultations.get(SLUG)?.votes.closesAt).toBe('2026-03-15T00:00:00+01:00');
  });
});

describe('write model: proposals', () => {
  it('given a submission, then the proposal is pending, dated by the event', () => {
    const state = given(scheduled(), submitted('p-1', { at: '2026-02-02T10:00:00.123Z' }));
    expect(state.proposals.get('p-1')).toEqual(
      expect.objectContaining({ status: 'pending', submittedAt: '2026-02-02T10:00:00.123Z', submittedAtMs: Date.UTC(2026, 1, 2, 10, 0, 0, 123) }),
    );
    expect([...state.pending.keys()]).toEqual(['p-1']);
  });

  it('counts proposals per participant and per consultation', () => {
    const state = given(
      submitted('p-1', { authorId: 'a' }),
      submitted('p-2', { authorId: 'a' }),
      submitted('p-3', { authorId: 'b' }),
      submitted('p-4', { authorId: 'a', consultation: 'autre' }),
    );
    expect(proposalCount(state, SLUG, 'a')).toBe(2);
    expect(proposalCount(state, SLUG, 'b')).toBe(1);
    expect(proposalCount(state, 'autre', 'a')).toBe(1);
    expect(proposalCount(state, 'autre', 'b')).toBe(0);
  });

  it('applies a submission once: the same proposalId again (a retry re-appended) changes nothing', () => {
    const first = submitted('p-1', { text: 'Il faut le premier texte' });
    const state = given(first, submitted('p-1', { text: 'Il faut un autre texte' }));
    expect(proposalCount(state, SLUG, 'author-1')).toBe(1);
    expect(state.proposals.get('p-1')?.text).toBe('Il faut le premier texte');
  });

  it('counts refused proposals in the quota', () => {
    expect(proposalCount(given(submitted('p-1'), refused('p-1')), SLUG, 'author-1')).toBe(1);
  });

  it('moves a proposal pending → accepted → refused → accepted, leaving the pending set on the first', () => {
    const state = given(submitted('p-1'), accepted('p-1'));
    expect(state.proposals.get('p-1')?.status).toBe('accepted');
    expect(state.pending.size).toBe(0);
    evolve(state, refused('p-1'));
    expect(state.proposals.get('p-1')?.status).toBe('refused');
    evolve(state, accepted('p-1'));
    expect(state.proposals.get('p-1')?.status).toBe('accepted');
    expect(state.pending.size).toBe(0);
  });

  it('changes nothing when an accepted proposal is accepted again or a refused one refused again', () => {
    const state = given(submitted('p-1'), accepted('p-1'), submitted('p-2'), refused('p-2', 'doublon'));
    const [p1, p2] = [state.proposals.get('p-1'), state.proposals.get('p-2')];
    evolve(state, accepted('p-1'));
    evolve(state, refused('p-2', 'autre raison'));
    expect(state.proposals.get('p-1')).toBe(p1);
    expect(state.proposals.get('p-2')).toBe(p2);
  });

  it('ignores moderation of an unknown proposal, and votes and registrations altogether', () => {
    const state = given(scheduled(), submitted('p-1'));
    const before = { proposals: new Map(state.proposals), pending: new Map(state.pending) };
    evolve(state, accepted('unknown'));
    evolve(state, cast('e-1', 'agree'));
    evolve(state, retracted('e-2'));
    expect(state.proposals).toEqual(before.proposals);
    expect(state.pending).toEqual(before.pending);
  });

  it('mutates and returns the state it is given (the hot path copies nothing)', () => {
    const state = emptyWriteModel();
    expect(evolve(state, submitted('p-1'))).toBe(state);
  });
});
