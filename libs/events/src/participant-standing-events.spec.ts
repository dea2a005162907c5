import { decodeEvent, encodeEvent } from './codec';
import { keyOf, topicOf } from './topics';
import { ParticipantDisqualified } from './participant-standing-events';

const disqualified: ParticipantDisqualified = {
  type: 'ParticipantDisqualified',
  schemaVersion: 1,
  eventId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  occurredAt: '2021-02-12T09:30:00.000Z',
  data: {
    participantId: '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c',
    moderator: 'modo-abuse',
    reason: 'Inscriptions en rafale et votes identiques',
    flagIds: ['1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d'],
  },
  meta: { correlationId: 'req-9' },
};

const registeredV1 = {
  type: 'ParticipantRegistered',
  schemaVersion: 1,
  eventId: '0b7e6a1c-3d2f-4a4b-9c8d-7e6f5a4b3c2d',
  occurredAt: '2021-02-10T12:00:00.000Z',
  data: {
    participantId: '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c',
    tier: 'large',
    territory: { communeCode: '75101', communeName: 'Paris 1er Arrondissement', departement: '75', region: '11', population: 15917 },
    territoryDataVersion: '6.0.0',
  },
  meta: { correlationId: 'req-1' },
};

describe('disqualification events and the network id of a registration', () => {
  it('round-trips ParticipantDisqualified and ParticipantRequalified on the participants topic, keyed by participant', () => {
    expect(decodeEvent(encodeEvent(disqualified))).toEqual({ ok: true, event: disqualified });
    const requalified = { ...disqualified, type: 'ParticipantRequalified' as const, data: { ...disqualified.data, flagIds: [] } };
    expect(decodeEvent(encodeEvent(requalified))).toEqual({ ok: true, event: requalified });
    expect(topicOf('ParticipantDisqualified')).toBe('participants');
    expect(topicOf('ParticipantRequalified')).toBe('participants');
    expect(keyOf(disqualified)).toBe(disqualified.data.participantId);
  });

  it.each([
    ['a missing reason', { ...disqualified.data, reason: undefined }, /reason/],
    ['an empty reason', { ...disqualified.data, reason: '' }, /reason: shorter than 1/],
    ['a flag id that is not a UUID', { ...disqualified.data, flagIds: ['flag-1'] }, /flagIds\/0/],
    ['no moderator', { ...disqualified.data, moderator: undefined }, /moderator/],
    ['an unknown field', { ...disqualified.data, ip: '203.0.113.9' }, /ip: unknown field/],
  ])('refuses a ParticipantDisqualified with %s', (_name, data, reason) => {
    const decoded = decodeEvent(JSON.stringify({ ...disqualified, data }));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('upcasts a v1 registration to v2 without a network id, and accepts a v2 one with it', () => {
    const upcast = decodeEvent(JSON.stringify(registeredV1));
    expect(upcast).toEqual({ ok: true, event: { ...registeredV1, schemaVersion: 2 } });
    const v2 = { ...registeredV1, schemaVersion: 2, data: { ...registeredV1.data, networkId: 'Q2xhaXJlbWVudFBhc1VuZUlQ' } };
    expect(decodeEvent(JSON.stringify(v2))).toEqual({ ok: true, event: v2 });
  });

  it('refuses a network id that looks like an address, and a network id on a v1 registration', () => {
    const withAddress = { ...registeredV1, schemaVersion: 2, data: { ...registeredV1.data, networkId: '203.0.113.0/24' } };
    expect(decodeEvent(JSON.stringify(withAddress)).ok).toBe(false);
    const v1WithNetwork = { ...registeredV1, data: { ...registeredV1.data, networkId: 'Q2xhaXJlbWVudFBhc1VuZUlQ' } };
    expect(decodeEvent(JSON.stringify(v1WithNetwork)).ok).toBe(false);
  });
});
