// @ts-check
import { call } from './call.js';
import { config } from './config.js';

/** The query-api routes of API.md that the scenarios read, one function each. */
const query = (/** @type {string} */ path) => `${config.queryUrl}${path}`;
const consultation = (/** @type {string} */ slug) => `/v1/consultations/${encodeURIComponent(slug)}`;

/** @param {string} slug */
export const stats = (slug) => call('GET', query(`${consultation(slug)}/stats`), { name: 'stats', expect: [200] });

/** @param {string} proposalId @param {string} [token] a moderator token also shows pending and refused proposals */
export const proposalDetail = (proposalId, token) =>
  call('GET', query(`/v1/proposals/${proposalId}`), { name: 'proposal', expect: [200], ...(token !== undefined && { token }) });

/** @param {string} slug */
export const results = (slug) => call('GET', query(`${consultation(slug)}/results?limit=20`), { name: 'results', expect: [200] });

/** @param {string} slug @param {string} token */
export const sequence = (slug, token) => call('GET', query(`${consultation(slug)}/sequence?limit=10`), { name: 'sequence', expect: [200], token });

/** @param {string} token */
export const myVotes = (token) => call('GET', query('/v1/participants/me/votes'), { name: 'my-votes', expect: [200], token });

/** One page of accepted proposals, newest first. @param {string} slug @param {string | null} cursor */
export const acceptedProposalsPage = (slug, cursor) =>
  call('GET', query(`${consultation(slug)}/proposals?status=accepted&sort=recent&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`), {
    name: 'proposals-list',
    expect: [200],
  });
