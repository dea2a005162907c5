import { DomainEvent, physicalTopic } from '@app/events';
import { createKafka, readLog } from '@app/kafka';
import { eventually, testEnv } from '@app/testing';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import { call } from './http-client';

/**
 * Over HTTP against the real broker: every accepted command leaves exactly the event it should
 * on its topic, with the key that orders it, and the voter's tier decided at registration.
 */
describe('ingest-api appends the events of accepted commands', () => {
  let ingest: IngestHarness;
  const kafka = createKafka({ brokers: testEnv.kafkaBrokers(), clientId: 'events-test', logLevel: 'nothing' });

  beforeAll(async () => {
    ingest = await startIngest('events');
  });
  afterAll(async () => {
    await ingest.close();
  });

  const readTopic = async (name: 'consultations' | 'participants' | 'proposals' | 'votes') => {
    const records: { event: DomainEvent; key: string; partition: number; offset: string }[] = [];
    const reader = readLog(kafka, [physicalTopic(ingest.topicPrefix, name)], (decoded, record) => {
      if (!decoded.ok) throw new Error(decoded.reason);
      records.push({ event: decoded.event, key: record.key?.toString() ?? '', partition: record.partition, offset: record.offset });
    });
    await reader.caughtUp;
    await reader.stop();
    return records;
  };

  it('records consultation, registration, proposal, moderation and votes with their keys and tiers', async () => {
    const scheduled = await call(ingest.url, 'POST', '/v1/consultations', {
      token: MODERATOR_TOKEN,
      body: {
        slug: 'grande-cause',
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2020-01-01T00:00:00+01:00',
        proposalsCloseAt: '2099-01-01T00:00:00Z',
        votesOpenAt: '2020-01-01T00:00:00Z',
        votesCloseAt: '2099-01-01T00:00:00Z',
        thresholds: { minVotes: 50 },
      },
    });
    expect(scheduled.status).toBe(201);

    const author = await call<{ participantId: string; token: string; tier: string }>(ingest.url, 'POST', '/v1/participants', {
      body: { communeCode: '69381', firstName: 'Léa', ageRange: '25-34' },
    });
    expect(author.status).toBe(201);
    expect(author.body.tier).toBe('large');

    const voter = await call<{ participantId: string; token: string; tier: string }>(ingest.url, 'POST', '/v1/participants', {
      body: { communeCode: '2A004' },
    });
    expect(voter.body.tier).toBe('medium');

    const submitted = await call<{ proposalId: string; position: { partition: number; offset: string } }>(
      ingest.url,
      'POST',
      '/v1/consultations/grande-cause/proposals',
      { token: author.body.token, body: { text: '  Il faut  des médecins\ndans chaque canton  ' } },
    );
    expect(submitted.status).toBe(202);
    const proposalId = submitted.body.proposalId;

    expect((await call(ingest.url, 'POST', `/v1/moderation/proposals/${proposalId}/accept`, { token: MODERATOR_TOKEN })).status).toBe(202);
    const vote = await call<{ position: { topic: string; partition: number; offset: string } }>(
      ingest.url,
      'PUT',
      `/v1/proposals/${proposalId}/vote`,
      { token: voter.body.token, body: { value: 'agree', qualifications: ['likeIt', 'doable', 'likeIt'] } },
    );
    expect(vote.status).toBe(202);
    expect((await call(ingest.url, 'DELETE', `/v1/proposals/${proposalId}/vote`, { token: voter.body.token })).status).toBe(202);

    const consultations = await readTopic('consultations');
    expect(consultations).toHaveLength(1);
    expect(consultations[0].key).toBe('grande-cause');
    expect(consultations[0].event).toMatchObject({
      type: 'ConsultationScheduled',
      schemaVersion: 2,
      data: { slug: 'grande-cause', scheduledBy: 'tester', thresholds: { minVotes: 50, minAdhesion: 0.8 } },
    });

    const participants = await readTopic('participants');
    expect(participants.map((r) => r.key).sort()).toEqual([author.body.participantId, voter.body.participantId].sort());
    const registered = participants.find((r) => r.key === author.body.participantId)?.event;
    expect(registered).toMatchObject({ type: 'ParticipantRegistered', data: { tier: 'large', territory: { communeCode: '69123' } } });
    // Personal data travels sealed, never in clear.
    expect(JSON.stringify(registered)).not.toContain('Léa');
    expect(JSON.stringify(registered)).not.toContain('25-34');

    const proposals = await readTopic('proposals');
    expect(proposals.map((r) => [r.event.type, r.key])).toEqual([
      ['ProposalSubmitted', proposalId],
      ['ProposalAccepted', proposalId],
    ]);
    // NFC, newline folded to a space, trimmed; inner spaces are kept as written.
    expect(proposals[0].event.data).toMatchObject({ text: 'Il faut  des médecins dans chaque canton', authorTier: 'large' });
    expect(proposals[1].event.data).toMatchObject({ moderator: 'tester' });
    expect(String(proposals[0].partition)).toBe(String(submitted.body.position.partition));

    const votes = await eventually(async () => {
      const found = await readTopic('votes');
      expect(found).toHaveLength(2);
      return found;
    });
    expect(votes.map((r) => r.key)).toEqual([voter.body.participantId, voter.body.participantId]);
    expect(votes[0].event).toMatchObject({
      type: 'VoteCast',
      data: { proposalId, voterTier: 'medium', value: 'agree', qualifications: ['doable', 'likeIt'] },
    });
    expect({ partition: votes[0].partition, offset: votes[0].offset }).toEqual({
      partition: vote.body.position.partition,
      offset: vote.body.position.offset,
    });
    expect(votes[1].event).toMatchObject({ type: 'VoteRetracted', data: { proposalId, voterTier: 'medium' } });
  });
});
