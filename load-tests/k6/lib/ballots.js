// @ts-check
/** Random ballots following Make.org's rules (DESIGN.md "Vote rules"). */

/** @type {Record<import('./types.js').VoteValue, string[]>} */
export const QUALIFICATIONS_BY_VALUE = {
  agree: ['likeIt', 'doable', 'platitudeAgree'],
  disagree: ['noWay', 'impossible', 'platitudeDisagree'],
  neutral: ['doNotUnderstand', 'noOpinion', 'doNotCare'],
};

/** @type {import('./types.js').VoteValue[]} */
const VALUES = ['agree', 'disagree', 'neutral'];

/** agree 55 %, disagree 30 %, neutral 15 % (a consultation where most proposals are liked). */
const randomValue = () => {
  const u = Math.random();
  return u < 0.55 ? 'agree' : u < 0.85 ? 'disagree' : 'neutral';
};

/** No qualification 40 %, one 45 %, two 15 %. @param {import('./types.js').VoteValue} value */
const randomQualifications = (value) => {
  const u = Math.random();
  const count = u < 0.4 ? 0 : u < 0.85 ? 1 : 2;
  const allowed = [...QUALIFICATIONS_BY_VALUE[value]];
  /** @type {string[]} */
  const chosen = [];
  while (chosen.length < count) chosen.push(allowed.splice(Math.floor(Math.random() * allowed.length), 1)[0]);
  return chosen;
};

/** @returns {import('./types.js').Ballot} */
export const randomBallot = () => {
  const value = randomValue();
  return { value, qualifications: randomQualifications(value) };
};

/** A ballot with another value than `ballot` (a change of mind). @param {import('./types.js').Ballot} ballot */
export const otherBallot = (ballot) => {
  const others = VALUES.filter((value) => value !== ballot.value);
  const value = others[Math.floor(Math.random() * others.length)];
  return { value, qualifications: randomQualifications(value) };
};

/** A ballot the server must refuse with 422: a qualification of another value. */
export const mismatchedBallot = () => ({ value: /** @type {const} */ ('agree'), qualifications: ['noWay'] });
