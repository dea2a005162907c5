// @ts-check
/**
 * What the scripts have learned during the run. Under k6 every VU has its own copy (k6 shares no
 * mutable state between VUs), so a VU that needs a token or proposal ids it did not obtain itself
 * recovers them from the system: registration replayed under the same Idempotency-Key, accepted
 * proposals listed by the query API. The Node runner loads the script once for all its VUs, so
 * there everything learned by one VU is known to all and the recovery paths are rarely taken.
 *
 * @typedef {{ participantIndex: number, remaining: number, voted: Set<string> }} Session
 */
export const memory = {
  /** Registration index → participant. @type {Map<number, import('./types.js').Participant>} */
  participants: new Map(),
  /** Accepted proposal ids, in the order they were learned. @type {string[]} */
  accepted: [],
  /** @type {Set<string>} */
  acceptedSet: new Set(),
  /** When the accepted list was last fetched from the query API (0: never, it was learned by moderating). */
  acceptedFetchedAt: 0,
  /** A voting session per VU (a citizen casting several votes in a row). @type {Map<number, Session>} */
  sessions: new Map(),
};

/** @param {string} proposalId */
export const rememberAccepted = (proposalId) => {
  if (memory.acceptedSet.has(proposalId)) return;
  memory.acceptedSet.add(proposalId);
  memory.accepted.push(proposalId);
};
