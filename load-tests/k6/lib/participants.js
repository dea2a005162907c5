// @ts-check
import { check } from 'k6';
import { fixtures } from './fixtures.js';
import { register } from './ingest.js';
import { jsonBody, stringAt } from './json.js';
import { registrationKey } from './keys.js';
import { memory } from './memory.js';
import { participantsUnavailable } from './metrics.js';

/**
 * Registers fixture `index` (or replays its registration: same key, same body → the first answer,
 * API.md "Idempotency") and remembers the participant.
 * @param {import('./types.js').RunData} data @param {number} index @param {string} name request tag
 */
export const registerAt = async (data, index, name) => {
  const fixture = fixtures().registrations[index];
  const expected = fixture.tier === null ? 422 : 201;
  const res = await register(fixture.body, registrationKey(data, index), [expected], name);
  const body = jsonBody(res);
  const participantId = stringAt(body, 'participantId');
  const token = stringAt(body, 'token');
  if (res.status === 201 && participantId !== undefined && token !== undefined && fixture.tier !== null && body?.tier === fixture.tier) {
    memory.participants.set(index, { index, participantId, token, tier: fixture.tier });
  }
  return { res, body, fixture };
};

/**
 * The participant of fixture `index`: known to this VU, or registered / replayed now.
 * Undefined for an ambiguous fixture or a failed registration (counted and checked).
 * @param {import('./types.js').RunData} data @param {number} index
 */
export const participantAt = async (data, index) => {
  const known = memory.participants.get(index);
  if (known !== undefined) return known;
  if (fixtures().registrations[index].tier === null) return undefined;
  const { res } = await registerAt(data, index, 'participant-token');
  const participant = memory.participants.get(index);
  check(res, { 'participant token recovered (201, same tier)': () => participant !== undefined });
  if (participant === undefined) participantsUnavailable.add(1);
  return participant;
};

/** A random fixture index that registers (not an ambiguous postal code). */
export const randomParticipantIndex = () => {
  const { registrations } = fixtures();
  for (let attempt = 0; attempt < 20; attempt++) {
    const index = Math.floor(Math.random() * registrations.length);
    if (registrations[index].tier !== null) return index;
  }
  return registrations.findIndex((row) => row.tier !== null);
};
