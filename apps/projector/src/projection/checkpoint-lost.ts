/**
 * A projection had a checkpoint for these partitions and its store no longer has one: the store
 * lost its keys (Redis FLUSHALL, eviction, a failover to an empty replica). The batch was refused
 * untouched; the runner replays each partition from what the projection stores now (for a
 * flushed Redis: offset 0), so the projection is rebuilt exact from the log while the others skip
 * what they already applied.
 */
export class CheckpointLostError extends Error {
  constructor(
    readonly projection: string,
    readonly partitions: readonly string[],
  ) {
    super(`${projection} projection: the checkpoint of ${partitions.join(', ')} is gone (store emptied?): replaying from the position it stores now`);
    this.name = 'CheckpointLostError';
  }
}
