// @ts-check
import { call } from './call.js';
import { config } from './config.js';

/**
 * The ingest-api routes of API.md, one function each: URLs and payloads live here only.
 * Every request carries a `name` tag, so metrics group by route and not by URL.
 */
const ingest = (/** @type {string} */ path) => `${config.ingestUrl}${path}`;

/** @param {string} slug @param {{ proposalsOpenAt: string, proposalsCloseAt: string, votesOpenAt: string, votesCloseAt: string }} windows */
export const scheduleConsultation = (slug, windows) =>
  call('POST', ingest('/v1/consultations'), {
    name: 'schedule',
    expect: [201, 409],
    token: config.moderatorToken,
    body: { slug, question: 'Comment améliorer les conditions de vie dans votre territoire ?', ...windows },
  });

/**
 * @param {import('./types.js').RegistrationBody} body @param {string} key @param {number[]} expect
 * @param {string} name `register` (the registration scenario), or `participant-token` when a VU needs the
 *   token of a participant it did not register: a replay of the first answer, or the registration
 *   itself if it has not happened yet
 */
export const register = (body, key, expect, name) => call('POST', ingest('/v1/participants'), { name, expect, key, body });

/** @param {string} slug @param {string} token @param {string} text @param {string} key @param {number[]} expect */
export const submitProposal = (slug, token, text, key, expect) =>
  call('POST', ingest(`/v1/consultations/${encodeURIComponent(slug)}/proposals`), { name: 'propose', expect, token, key, body: { text } });

/** @param {number} limit @param {string} slug */
export const moderationQueue = (limit, slug) =>
  call('GET', ingest(`/v1/moderation/queue?limit=${limit}&consultation=${encodeURIComponent(slug)}`), {
    name: 'moderation-queue',
    expect: [200],
    token: config.moderatorToken,
  });

/** @param {string} proposalId @param {string} key */
export const acceptProposal = (proposalId, key) =>
  call('POST', ingest(`/v1/moderation/proposals/${proposalId}/accept`), { name: 'accept', expect: [202], token: config.moderatorToken, key });

/** @param {string} proposalId @param {string} key @param {string} reason */
export const refuseProposal = (proposalId, key, reason) =>
  call('POST', ingest(`/v1/moderation/proposals/${proposalId}/refuse`), {
    name: 'refuse',
    expect: [202],
    token: config.moderatorToken,
    key,
    body: { reason },
  });

/** @param {string} token @param {string} proposalId @param {import('./types.js').Ballot} ballot @param {string} key @param {number[]} expect */
export const castVote = (token, proposalId, ballot, key, expect) =>
  call('PUT', ingest(`/v1/proposals/${proposalId}/vote`), { name: 'vote', expect, token, key, body: ballot });

/** @param {string} token @param {string} proposalId @param {string} key */
export const retractVote = (token, proposalId, key) =>
  call('DELETE', ingest(`/v1/proposals/${proposalId}/vote`), { name: 'retract', expect: [202], token, key });
