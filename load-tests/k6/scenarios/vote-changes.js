// @ts-check
import { check } from 'k6';
import exec from 'k6/execution';
import { mismatchedBallot, otherBallot, randomBallot } from '../lib/ballots.js';
import { config } from '../lib/config.js';
import { castVote } from '../lib/ingest.js';
import { problemType } from '../lib/json.js';
import { voteKey } from '../lib/keys.js';
import { votesWithoutProposal } from '../lib/metrics.js';
import { participantAt, randomParticipantIndex } from '../lib/participants.js';
import { acceptedProposals, pickProposal } from '../lib/pool.js';
import { writeVote } from '../lib/vote-writes.js';

/**
 * Scenario `voteChanges`: a citizen votes, sometimes sends a qualification that does not match
 * the value (422, nothing counted), changes their mind (another value), sometimes sends the same
 * vote again (a no-op downstream) and sometimes retracts (shares: config.changeMix). The writes
 * of one pair are sequential, and the ledger orders them by log position.
 * @param {import('../lib/types.js').RunData} data
 */
export async function changeVote(data) {
  const iteration = exec.scenario.iterationInTest;
  const participant = await participantAt(data, randomParticipantIndex());
  if (participant === undefined) return;
  const proposalId = pickProposal(await acceptedProposals(data), new Set());
  if (proposalId === undefined) {
    votesWithoutProposal.add(1);
    return;
  }
  const key = (/** @type {number} */ step) => voteKey(data, 'c', iteration, step);
  const first = randomBallot();
  if (!(await writeVote(participant, proposalId, first, key(0)))) return;
  if (Math.random() < config.changeMix.mismatch) {
    const res = await castVote(participant.token, proposalId, mismatchedBallot(), key(1), [422]);
    check(res, { 'mismatched qualification refused (422)': () => res.status === 422 && problemType(res) === 'validation-failed' });
  }
  const second = otherBallot(first);
  if (!(await writeVote(participant, proposalId, second, key(2)))) return;
  if (Math.random() < config.changeMix.repeat) await writeVote(participant, proposalId, second, key(3));
  if (Math.random() < config.changeMix.retract) await writeVote(participant, proposalId, null, key(4));
}
