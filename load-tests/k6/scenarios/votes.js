// @ts-check
import exec from 'k6/execution';
import { randomBallot } from '../lib/ballots.js';
import { voteKey } from '../lib/keys.js';
import { memory } from '../lib/memory.js';
import { votesWithoutProposal } from '../lib/metrics.js';
import { participantAt, randomParticipantIndex } from '../lib/participants.js';
import { plan } from '../lib/plan.js';
import { acceptedProposals, pickProposal } from '../lib/pool.js';
import { writeVote } from '../lib/vote-writes.js';

/**
 * Votes per session: 1 + a geometric draw, averaging votes ÷ participants (3.3 at the targets),
 * so that a run's votes come from about as many people as registered.
 */
const sessionLength = () => {
  const mean = Math.max(1, plan().votes / Math.max(1, plan().participants));
  const p = 1 / mean;
  return p >= 1 ? 1 : 1 + Math.floor(Math.log(1 - Math.random()) / Math.log(1 - p));
};

/** The citizen this VU is voting as, a new one when the last has cast all their votes. @param {number} vu */
const sessionOf = (vu) => {
  const known = memory.sessions.get(vu);
  if (known !== undefined && known.remaining > 0) return known;
  const session = { participantIndex: randomParticipantIndex(), remaining: sessionLength(), voted: new Set() };
  memory.sessions.set(vu, session);
  return session;
};

/**
 * Scenario `votes` (ramping arrival rate shaped like a TV peak): each iteration is one first vote
 * of the VU's current citizen on an accepted proposal they have not voted on in this session.
 * @param {import('../lib/types.js').RunData} data
 */
export async function vote(data) {
  const iteration = exec.scenario.iterationInTest;
  if (iteration >= plan().votes) return;
  const session = sessionOf(exec.vu.idInTest);
  const participant = await participantAt(data, session.participantIndex);
  if (participant === undefined) {
    session.remaining = 0;
    return;
  }
  const proposalId = pickProposal(await acceptedProposals(data), session.voted);
  if (proposalId === undefined) {
    votesWithoutProposal.add(1);
    return;
  }
  session.voted.add(proposalId);
  session.remaining -= 1;
  await writeVote(participant, proposalId, randomBallot(), voteKey(data, 'v', iteration, 0));
}
