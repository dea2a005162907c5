/**
 * Events the bench writes straight to Kafka (no HTTP): the consultation and its accepted
 * proposals every stage needs, and the vote logs of the catch-up and rebuild stages. All of them
 * are valid current-version events that the projector and the ingest's write model fold like any
 * other.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_THRESHOLDS, DomainEvent, VoteValue, makeEvent } from '@app/events';
import { participantId, tierOf, voteBody } from '../loadgen';
import { seededRandom } from '@app/testing';

export const CONSULTATION = 'bench-territoires';

const DAY = 24 * 3600 * 1000;

export const proposalId = (index: number): string => `b0000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;

/** The consultation, open for proposals and votes around `now`, and `proposals` accepted proposals. */
export const consultationEvents = (proposals: number, now = new Date()): DomainEvent[] => {
  const at = (offsetMs: number): string => new Date(now.getTime() + offsetMs).toISOString();
  const context = (ms: number) => ({ eventId: randomUUID(), occurredAt: new Date(now.getTime() + ms), correlationId: 'bench-seed' });
  const events: DomainEvent[] = [
    makeEvent(
      'ConsultationScheduled',
      {
        slug: CONSULTATION,
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: at(-3 * DAY),
        proposalsCloseAt: at(60 * DAY),
        votesOpenAt: at(-2 * DAY),
        votesCloseAt: at(60 * DAY),
        thresholds: DEFAULT_THRESHOLDS,
        scheduledBy: 'bench',
      },
      context(-3 * DAY),
    ),
  ];
  for (let i = 0; i < proposals; i++) {
    const author = 1_000_000 + i;
    events.push(
      makeEvent(
        'ProposalSubmitted',
        {
          proposalId: proposalId(i),
          consultation: CONSULTATION,
          authorId: participantId(author),
          authorTier: tierOf(author),
          text: `Il faut améliorer les transports du territoire numéro ${i}`,
        },
        context(-2.5 * DAY + i),
      ),
      makeEvent('ProposalAccepted', { proposalId: proposalId(i), consultation: CONSULTATION, moderator: 'bench' }, context(-2.2 * DAY + i)),
    );
  }
  return events;
};

/** A deterministic generator so that two runs write the same log. */
export const seeded = seededRandom;

export interface VoteLogShape {
  readonly participants: number;
  readonly proposals: number;
  /** Share of events that change an earlier vote of the same pair (another value). */
  readonly changeShare: number;
  /** Share of events that retract an earlier vote. */
  readonly retractShare: number;
}

/** 300,000 participants, 5,000 proposals, 3 % vote changes, 1 % retractions (the 2021 consultation's order of size). */
export const REALISTIC_LOG: VoteLogShape = { participants: 300_000, proposals: 5_000, changeShare: 0.03, retractShare: 0.01 };

/**
 * Vote events in chunks: first votes on proposals chosen with a popularity skew (the first
 * proposals get most votes), voters of every tier by population share, a realistic value and
 * qualification mix, plus changes and retractions of recent votes. `occurredAt` advances by
 * ~1 ms per event from `start`.
 */
export function* voteLog(total: number, shape: VoteLogShape, chunk: number, seed = 42, start = Date.now() - DAY): Generator<DomainEvent[]> {
  const random = seeded(seed);
  const recent: { voter: number; proposal: number; value: VoteValue }[] = [];
  let out: DomainEvent[] = [];
  for (let n = 0; n < total; n++) {
    const occurredAt = new Date(start + n);
    const context = { eventId: randomUUID(), occurredAt, correlationId: 'bench-log' };
    const r = random();
    const earlier = recent.length > 0 ? recent[(random() * recent.length) | 0] : undefined;
    if (earlier !== undefined && r < shape.retractShare) {
      out.push(
        makeEvent(
          'VoteRetracted',
          { proposalId: proposalId(earlier.proposal), consultation: CONSULTATION, participantId: participantId(earlier.voter), voterTier: tierOf(earlier.voter) },
          context,
        ),
      );
    } else {
      let voter: number;
      let proposal: number;
      let body = voteBody(random);
      if (earlier !== undefined && r < shape.retractShare + shape.changeShare) {
        voter = earlier.voter;
        proposal = earlier.proposal;
        while (body.value === earlier.value) body = voteBody(random);
      } else {
        voter = (random() * shape.participants) | 0;
        proposal = Math.floor(shape.proposals * random() ** 2);
      }
      const qualifications = [...body.qualifications].sort() as never[];
      out.push(
        makeEvent(
          'VoteCast',
          {
            proposalId: proposalId(proposal),
            consultation: CONSULTATION,
            participantId: participantId(voter),
            voterTier: tierOf(voter),
            value: body.value,
            qualifications,
          },
          context,
        ),
      );
      if (recent.length < 10_000) recent.push({ voter, proposal, value: body.value });
      else recent[(random() * recent.length) | 0] = { voter, proposal, value: body.value };
    }
    if (out.length >= chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
