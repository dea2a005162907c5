import { Tier } from '@app/events';
import { ProposalRecord, ProposalStatus } from '../snapshot/consultation-snapshot';
import { TallyView, tallyView } from '../infrastructure/tallies';

/** API.md's ProposalView. */
export interface ProposalView {
  readonly proposalId: string;
  readonly consultation: string;
  readonly text: string;
  readonly author: { readonly firstName?: string; readonly ageRange?: string; readonly tier: Tier };
  readonly status: ProposalStatus;
  readonly submittedAt: string;
  readonly votes: TallyView;
  readonly byTier: { readonly [T in Tier]: TallyView };
}

/**
 * The first name shown publicly (and in the open-data export): none for an author under 18, as
 * Make.org's open data does; none once the author's personal data is erased.
 */
export const publicFirstName = (firstName: string | null, ageRange: string | null): string | null =>
  ageRange === '<18' ? null : firstName;

export const authorView = (firstName: string | null, ageRange: string | null, tier: Tier): ProposalView['author'] => {
  const shown = publicFirstName(firstName, ageRange);
  return { ...(shown ? { firstName: shown } : {}), ...(ageRange ? { ageRange } : {}), tier };
};

export const proposalView = (p: ProposalRecord): ProposalView => ({
  proposalId: p.proposalId,
  consultation: p.consultation,
  text: p.text,
  author: authorView(p.firstName, p.ageRange, p.authorTier),
  status: p.status,
  submittedAt: p.submittedAt,
  votes: tallyView(p.overall),
  byTier: { rural: tallyView(p.byTier.rural), medium: tallyView(p.byTier.medium), large: tallyView(p.byTier.large) },
});
