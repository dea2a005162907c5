import { ProblemError } from '@app/http';
import { decodeCursor, encodeCursor } from './cursor';
import { RankKey, compareKeys, indexAfter } from './ranking';

const key = (values: (number | null)[], id: string): RankKey => ({ values, id });

describe('rank keys and cursors', () => {
  it('orders numbers descending, nulls last, then ids ascending', () => {
    const keys = [key([null, 0], 'a'), key([1, 2], 'b'), key([1, 2], 'a'), key([1.5, 0], 'z'), key([1, 3], 'c')];
    expect([...keys].sort(compareKeys).map((k) => `${k.values[0]}/${k.id}`)).toEqual(['1.5/z', '1/c', '1/a', '1/b', 'null/a']);
  });

  it('resumes strictly after the cursor key, even when that item is gone', () => {
    const sorted = [key([3], 'a'), key([2], 'a'), key([2], 'c'), key([1], 'a')].map((k) => ({ key: k }));
    expect(indexAfter(sorted, key([2], 'a'))).toBe(2);
    expect(indexAfter(sorted, key([2], 'b'))).toBe(2);
    expect(indexAfter(sorted, key([0], 'a'))).toBe(4);
  });

  it('round-trips a key through an opaque cursor bound to its list', () => {
    const k = key([2 / 3, 7], '0979340d-0000-4000-a000-000000000000');
    expect(decodeCursor(encodeCursor('accepted|top||', k), 'accepted|top||', 2)).toEqual(k);
    const reject = (cursor: string, list = 'accepted|top||', length = 2) => {
      try {
        decodeCursor(cursor, list, length);
      } catch (error) {
        return (error as ProblemError).problem.status;
      }
      return 200;
    };
    expect(reject(encodeCursor('accepted|votes||', k))).toBe(400);
    expect(reject(encodeCursor('accepted|top||', k), 'accepted|top||', 1)).toBe(400);
    expect(reject('not base64!')).toBe(400);
    expect(reject(Buffer.from('[]').toString('base64url'))).toBe(400);
  });
});
