import { DEFAULT_THRESHOLDS } from '@app/events/consultation-events';
import { ScheduleConsultation, scheduleConsultation } from './consultation';
import { DomainError } from './errors';
import { given, scheduled } from './spec-fixtures';
import { emptyWriteModel } from './write-model';

const command = (overrides: Partial<ScheduleConsultation> = {}): ScheduleConsultation => ({
  slug: 'grande-cause-2026',
  question: 'Comment améliorer les conditions de vie dans votre territoire ?',
  proposalsOpenAt: '2026-02-01T00:00:00+01:00',
  proposalsCloseAt: '2026-03-01T00:00:00+01:00',
  votesOpenAt: '2026-02-05T00:00:00Z',
  votesCloseAt: '2026-03-15T00:00:00Z',
  scheduledBy: 'admin',
  ...overrides,
});

const refusal = (overrides: Partial<ScheduleConsultation>): DomainError => {
  const result = scheduleConsultation(emptyWriteModel(), command(overrides));
  if (result.ok) throw new Error('expected a refusal');
  return result.error;
};

const pointers = (overrides: Partial<ScheduleConsultation>): string[] => {
  const error = refusal(overrides);
  return error.type === 'validation-failed' ? error.errors.map((e) => e.pointer) : [error.type];
};

describe('scheduleConsultation', () => {
  it('given no consultation, when a valid one is scheduled, then ConsultationScheduled has the default thresholds', () => {
    expect(scheduleConsultation(emptyWriteModel(), command())).toEqual({
      ok: true,
      value: {
        slug: 'grande-cause-2026',
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2026-02-01T00:00:00+01:00',
        proposalsCloseAt: '2026-03-01T00:00:00+01:00',
        votesOpenAt: '2026-02-05T00:00:00Z',
        votesCloseAt: '2026-03-15T00:00:00Z',
        thresholds: DEFAULT_THRESHOLDS,
        scheduledBy: 'admin',
      },
    });
  });

  it('overrides only the thresholds given', () => {
    const result = scheduleConsultation(emptyWriteModel(), command({ thresholds: { minVotes: 50, minEngagement: -0.5 } }));
    expect(result.ok && result.value.thresholds).toEqual({ ...DEFAULT_THRESHOLDS, minVotes: 50, minEngagement: -0.5 });
  });

  it('stores the question normalised (NFC, newlines folded, trimmed)', () => {
    const result = scheduleConsultation(emptyWriteModel(), command({ question: '  Comment ame\u0301liorer\nla vie ?\r\n' }));
    expect(result.ok && result.value.question).toBe('Comment améliorer la vie ?');
  });

  it('given a consultation with this slug, when it is scheduled again, then consultation-exists', () => {
    const state = given(scheduled({ slug: 'grande-cause-2026' }));
    expect(scheduleConsultation(state, command())).toEqual({
      ok: false,
      error: expect.objectContaining({ type: 'consultation-exists', slug: 'grande-cause-2026' }),
    });
  });

  it.each(['abc', 'a-b', 'grande-cause-2021', '0ab', 'a'.repeat(64)])('accepts the slug %j', (slug) => {
    expect(scheduleConsultation(emptyWriteModel(), command({ slug })).ok).toBe(true);
  });

  it.each(['ab', 'a', '', '-ab', 'ab-', 'Grande-cause', 'grande_cause', 'grande cause', 'é-cole', 'a'.repeat(65)])(
    'refuses the slug %j',
    (slug) => {
      expect(pointers({ slug })).toEqual(['/slug']);
    },
  );

  it('accepts a question of 10 and of 300 characters, refuses 9 and 301', () => {
    expect(scheduleConsultation(emptyWriteModel(), command({ question: 'é'.repeat(10) })).ok).toBe(true);
    expect(scheduleConsultation(emptyWriteModel(), command({ question: 'é'.repeat(300) })).ok).toBe(true);
    expect(pointers({ question: 'é'.repeat(9) })).toEqual(['/question']);
    expect(pointers({ question: 'é'.repeat(301) })).toEqual(['/question']);
  });

  it('refuses an instant without offset, naming its field', () => {
    expect(pointers({ votesOpenAt: '2026-02-05T00:00:00' })).toEqual(['/votesOpenAt']);
  });

  it('refuses a date that does not exist', () => {
    expect(pointers({ proposalsCloseAt: '2026-02-30T00:00:00Z' })).toEqual(['/proposalsCloseAt']);
  });

  it('refuses a window that closes when it opens or before, comparing instants across offsets', () => {
    expect(pointers({ proposalsOpenAt: '2026-03-01T00:00:00+01:00', proposalsCloseAt: '2026-02-28T23:00:00Z' })).toEqual([
      '/proposalsCloseAt',
    ]);
    expect(pointers({ votesOpenAt: '2026-03-15T00:00:00Z', votesCloseAt: '2026-03-14T00:00:00Z' })).toEqual(['/votesCloseAt']);
  });

  it('accepts a window whose close text sorts before its open text but is a later instant', () => {
    const result = scheduleConsultation(
      emptyWriteModel(),
      command({ votesOpenAt: '2026-03-01T10:00:00+01:00', votesCloseAt: '2026-03-01T09:30:00Z' }),
    );
    expect(result.ok).toBe(true);
  });

  it.each([
    ['minVotes', 0],
    ['minVotes', 1.5],
    ['minAdhesion', 1.01],
    ['minAdhesion', -0.1],
    ['minEngagement', -3.01],
    ['minEngagement', 2.01],
    ['minVotesPerTier', 0],
    ['minVotesControversy', 0],
    ['minAdhesion', Number.NaN],
  ])('refuses thresholds.%s = %p', (key, value) => {
    expect(pointers({ thresholds: { [key]: value } })).toEqual([`/thresholds/${key}`]);
  });

  it('accepts thresholds at the edges of their ranges', () => {
    const thresholds = { minVotes: 1, minAdhesion: 1, minEngagement: -3, minVotesPerTier: 1, minVotesControversy: 1 };
    expect(scheduleConsultation(emptyWriteModel(), command({ thresholds })).ok).toBe(true);
  });

  it('reports every broken rule at once', () => {
    expect(
      pointers({ slug: 'X', question: 'court', votesCloseAt: 'demain', thresholds: { minVotes: 0 } }),
    ).toEqual(['/slug', '/question', '/votesCloseAt', '/thresholds/minVotes']);
  });

  it('judges the body before the slug: an invalid body with a taken slug is validation-failed', () => {
    const state = given(scheduled({ slug: 'grande-cause-2026' }));
    const result = scheduleConsultation(state, command({ question: 'court' }));
    expect(!result.ok && result.error.type).toBe('validation-failed');
  });
});
