import { deterministicUuid } from './event-ids';

describe('deterministic ids', () => {
  it('gives the same UUID for the same parts and another for other parts', () => {
    const a = deterministicUuid('vote', 'participant-1', 'PUT /v1/proposals/p/vote', 'key-1');
    expect(deterministicUuid('vote', 'participant-1', 'PUT /v1/proposals/p/vote', 'key-1')).toBe(a);
    expect(deterministicUuid('vote', 'participant-2', 'PUT /v1/proposals/p/vote', 'key-1')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not confuse part boundaries', () => {
    expect(deterministicUuid('ab', 'c')).not.toBe(deterministicUuid('a', 'bc'));
  });
});
