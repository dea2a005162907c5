import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { TIERS, Tier } from '@app/events';
import { TERRITORY_DATA_VERSION } from '@app/territory';
import { consultationNotFound } from '../infrastructure/query-params';
import { POPULATION_SHARES, RESULT_SETTINGS } from '../infrastructure/tokens';
import { memoize } from '../snapshot/consultation-snapshot';
import { SnapshotStore } from '../snapshot/snapshot-store';
import { GetResultsQuery, ResultsView } from './get-results.query';
import { ResultSettings, Results, computeResults } from './results';

/** Results from the consultation's snapshot, computed once per snapshot (memoized). */
@QueryHandler(GetResultsQuery)
export class GetResultsHandler implements IQueryHandler<GetResultsQuery, ResultsView> {
  constructor(
    private readonly snapshots: SnapshotStore,
    @Inject(POPULATION_SHARES) private readonly shares: Readonly<Record<Tier, number>>,
    @Inject(RESULT_SETTINGS) private readonly settings: ResultSettings,
  ) {}

  async execute({ slug, tier, limit }: GetResultsQuery): Promise<ResultsView> {
    const snapshot = await this.snapshots.get(slug);
    if (!snapshot) throw consultationNotFound(slug);
    const { thresholds } = snapshot.consultation;
    const participants = Object.fromEntries(TIERS.map((t) => [t, snapshot.counters[t].participants])) as Record<Tier, number>;
    const results = memoize(snapshot, 'results', () => computeResults(snapshot.proposals, participants, thresholds, this.shares, this.settings));
    const cut = <T>(list: T[]): T[] => (limit === undefined ? list : list.slice(0, limit));
    const section = (s: { plebiscites: Results['overall']['plebiscites']; controversies: Results['overall']['controversies'] }) => ({
      plebiscites: cut(s.plebiscites),
      controversies: cut(s.controversies),
    });
    const byTier: Results['byTier'] = {};
    for (const t of TIERS) {
      const s = results.byTier[t];
      if (s && (tier === undefined || tier === t)) byTier[t] = section(s);
    }
    return {
      asOf: snapshot.asOf,
      thresholds,
      settings: this.settings,
      territoryDataVersion: TERRITORY_DATA_VERSION,
      populationShare: this.shares,
      overall: section(results.overall),
      byTier,
      crossTier: { consensus: cut(results.crossTier.consensus), divergence: cut(results.crossTier.divergence) },
      representativeness: results.representativeness,
    };
  }
}
