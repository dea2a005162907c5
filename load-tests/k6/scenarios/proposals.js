// @ts-check
import { check } from 'k6';
import exec from 'k6/execution';
import { fixtures } from '../lib/fixtures.js';
import { submitProposal } from '../lib/ingest.js';
import { arrayAt, isRecord, jsonBody, positionOf, stringAt } from '../lib/json.js';
import { proposalKey } from '../lib/keys.js';
import { participantAt } from '../lib/participants.js';

/** @param {Record<string, unknown> | undefined} body @param {string} pointer */
const reportsPointer = (body, pointer) => (arrayAt(body, 'errors') ?? []).some((error) => isRecord(error) && error.pointer === pointer);

/**
 * Scenario `proposals`: iteration i submits fixture i (a real text) as its author. Texts that
 * break a rule must be refused with 422 on /text; the others wait for moderation.
 * @param {import('../lib/types.js').RunData} data
 */
export async function propose(data) {
  const index = exec.scenario.iterationInTest;
  const { proposals } = fixtures();
  if (index >= proposals.length) return;
  const fixture = proposals[index];
  const author = await participantAt(data, fixture.author);
  if (author === undefined) return;
  const res = await submitProposal(data.slug, author.token, fixture.text, proposalKey(data, index), [fixture.expect]);
  const body = jsonBody(res);
  if (fixture.expect === 202) {
    check(res, {
      'proposal submitted (202 pending, with id and position)': () =>
        res.status === 202 && stringAt(body, 'proposalId') !== undefined && body?.status === 'pending' && positionOf(res) !== undefined,
    });
  } else {
    check(res, {
      'rule-breaking proposal refused (422 on /text)': () => res.status === 422 && body?.type === 'validation-failed' && reportsPointer(body, '/text'),
    });
  }
}
