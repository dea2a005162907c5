import { DomainEvent } from '@app/events';

/** A decoded event and where it sits in the log (offset as a string: it is 64-bit). */
export interface PositionedEvent {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly event: DomainEvent;
}

/** The position a partition reaches once a batch is applied: every record below is done. */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: string;
}

/**
 * What a projection applies atomically. `positions` covers every partition the batch read,
 * including records that were not events (dead letters), so the checkpoint moves past them too.
 * Events of one partition are in log order; events of different partitions are independent.
 */
export interface ProjectionBatch {
  readonly events: readonly PositionedEvent[];
  readonly positions: readonly PartitionPosition[];
}

export interface ApplyReport {
  /** Events at or above the stored next offset (applied, or judged no-ops by the rules). */
  readonly applied: number;
  /** Events below the stored next offset: already applied by an earlier delivery. */
  readonly skipped: number;
}

/** Both projections (Postgres, Redis) keep their own checkpoint; the runner resumes from the lower. */
export interface Projection {
  readonly name: string;
  apply(batch: ProjectionBatch): Promise<ApplyReport>;
  /** Stored next offsets of the given topics, keyed `${topic}:${partition}` (absent = 0). */
  nextOffsets(topics: readonly string[]): Promise<Map<string, bigint>>;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** Positions of a batch, one per partition, at the highest next offset given. */
export const mergePositions = (positions: readonly PartitionPosition[]): PartitionPosition[] => {
  const byKey = new Map<string, PartitionPosition>();
  for (const position of positions) {
    const key = partitionKey(position.topic, position.partition);
    const known = byKey.get(key);
    if (!known || BigInt(position.nextOffset) > BigInt(known.nextOffset)) byKey.set(key, position);
  }
  return [...byKey.values()].sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
};
