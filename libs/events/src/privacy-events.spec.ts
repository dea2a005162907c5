import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, encodeEvent } from './codec';
import { makeEvent } from './make-event';
import { keyOf, topicOf } from './topics';

const context = { eventId: '0b7e6a1c-3d2f-5a4b-9c8d-7e6f5a4b3c2d', occurredAt: new Date('2021-02-12T10:30:00Z'), correlationId: 'spec' };
const participantId = '3a1f0c2e-5b7d-4e9f-8a1c-2e4b6d8f0a1c';

describe('privacy events', () => {
  it('ParticipantErased travels on the participants topic, keyed by participant, and round-trips', () => {
    const event = makeEvent('ParticipantErased', { participantId, requestedBy: 'moderator', moderator: 'local' }, context);
    expect(topicOf(event.type)).toBe('participants');
    expect(keyOf(event)).toBe(participantId);
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
  });

  it('refuses a ParticipantErased without who asked, with a non-uuid participant or with any extra field', () => {
    const bad = (data: unknown) => decodeEvent(JSON.stringify({ ...makeEvent('ParticipantErased', { participantId, requestedBy: 'participant' }, context), data }));
    expect(bad({ participantId, requestedBy: 'participant' })).toMatchObject({ ok: true });
    expect(bad({ participantId })).toMatchObject({ ok: false });
    expect(bad({ participantId, requestedBy: 'someone' })).toMatchObject({ ok: false });
    expect(bad({ participantId: 'nope', requestedBy: 'participant' })).toMatchObject({ ok: false });
    expect(bad({ participantId, requestedBy: 'participant', firstName: 'Léa' })).toMatchObject({ ok: false });
  });

  it('upcasts the stored v1 ProposalRefused fixture to v2 with the reason code `other`, moderator kept', () => {
    const decoded = decodeEvent(readFileSync(join(__dirname, 'fixtures/proposal-refused.v1.json')));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.event).toMatchObject({ type: 'ProposalRefused', schemaVersion: 2, data: { moderator: 'local', reason: 'hors sujet', reasonCode: 'other' } });
  });

  it('decodes a v2 refusal for personal data and refuses an unknown reason code', () => {
    const data = { proposalId: participantId, consultation: 'c', moderator: 'local', reason: 'nom et téléphone', reasonCode: 'personal-data' as const };
    const event = makeEvent('ProposalRefused', data, context);
    expect(decodeEvent(encodeEvent(event))).toEqual({ ok: true, event });
    expect(decodeEvent(JSON.stringify({ ...event, data: { ...data, reasonCode: 'because' } }))).toMatchObject({ ok: false });
  });
});

describe('decode reasons', () => {
  it('never quote the record: a reason may be logged', () => {
    const decoded = decodeEvent('Zéphyrine {"type": "ParticipantRegistered"');
    expect(decoded).toEqual({ ok: false, reason: expect.stringMatching(/^not JSON/) });
    expect(JSON.stringify(decoded)).not.toContain('Zéphyrine');
  });
});
