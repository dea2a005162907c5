import { PROPOSAL_QUOTA, SubmitProposal, submitProposal } from './proposal';
import { given, NOW, refused, scheduled, SLUG, submitted } from './spec-fixtures';
import { WriteModel } from './write-model';

const command = (overrides: Partial<SubmitProposal> = {}): SubmitProposal => ({
  consultation: SLUG,
  authorId: 'author-1',
  authorTier: 'medium',
  text: 'Il faut rouvrir les petites lignes de train',
  proposalId: 'new-proposal',
  ...overrides,
});

const withProposals = (count: number, authorId = 'author-1'): WriteModel =>
  given(scheduled(), ...Array.from({ length: count }, (_, i) => submitted(`p-${i}`, { authorId })));

describe('submitProposal', () => {
  it('given an open consultation, when a valid text is submitted, then ProposalSubmitted carries the normalised text', () => {
    expect(submitProposal(given(scheduled()), command({ text: '  Il faut re\u0301nover\r\nles gares ' }), NOW)).toEqual({
      ok: true,
      value: {
        proposalId: 'new-proposal',
        consultation: SLUG,
        authorId: 'author-1',
        authorTier: 'medium',
        text: 'Il faut rénover les gares',
      },
    });
  });

  it('refuses an unknown consultation with consultation-not-found', () => {
    const result = submitProposal(given(scheduled()), command({ consultation: 'autre' }), NOW);
    expect(!result.ok && result.error.type).toBe('consultation-not-found');
  });

  describe('the proposals window (open ≤ t < close)', () => {
    const opens = Date.UTC(2026, 0, 31, 23);
    const closes = Date.UTC(2026, 1, 28, 23);
    const at = (ms: number) => submitProposal(given(scheduled()), command(), new Date(ms));

    it('accepts at the open instant', () => expect(at(opens).ok).toBe(true));
    it('accepts one millisecond before the close instant', () => expect(at(closes - 1).ok).toBe(true));

    it('refuses at the close instant with phase-closed naming the window and its bounds', () => {
      expect(at(closes)).toEqual({
        ok: false,
        error: {
          type: 'phase-closed',
          detail: expect.stringContaining('is closed'),
          consultation: SLUG,
          window: 'proposals',
          opensAt: '2026-02-01T00:00:00+01:00',
          closesAt: '2026-03-01T00:00:00+01:00',
          at: '2026-02-28T23:00:00.000Z',
        },
      });
    });

    it('refuses one millisecond before the open instant, saying it is not open yet', () => {
      const result = at(opens - 1);
      expect(!result.ok && result.error.type === 'phase-closed' && result.error.detail).toMatch(/is not open yet/);
    });
  });

  describe('the quota of 100 proposals per participant per consultation', () => {
    it('given 99 proposals, accepts the 100th', () => {
      expect(submitProposal(withProposals(PROPOSAL_QUOTA - 1), command(), NOW).ok).toBe(true);
    });

    it('given 100 proposals, refuses the 101st with proposal-quota-exceeded', () => {
      expect(submitProposal(withProposals(PROPOSAL_QUOTA), command(), NOW)).toEqual({
        ok: false,
        error: expect.objectContaining({ type: 'proposal-quota-exceeded', consultation: SLUG, limit: 100 }),
      });
    });

    it('counts refused proposals', () => {
      const state = given(
        scheduled(),
        ...Array.from({ length: PROPOSAL_QUOTA }, (_, i) => submitted(`p-${i}`)),
        refused('p-0'),
        refused('p-1'),
      );
      const result = submitProposal(state, command(), NOW);
      expect(!result.ok && result.error.type).toBe('proposal-quota-exceeded');
    });

    it('does not count another participant’s proposals', () => {
      expect(submitProposal(withProposals(PROPOSAL_QUOTA, 'someone-else'), command(), NOW).ok).toBe(true);
    });

    it('does not count proposals made to another consultation', () => {
      const state = given(
        scheduled(),
        ...Array.from({ length: PROPOSAL_QUOTA }, (_, i) => submitted(`p-${i}`, { consultation: 'autre' })),
      );
      expect(submitProposal(state, command(), NOW).ok).toBe(true);
    });

    it('refuses over quota before looking at the text, since fixing the text would not help', () => {
      const result = submitProposal(withProposals(PROPOSAL_QUOTA), command({ text: 'trop court' }), NOW);
      expect(!result.ok && result.error.type).toBe('proposal-quota-exceeded');
    });
  });

  it('refuses a text that breaks rules with validation-failed listing each at /text', () => {
    expect(submitProposal(given(scheduled()), command({ text: 'Il ne <b>faut</b>' }), NOW)).toEqual({
      ok: false,
      error: expect.objectContaining({
        type: 'validation-failed',
        errors: [
          { pointer: '/text', detail: 'must start with "Il faut"' },
          { pointer: '/text', detail: expect.stringMatching(/^must not contain markup tags/) },
        ],
      }),
    });
  });

  describe('a proposal id already in the log', () => {
    const landed = submitted('p-1', { authorId: 'author-1', text: 'Il faut rouvrir les petites lignes de train' });

    it('answers a retry of the same submission with the recorded data, even after the window closed', () => {
      const afterClose = new Date('2026-03-02T00:00:00Z');
      const result = submitProposal(given(scheduled(), landed), command({ proposalId: 'p-1', authorTier: 'rural' }), afterClose);
      expect(result).toEqual({ ok: true, value: { ...landed.data } });
    });

    it('answers a retry even at the quota, since the retried proposal is already counted', () => {
      const state = given(scheduled(), landed, ...Array.from({ length: PROPOSAL_QUOTA - 1 }, (_, i) => submitted(`q-${i}`)));
      expect(submitProposal(state, command({ proposalId: 'p-1' }), NOW).ok).toBe(true);
    });

    it('refuses the same id with another text or author with proposal-id-conflict', () => {
      const state = given(scheduled(), landed);
      const otherText = submitProposal(state, command({ proposalId: 'p-1', text: 'Il faut autre chose encore' }), NOW);
      const otherAuthor = submitProposal(state, command({ proposalId: 'p-1', authorId: 'author-2' }), NOW);
      expect(!otherText.ok && otherText.error.type).toBe('proposal-id-conflict');
      expect(!otherAuthor.ok && otherAuthor.error.type).toBe('proposal-id-conflict');
    });
  });
});
