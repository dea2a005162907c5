import { ProposalState, WriteModelView } from './write-model';

/**
 * Oldest pending proposals first, by submission instant, ties broken by proposalId so the order
 * is the same in every replica. The order of arrival is NOT used: the proposals topic has several
 * partitions, and a rebuild may read one partition after another.
 *
 * Cost: one pass over the pending proposals keeping the `limit` oldest in a sorted buffer,
 * O(pending · log limit); no sort of the whole set and no index to maintain on the hot path.
 */
const olderFirst = (a: ProposalState, b: ProposalState): number =>
  a.submittedAtMs - b.submittedAtMs || (a.proposalId < b.proposalId ? -1 : a.proposalId > b.proposalId ? 1 : 0);

export const moderationQueue = (state: WriteModelView, limit: number): readonly ProposalState[] => {
  const oldest: ProposalState[] = [];
  if (limit <= 0) return oldest;
  for (const proposal of state.pending.values()) {
    if (oldest.length === limit && olderFirst(proposal, oldest[limit - 1]) >= 0) continue;
    let lo = 0;
    let hi = oldest.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (olderFirst(oldest[mid], proposal) <= 0) lo = mid + 1;
      else hi = mid;
    }
    oldest.splice(lo, 0, proposal);
    if (oldest.length > limit) oldest.pop();
  }
  return oldest;
};
