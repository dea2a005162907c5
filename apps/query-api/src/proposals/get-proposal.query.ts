import { AsOf } from '../infrastructure/as-of';
import { Viewer } from '../auth/viewer';
import { ProposalView } from './proposal-view';

export class GetProposalQuery {
  constructor(
    readonly proposalId: string,
    readonly viewer: Viewer,
  ) {}
}

export type ProposalAnswer = ProposalView & { readonly asOf: AsOf };

export interface GetProposalResult {
  readonly answer: ProposalAnswer;
  readonly source: 'redis' | 'postgres';
}
