// @ts-check
import { check } from 'k6';
import { config } from '../lib/config.js';
import { pause } from '../lib/call.js';
import { acceptProposal, moderationQueue, refuseProposal } from '../lib/ingest.js';
import { arrayAt, isRecord, jsonBody, stringAt } from '../lib/json.js';
import { moderationKey } from '../lib/keys.js';
import { rememberAccepted } from '../lib/memory.js';

const BATCH = 100;

/**
 * The same decision for a proposal whichever moderator takes it: refused when a hash of its id
 * falls under REFUSE_PERCENT. @param {string} proposalId
 */
const refuses = (proposalId) => {
  let hash = 2166136261;
  for (let i = 0; i < proposalId.length; i++) hash = Math.imul(hash ^ proposalId.charCodeAt(i), 16777619) >>> 0;
  return hash % 100 < config.refusePercent;
};

/** @param {unknown} item @param {string} slug @returns {string | undefined} */
const ownProposalId = (item, slug) => (isRecord(item) && item.consultation === slug ? stringAt(item, 'proposalId') : undefined);

/**
 * Scenario `moderation`: a moderator takes the oldest pending proposals of the run's
 * consultation from the queue and decides them all at once (accept, or refuse with a reason).
 * @param {import('../lib/types.js').RunData} data
 */
export async function moderate(data) {
  const res = await moderationQueue(BATCH, data.slug);
  const items = arrayAt(jsonBody(res), 'items');
  check(res, { 'moderation queue read (200 with items)': () => res.status === 200 && items !== undefined });
  const ids = (items ?? []).map((item) => ownProposalId(item, data.slug)).filter((id) => id !== undefined);
  if (ids.length === 0) {
    await pause(500);
    return;
  }
  await Promise.all(
    ids.map(async (proposalId) => {
      const refuse = refuses(proposalId);
      const key = moderationKey(data, proposalId);
      const decided = refuse ? await refuseProposal(proposalId, key, 'Hors sujet (test de charge)') : await acceptProposal(proposalId, key);
      check(decided, { 'moderation decision acknowledged (202)': () => decided.status === 202 });
      if (decided.status === 202 && !refuse) rememberAccepted(proposalId);
    }),
  );
}
