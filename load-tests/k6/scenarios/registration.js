// @ts-check
import { check } from 'k6';
import exec from 'k6/execution';
import { fixtures } from '../lib/fixtures.js';
import { arrayAt } from '../lib/json.js';
import { memory } from '../lib/memory.js';
import { registerAt } from '../lib/participants.js';

/**
 * Scenario `registration`: iteration i registers fixture i (real commune and postal codes, tiers
 * mixed by population share). Ambiguous postal codes must be refused with the candidate communes.
 * @param {import('../lib/types.js').RunData} data
 */
export async function register(data) {
  const index = exec.scenario.iterationInTest;
  if (index >= fixtures().registrations.length) return;
  const { res, body, fixture } = await registerAt(data, index, 'register');
  if (fixture.tier === null) {
    check(res, {
      'ambiguous postal code refused (422 with candidates)': () =>
        res.status === 422 && body?.type === 'ambiguous-postal-code' && (arrayAt(body, 'candidates')?.length ?? 0) > 1,
    });
  } else {
    check(res, { 'participant registered (201 with token, expected tier)': () => memory.participants.has(index) });
  }
}
