// @ts-check
import { check } from 'k6';
import { castVote, retractVote } from './ingest.js';
import { positionOf } from './json.js';
import { recordVoteWrite } from './ledger.js';
import { voteWritesAcknowledged, writesUnconfirmed } from './metrics.js';

/**
 * Casts `ballot` (or retracts, when null) and records the outcome in the ledger: acknowledged with
 * its log position, or unconfirmed (503 / no answer after every retry). Returns whether the
 * write was acknowledged.
 * @param {import('./types.js').Participant} participant @param {string} proposalId
 * @param {import('./types.js').Ballot | null} ballot @param {string} key
 */
export const writeVote = async (participant, proposalId, ballot, key) => {
  const res = ballot === null ? await retractVote(participant.token, proposalId, key) : await castVote(participant.token, proposalId, ballot, key, [202]);
  const position = res.status === 202 ? positionOf(res) : undefined;
  const unconfirmed = res.status === 503 || res.status === 0;
  if (position !== undefined || unconfirmed) {
    recordVoteWrite({
      participantId: participant.participantId,
      proposalId,
      tier: participant.tier,
      value: ballot === null ? null : ballot.value,
      qualifications: ballot === null ? [] : ballot.qualifications,
      topic: position === undefined ? null : position.topic,
      partition: position === undefined ? null : position.partition,
      offset: position === undefined ? null : position.offset,
    });
  }
  if (position !== undefined) voteWritesAcknowledged.add(1);
  if (unconfirmed) writesUnconfirmed.add(1);
  const label = ballot === null ? 'retraction acknowledged (202 with position)' : 'vote acknowledged (202 with position)';
  check(res, { [label]: () => position !== undefined });
  return position !== undefined;
};
