// @ts-check
import { check } from 'k6';
import { config } from './config.js';
import { arrayAt, isRecord, jsonBody, stringAt } from './json.js';
import { memory, rememberAccepted } from './memory.js';
import { acceptedProposalsPage } from './query.js';

/** @type {Promise<void> | undefined} */
let listing;

/** Pages accepted proposals from the query API into memory, up to POOL_MAX. @param {string} slug */
const listAccepted = async (slug) => {
  memory.acceptedFetchedAt = Date.now();
  /** @type {string | null} */
  let cursor = null;
  while (memory.accepted.length < config.poolMax) {
    const res = await acceptedProposalsPage(slug, cursor);
    const body = jsonBody(res);
    const items = arrayAt(body, 'items');
    check(res, { 'accepted proposals listed (200 with items)': () => res.status === 200 && items !== undefined });
    if (items === undefined) return;
    for (const item of items) {
      const proposalId = isRecord(item) ? stringAt(item, 'proposalId') : undefined;
      if (proposalId !== undefined) rememberAccepted(proposalId);
    }
    const next = stringAt(body, 'nextCursor');
    if (next === undefined || next === '') return;
    cursor = next;
  }
};

/**
 * Proposals to vote on: those this VU saw accepted, or (k6 VUs that did not moderate) the list
 * of the query API, relisted every POOL_REFRESH_SECONDS, and at most once a second while empty.
 * @param {import('./types.js').RunData} data
 */
export const acceptedProposals = async (data) => {
  const age = Date.now() - memory.acceptedFetchedAt;
  const learnedByModerating = memory.accepted.length > 0 && memory.acceptedFetchedAt === 0;
  const fresh = memory.accepted.length > 0 ? age < config.poolRefreshSeconds * 1000 : age < 1000;
  if (learnedByModerating || fresh) return memory.accepted;
  if (listing === undefined) {
    listing = listAccepted(data.slug).finally(() => {
      listing = undefined;
    });
  }
  await listing;
  return memory.accepted;
};

/**
 * A proposal of `pool` not in `exclude`, skewed towards the front of the list (some proposals
 * draw more votes than others), or undefined after a few tries.
 * @param {string[]} pool @param {Set<string>} exclude
 */
export const pickProposal = (pool, exclude) => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const proposalId = pool[Math.floor(pool.length * Math.pow(Math.random(), 1.3))];
    if (!exclude.has(proposalId)) return proposalId;
  }
  return undefined;
};
