import { deterministicUuid, ProposalAccepted, VoteCast } from '@app/events';

/** A valid VoteCast; `seq` makes its event id unique, `voter` picks its key. */
export const voteCast = (seq: number, voter = `voter-${seq % 97}`): VoteCast => ({
  type: 'VoteCast',
  schemaVersion: 1,
  eventId: deterministicUuid('test-vote', String(seq)),
  occurredAt: '2021-02-10T12:00:00.000Z',
  data: {
    proposalId: deterministicUuid('proposal', String(seq % 500)),
    consultation: 'grande-cause-territoires',
    participantId: deterministicUuid('participant', voter),
    voterTier: 'medium',
    value: 'agree',
    qualifications: ['doable', 'likeIt'],
  },
  meta: { correlationId: `req-${seq}` },
});

export const proposalAccepted = (seq: number): ProposalAccepted => ({
  type: 'ProposalAccepted',
  schemaVersion: 1,
  eventId: deterministicUuid('test-accept', String(seq)),
  occurredAt: '2021-02-10T12:00:00.000Z',
  data: {
    proposalId: deterministicUuid('proposal', String(seq)),
    consultation: 'grande-cause-territoires',
    moderator: 'moderator-1',
  },
  meta: { correlationId: `req-accept-${seq}` },
});
