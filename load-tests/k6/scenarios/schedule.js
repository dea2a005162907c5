// @ts-check
import { check } from 'k6';
import { config } from '../lib/config.js';
import { scheduleConsultation } from '../lib/ingest.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * Scenario `schedule`: the consultation of the run, open for proposals and votes from an hour ago
 * for 30 days (windows are judged by the ingest clock). With SLUG set, the consultation may exist.
 * @param {import('../lib/types.js').RunData} data
 */
export async function schedule(data) {
  const now = Date.now();
  const opens = new Date(now - 3600 * 1000).toISOString();
  const closes = new Date(now + 30 * DAY_MS).toISOString();
  const res = await scheduleConsultation(data.slug, { proposalsOpenAt: opens, proposalsCloseAt: closes, votesOpenAt: opens, votesCloseAt: closes });
  check(res, {
    'consultation scheduled (201, or 409 for an existing SLUG)': () => res.status === 201 || (res.status === 409 && config.slug !== ''),
  });
}
