import { TOPIC_SPECS, keyOf, topicOf } from './topics';
import { CURRENT_VERSION, DomainEventType } from './domain-event';

describe('topics', () => {
  it('routes every event type to a declared topic', () => {
    const declared = new Set(TOPIC_SPECS.map((t) => t.name));
    for (const type of Object.keys(CURRENT_VERSION) as DomainEventType[]) {
      expect(declared.has(topicOf(type))).toBe(true);
    }
  });

  it('gives the votes topic at least 12 partitions', () => {
    expect(TOPIC_SPECS.find((t) => t.name === 'votes')?.partitions).toBeGreaterThanOrEqual(12);
  });

  it('keys votes by participant so one voter’s votes on a proposal stay in order', () => {
    const data = { proposalId: 'p', consultation: 'c', participantId: 'voter-7', voterTier: 'rural' as const };
    const meta = { correlationId: 'x' };
    const base = { eventId: 'e', occurredAt: 't', meta, schemaVersion: 1 as const };
    expect(keyOf({ ...base, type: 'VoteRetracted', data })).toBe('voter-7');
    expect(keyOf({ ...base, type: 'VoteCast', data: { ...data, value: 'agree', qualifications: [] } })).toBe('voter-7');
  });
});
