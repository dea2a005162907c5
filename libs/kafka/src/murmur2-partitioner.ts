import { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's `Utils.murmur2` (Java client), in 32-bit integer arithmetic: the same bytes give the
 * same signed 32-bit hash in every client that follows Kafka's default partitioner.
 */
export const murmur2 = (data: Uint8Array): number => {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i << 2;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  // Java's switch falls through 3 → 2 → 1.
  if (rest === 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
};

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs). */
export const toPositive = (n: number): number => n & 0x7fffffff;

/** Partition of a keyed record under Kafka's default partitioner. Key strings are UTF-8. */
export const partitionFor = (key: string | Uint8Array, partitionCount: number): number => {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a positive integer, got ${partitionCount}`);
  }
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  return toPositive(murmur2(bytes)) % partitionCount;
};

/**
 * A kafkajs partitioner: the partition set on the message if any (the appender always sets it),
 * else murmur2 of the key, else round-robin over available partitions. Passing it explicitly also
 * silences kafkajs's "default partitioner changed" warning.
 */
export const Murmur2Partitioner: ICustomPartitioner = () => {
  let counter = 0;
  return ({ partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) {
      return partitionFor(message.key, partitionMetadata.length);
    }
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    counter = (counter + 1) & 0x7fffffff;
    return pool[counter % pool.length].partitionId;
  };
};
