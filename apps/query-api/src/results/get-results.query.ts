import { Thresholds, Tier } from '@app/events';
import { AsOf } from '../infrastructure/as-of';
import { ResultSettings, Results } from './results';

export class GetResultsQuery {
  constructor(
    readonly slug: string,
    /** Only this tier in `byTier`. */
    readonly tier: Tier | undefined,
    /** Truncate every list to this many items (lists are complete without it). */
    readonly limit: number | undefined,
  ) {}
}

export type ResultsView = Results & {
  readonly asOf: AsOf;
  readonly thresholds: Thresholds;
  readonly settings: ResultSettings;
  readonly territoryDataVersion: string;
  readonly populationShare: Readonly<Record<Tier, number>>;
};
