import { DEFAULT_DETECTION, DetectionSettings, identicalVotes, inhumanVoteRates, registrationBursts } from './detection-rules';

const settings: DetectionSettings = {
  ...DEFAULT_DETECTION,
  burstWindowMs: 60_000,
  burstMinRegistrations: 3,
  identicalMinVotes: 3,
  identicalMinParticipants: 3,
  rateWindowMs: 10_000,
  rateMaxVotes: 5,
};
const T0 = Date.parse('2021-02-10T20:00:00Z');

describe('abuse detection rules', () => {
  describe('registration burst', () => {
    it('flags every registration of a network inside a window that holds enough of them, with the burst size', () => {
      const rows = [
        ...[0, 10, 20, 30].map((s, i) => ({ participantId: `bot-${i}`, networkId: 'net-a', registeredAtMs: T0 + s * 1000 })),
        { participantId: 'early', networkId: 'net-a', registeredAtMs: T0 - 120_000 },
        { participantId: 'neighbour', networkId: 'net-b', registeredAtMs: T0 + 5000 },
      ];
      const flags = registrationBursts(rows, settings);
      expect(flags.map((f) => f.participantId).sort()).toEqual(['bot-0', 'bot-1', 'bot-2', 'bot-3']);
      expect(flags[0]).toMatchObject({ rule: 'registration-burst', groupKey: 'registration-burst:net-a', evidence: { registrationsInWindow: 4 } });
    });

    it('does not flag the same number of registrations spread wider than the window', () => {
      const rows = [0, 40, 80, 120].map((s, i) => ({ participantId: `p-${i}`, networkId: 'net-a', registeredAtMs: T0 + s * 1000 }));
      expect(registrationBursts(rows, settings)).toEqual([]);
    });
  });

  describe('identical votes', () => {
    const vector = (participantId: string, v: string, votes = 4, consultation = 'cgt') => ({ participantId, consultation, vector: v, votes });

    it('flags a group of participants with the same vote vector, and nobody else', () => {
      const flags = identicalVotes([vector('a', 'X'), vector('b', 'X'), vector('c', 'X'), vector('d', 'Y'), vector('e', 'X', 4, 'autre')], settings);
      expect(flags.map((f) => f.participantId).sort()).toEqual(['a', 'b', 'c']);
      expect(new Set(flags.map((f) => f.groupKey)).size).toBe(1);
      expect(flags[0].evidence).toEqual({ consultation: 'cgt', participantsWithThisVector: 3, votesInVector: 4 });
    });

    it('ignores vectors with too few votes to mean anything (three people agreeing on one proposal)', () => {
      expect(identicalVotes([vector('a', 'X', 2), vector('b', 'X', 2), vector('c', 'X', 2)], settings)).toEqual([]);
    });
  });

  describe('inhuman vote rate', () => {
    it('flags a participant with enough votes inside one window, and not one voting at a human pace', () => {
      const bot = { participantId: 'bot', votedAtMs: [0, 1, 2, 3, 4, 5].map((s) => T0 + s * 1500) };
      const human = { participantId: 'human', votedAtMs: [0, 4, 8, 12, 16, 20].map((s) => T0 + s * 1000) };
      const flags = inhumanVoteRates([bot, human], settings);
      expect(flags).toEqual([
        expect.objectContaining({ participantId: 'bot', rule: 'inhuman-vote-rate', evidence: expect.objectContaining({ votesInWindow: 6 }) }),
      ]);
    });
  });
});
