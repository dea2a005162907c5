import { asOfFrom, positionsFromRedisHash } from './as-of';

describe('asOf', () => {
  it("keeps this environment's topics, names them without the prefix and partitions as strings", () => {
    const asOf = asOfFrom(
      [
        { topic: 'prod.votes', partition: 1, nextOffset: '12' },
        { topic: 'prod.votes', partition: 0, nextOffset: '9007199254740993' },
        { topic: 'prod.proposals', partition: 3, nextOffset: '4' },
        { topic: 'test.votes', partition: 0, nextOffset: '1' },
        { topic: 'prod.dead-letters', partition: 0, nextOffset: '2' },
      ],
      'prod.',
      new Date('2021-02-10T12:00:00Z'),
    );
    expect(asOf).toEqual({ positions: { proposals: { '3': '4' }, votes: { '0': '9007199254740993', '1': '12' } }, at: '2021-02-10T12:00:00.000Z' });
  });

  it("reads the Redis projection's offsets hash", () => {
    expect(positionsFromRedisHash({ 'p.votes:11': '5' })).toEqual([{ topic: 'p.votes', partition: '11', nextOffset: '5' }]);
  });
});
