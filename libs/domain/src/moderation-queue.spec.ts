import { moderationQueue } from './moderation-queue';
import { accepted, given, refused, submitted } from './spec-fixtures';

const ids = (limit: number, state = given()): string[] => moderationQueue(state, limit).map((p) => p.proposalId);

describe('moderationQueue', () => {
  it('lists pending proposals oldest first by submission instant, whatever the order they were read in', () => {
    const state = given(
      submitted('p-c', { at: '2026-02-02T12:00:00.000Z' }),
      submitted('p-a', { at: '2026-02-02T10:00:00.000Z' }),
      submitted('p-b', { at: '2026-02-02T11:00:00.000Z' }),
    );
    expect(ids(10, state)).toEqual(['p-a', 'p-b', 'p-c']);
  });

  it('returns at most `limit`, the oldest ones', () => {
    const state = given(
      ...Array.from({ length: 30 }, (_, i) =>
        submitted(`p-${String(i).padStart(2, '0')}`, { at: new Date(Date.UTC(2026, 1, 2, 0, 30 - i)).toISOString() }),
      ),
    );
    expect(ids(3, state)).toEqual(['p-29', 'p-28', 'p-27']);
  });

  it('breaks ties of the same millisecond by proposalId', () => {
    const at = '2026-02-02T10:00:00.000Z';
    expect(ids(10, given(submitted('p-2', { at }), submitted('p-1', { at }), submitted('p-3', { at })))).toEqual(['p-1', 'p-2', 'p-3']);
  });

  it('leaves out accepted and refused proposals', () => {
    const state = given(submitted('p-1'), submitted('p-2'), submitted('p-3'), accepted('p-1'), refused('p-3'));
    expect(ids(10, state)).toEqual(['p-2']);
  });

  it('returns nothing for a limit of 0', () => {
    expect(ids(0, given(submitted('p-1')))).toEqual([]);
  });
});
