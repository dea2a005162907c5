import { randomBytes, randomInt } from 'node:crypto';
import { Partitioners, PartitionMetadata } from 'kafkajs';
import { murmur2, Murmur2Partitioner, partitionFor, toPositive } from './murmur2-partitioner';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));

const ALPHABET = ['a', 'Z', '0', '-', 'é', 'ß', '€', '漢', '🗳', ' ', '\u0000'];
const randomKey = (): string => Array.from({ length: randomInt(0, 70) }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

describe('murmur2 partitioner', () => {
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['', 275646681],
  ])('matches Kafka UtilsTest vector %j', (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('toPositive clears the sign bit like Java (not Math.abs)', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });

  it('agrees with kafkajs DefaultPartitioner on 10,000 random keys and partition counts', () => {
    const kafkajs = Partitioners.DefaultPartitioner();
    const metadataByCount = Array.from({ length: 200 }, (_, count) => metadata(count));
    const mismatches: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const count = randomInt(1, 200);
      const key = i % 2 === 0 ? randomKey() : randomBytes(randomInt(0, 40));
      const expected = kafkajs({ topic: 't', partitionMetadata: metadataByCount[count], message: { key, value: null } });
      const actual = partitionFor(key, count);
      if (actual !== expected) mismatches.push(`${JSON.stringify(key)} % ${count}: ${actual} != ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('hashes strings as UTF-8', () => {
    expect(partitionFor('Élodie-🗳', 12)).toBe(partitionFor(Buffer.from('Élodie-🗳', 'utf8'), 12));
  });

  it('rejects a non-positive partition count', () => {
    expect(() => partitionFor('k', 0)).toThrow(RangeError);
  });

  it('the kafkajs partitioner honours an explicit partition, else hashes the key', () => {
    const partitioner = Murmur2Partitioner();
    expect(partitioner({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: null, partition: 7 } })).toBe(7);
    expect(partitioner({ topic: 't', partitionMetadata: metadata(12), message: { key: 'k', value: null } })).toBe(partitionFor('k', 12));
    const unkeyed = new Set(
      Array.from({ length: 24 }, () => partitioner({ topic: 't', partitionMetadata: metadata(12), message: { value: null } })),
    );
    expect(unkeyed.size).toBe(12);
  });
});
