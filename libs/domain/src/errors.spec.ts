import { HTTP_STATUS_OF, validationFailed } from './errors';

describe('domain errors', () => {
  it('map to the statuses of the HTTP contract (API.md)', () => {
    expect(HTTP_STATUS_OF).toEqual({
      'validation-failed': 422,
      'phase-closed': 409,
      'consultation-not-found': 404,
      'consultation-exists': 409,
      'proposal-not-found': 404,
      'proposal-not-votable': 409,
      'proposal-quota-exceeded': 422,
      'proposal-id-conflict': 409,
      'proposal-text-erased': 409,
    });
  });

  it('validation-failed sums up every field error in its detail', () => {
    expect(
      validationFailed([
        { pointer: '/text', detail: 'too short' },
        { pointer: '/value', detail: 'unknown' },
      ]).detail,
    ).toBe('/text: too short; /value: unknown');
  });
});
