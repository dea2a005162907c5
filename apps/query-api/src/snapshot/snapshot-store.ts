import { ReadModels } from '../infrastructure/read-models';
import { TtlCache } from '../infrastructure/ttl-cache';
import { ConsultationSnapshot, loadConsultationSnapshot } from './consultation-snapshot';

/**
 * Serves each consultation's snapshot for SNAPSHOT_TTL_MS; past that, the next request triggers
 * one reload in the background and is still answered from the previous snapshot, for up to
 * SNAPSHOT_MAX_STALE_MS (after which a request waits for the reload). Readers thus cost at most
 * one Postgres load per consultation and TTL whatever the traffic, never wait for a reload under
 * steady traffic, and every answer carries the asOf of the snapshot it was built from.
 */
export class SnapshotStore {
  private readonly cache: TtlCache<ConsultationSnapshot | null>;

  constructor(
    private readonly models: ReadModels,
    ttlMs: number,
    maxStaleMs: number,
  ) {
    this.cache = new TtlCache(ttlMs, 32, maxStaleMs);
  }

  get(slug: string): Promise<ConsultationSnapshot | null> {
    return this.cache.get(slug, () => loadConsultationSnapshot(this.models, slug));
  }
}
