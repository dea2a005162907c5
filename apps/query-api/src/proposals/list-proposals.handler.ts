import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { consultationNotFound } from '../infrastructure/query-params';
import { ProposalRecord, memoize } from '../snapshot/consultation-snapshot';
import { SnapshotStore } from '../snapshot/snapshot-store';
import { decodeCursor, encodeCursor } from './cursor';
import { ListProposalsQuery, ProposalPage } from './list-proposals.query';
import { proposalView } from './proposal-view';
import { KEY_LENGTH, RankKey, compareKeys, indexAfter, rankKey } from './ranking';

/**
 * A page of a consultation's proposals from its snapshot: the list is filtered and sorted once
 * per snapshot (memoized), and a page is a binary search for the cursor's key plus a slice.
 */
@QueryHandler(ListProposalsQuery)
export class ListProposalsHandler implements IQueryHandler<ListProposalsQuery, ProposalPage> {
  constructor(private readonly snapshots: SnapshotStore) {}

  async execute(query: ListProposalsQuery): Promise<ProposalPage> {
    const snapshot = await this.snapshots.get(query.slug);
    if (!snapshot) throw consultationNotFound(query.slug);
    const list = `${query.status}|${query.sort}|${query.tier ?? ''}|${query.authorTier ?? ''}`;
    const sorted = memoize(snapshot, `list:${list}`, () =>
      snapshot.proposals
        .filter((p) => visible(p, query.status) && (!query.authorTier || p.authorTier === query.authorTier))
        .map((p) => ({ p, key: rankKey(p, query.sort, query.tier, snapshot.consultation.thresholds) }))
        .sort((a, b) => compareKeys(a.key, b.key)),
    );
    const start = query.cursor ? indexAfter(sorted, decodeCursor(query.cursor, list, KEY_LENGTH[query.sort])) : 0;
    const page = sorted.slice(start, start + query.limit);
    const more = start + query.limit < sorted.length;
    const last: RankKey | undefined = page[page.length - 1]?.key;
    return {
      items: page.map(({ p }) => proposalView(p)),
      nextCursor: more && last ? encodeCursor(list, last) : null,
      asOf: snapshot.asOf,
    };
  }
}

const visible = (p: ProposalRecord, status: ListProposalsQuery['status']): boolean =>
  status === 'accepted' ? p.inResults : p.status === status;
