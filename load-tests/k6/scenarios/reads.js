// @ts-check
import { check } from 'k6';
import { isJson, jsonBody, recordAt, stringAt } from '../lib/json.js';
import { participantAt, randomParticipantIndex } from '../lib/participants.js';
import { acceptedProposals, pickProposal } from '../lib/pool.js';
import { myVotes, proposalDetail, results, sequence, stats } from '../lib/query.js';

/** What a front page reads while votes flow, in these proportions (percent). */
const MIX = /** @type {const} */ ([
  ['stats', 40],
  ['proposal', 35],
  ['sequence', 15],
  ['results', 5],
  ['my-votes', 5],
]);

const pickRead = () => {
  let u = Math.random() * 100;
  for (const [kind, weight] of MIX) {
    if ((u -= weight) < 0) return kind;
  }
  return MIX[0][0];
};

/** Every read answer says which log positions it reflects. @param {Record<string, unknown> | undefined} body */
const hasAsOf = (body) => recordAt(recordAt(body, 'asOf'), 'positions') !== undefined;

/** @param {import('k6/http').RefinedResponse<'text'>} res */
const isPrivate = (res) => (res.headers['Cache-Control'] ?? '').includes('no-store');

/** @param {import('../lib/types.js').RunData} data */
export async function readStats(data) {
  const res = await stats(data.slug);
  const body = jsonBody(res);
  check(res, { 'stats read (200, votes, byTier, asOf)': () => res.status === 200 && typeof body?.votes === 'number' && recordAt(body, 'byTier') !== undefined && hasAsOf(body) });
}

/** @param {import('../lib/types.js').RunData} data */
export async function readResults(data) {
  const res = await results(data.slug);
  const body = jsonBody(res);
  check(res, { 'results read (200, overall, byTier, asOf)': () => res.status === 200 && recordAt(body, 'overall') !== undefined && recordAt(body, 'byTier') !== undefined && hasAsOf(body) });
}

/** @param {import('../lib/types.js').RunData} data */
export async function readProposal(data) {
  const proposalId = pickProposal(await acceptedProposals(data), new Set());
  if (proposalId === undefined) return;
  const res = await proposalDetail(proposalId);
  const body = jsonBody(res);
  check(res, {
    'proposal detail read (200, tallies overall and per tier)': () =>
      res.status === 200 && stringAt(body, 'proposalId') === proposalId && typeof recordAt(body, 'votes')?.total === 'number' && recordAt(recordAt(body, 'byTier'), 'rural') !== undefined,
  });
}

/** @param {'sequence' | 'my-votes'} kind @param {import('../lib/types.js').RunData} data */
const readAsParticipant = async (kind, data) => {
  const participant = await participantAt(data, randomParticipantIndex());
  if (participant === undefined) return;
  const res = kind === 'sequence' ? await sequence(data.slug, participant.token) : await myVotes(participant.token);
  check(res, { [`${kind} read (200, private)`]: () => res.status === 200 && isJson(res) && isPrivate(res) });
};

/** @param {import('../lib/types.js').RunData} data */
export const readSequence = (data) => readAsParticipant('sequence', data);

/** @param {import('../lib/types.js').RunData} data */
export const readMyVotes = (data) => readAsParticipant('my-votes', data);

const READS = { stats: readStats, proposal: readProposal, sequence: readSequence, results: readResults, 'my-votes': readMyVotes };

/**
 * Scenario `reads`: the public reads of API.md alongside the votes (stats, proposal detail,
 * sequence, results, my votes), each checked for its documented shape. Each read is exported
 * too, for a scenario of one kind (e.g. `exec: 'readStats'` for the stats read target).
 * @param {import('../lib/types.js').RunData} data
 */
export async function read(data) {
  await READS[pickRead()](data);
}
