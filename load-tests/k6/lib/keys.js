// @ts-check
/**
 * Idempotency-Keys of the run. Deterministic, so that a retry and any VU that needs the same
 * answer (a participant's token) use the same key; prefixed by the run id, so that two runs never
 * share one (registration keys are global: API.md scopes them to the key alone).
 */

/** @param {import('./types.js').RunData} data @param {number} index */
export const registrationKey = (data, index) => `${data.runId}-p-${index}`;

/** @param {import('./types.js').RunData} data @param {number} index */
export const proposalKey = (data, index) => `${data.runId}-s-${index}`;

/** @param {import('./types.js').RunData} data @param {string} proposalId */
export const moderationKey = (data, proposalId) => `${data.runId}-m-${proposalId}`;

/** @param {import('./types.js').RunData} data @param {string} scenario @param {number} iteration @param {number} step */
export const voteKey = (data, scenario, iteration, step) => `${data.runId}-${scenario}-${iteration}-${step}`;
