import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeEvent, encodeEvent } from './codec';
import { DEFAULT_THRESHOLDS } from './consultation-events';
import { VoteCast } from './vote-events';

const vote: VoteCast = {
  type: 'VoteCast',
  schemaVersion: 1,
  eventId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  occurredAt: '2021-02-10T12:00:00.000Z',
  data: {
    proposalId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
    consultation: 'grande-cause-territoires',
    participantId: '9f8e7d6c-5b4a-4f3e-8d2c-1b0a9f8e7d6c',
    voterTier: 'medium',
    value: 'agree',
    qualifications: ['doable', 'likeIt'],
  },
  meta: { correlationId: 'req-1' },
};

describe('event codec', () => {
  it('round-trips a current event unchanged', () => {
    expect(decodeEvent(encodeEvent(vote))).toEqual({ ok: true, event: vote });
  });

  it('upcasts the stored v1 ConsultationScheduled fixture to v2 with the default thresholds', () => {
    const fixture = readFileSync(join(__dirname, 'fixtures/consultation-scheduled.v1.json'));
    const decoded = decodeEvent(fixture);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.event.type).toBe('ConsultationScheduled');
    expect(decoded.event.schemaVersion).toBe(2);
    expect(decoded.event.data).toMatchObject({ slug: 'grande-cause-territoires', thresholds: DEFAULT_THRESHOLDS });
    expect(decoded.event.eventId).toBe('0b7e6a1c-3d2f-5a4b-9c8d-7e6f5a4b3c2d');
  });

  it.each([
    ['not JSON', '{oops', /not JSON/],
    ['an unknown type', JSON.stringify({ ...vote, type: 'VoteStolen' }), /unknown event VoteStolen@1/],
    ['a future version', JSON.stringify({ ...vote, schemaVersion: 9 }), /unknown event VoteCast@9/],
    ['a tier that does not exist', JSON.stringify({ ...vote, data: { ...vote.data, voterTier: 'huge' } }), /voterTier/],
    ['a qualification that does not exist', JSON.stringify({ ...vote, data: { ...vote.data, qualifications: ['meh'] } }), /qualifications\/0/],
    ['an unknown data field', JSON.stringify({ ...vote, data: { ...vote.data, extra: 1 } }), /extra: unknown field/],
    ['a missing eventId', JSON.stringify({ ...vote, eventId: undefined }), /eventId/],
    ['an occurredAt without offset', JSON.stringify({ ...vote, occurredAt: '2021-02-10T12:00:00' }), /occurredAt/],
  ])('refuses %s with a reason', (_name, raw, reason) => {
    const decoded = decodeEvent(raw);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reason).toMatch(reason);
  });

  it('refuses a tombstone', () => {
    expect(decodeEvent(null)).toEqual({ ok: false, reason: 'empty record value (tombstone)' });
  });
});
