import { ReadModels } from '../infrastructure/read-models';
import { TtlCache } from '../infrastructure/ttl-cache';
import { CONSULTATION_SQL_COLUMNS, ConsultationInfo, ConsultationRow, consultationFromRow } from './consultation';

/** Known consultations (one primary-key read per slug every few seconds), for the hot endpoints. */
export class ConsultationDirectory {
  private readonly cache = new TtlCache<ConsultationInfo | null>(5000, 256);

  constructor(private readonly models: ReadModels) {}

  get(slug: string): Promise<ConsultationInfo | null> {
    return this.cache.get(slug, async () => {
      const found = await this.models.pool.query<ConsultationRow>(
        `SELECT ${CONSULTATION_SQL_COLUMNS} FROM ${this.models.t('consultations')} WHERE slug = $1`,
        [slug],
      );
      return found.rows.length === 0 ? null : consultationFromRow(found.rows[0]);
    });
  }
}
