import { ConsultationScheduled, DomainEvent, ParticipantErased, ParticipantRegistered, ParticipantStandingEvent, ProposalEvent, Tier, VoteEvent } from '@app/events';
import { Pool, PoolClient } from 'pg';
import { incrementRows } from './pg-increments';
import { insertRegistrationNetworks } from './pg-networks';
import { insertParticipants, upsertConsultations } from './pg-participants';
import { applyProposals } from './pg-proposals';
import { eraseParticipants, recordModeration, scrubRefusedTexts } from './pg-privacy';
import { applyStanding } from './pg-standing';
import { applyVotes } from './pg-votes';
import {
  ApplyReport,
  PartitionPosition,
  PositionedEvent,
  Projection,
  ProjectionBatch,
  mergePositions,
  partitionKey,
} from './projection-batch';

export interface PostgresProjectionOptions {
  readonly pool: Pool;
  /** Schema holding the read models and their checkpoint (a rebuild projects into a fresh one). */
  readonly schema?: string;
  /** Name of this projection in projection_offsets. */
  readonly projection?: string;
  /** Where the ingest keeps the per-participant keys of personal data. */
  readonly keystoreTable?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(\.[a-z_][a-z0-9_]{0,62})?$/;

interface CounterDelta {
  consultation: string;
  tier: Tier;
  participants: number;
  submitted: number;
  accepted: number;
  refused: number;
  votes: number;
}

/**
 * The Postgres read models (DESIGN.md invariant 2). A batch is one transaction: the checkpoint
 * rows of its partitions are locked first (so two instances handed the same partition during a
 * rebalance apply it one after the other), records below the stored next offset are skipped
 * (redelivery changes nothing), every table is written with set-based statements, and the new
 * next offsets are written before COMMIT.
 */
export class PostgresProjection implements Projection {
  readonly name: string;
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly keystoreTable: string;

  constructor(options: PostgresProjectionOptions) {
    this.pool = options.pool;
    this.schema = options.schema ?? 'readmodel';
    this.name = options.projection ?? 'postgres';
    this.keystoreTable = options.keystoreTable ?? 'keystore.participant_keys';
    for (const identifier of [this.schema, this.keystoreTable]) {
      if (!IDENTIFIER.test(identifier)) throw new Error(`invalid SQL identifier: ${identifier}`);
    }
  }

  async apply(batch: ProjectionBatch): Promise<ApplyReport> {
    const positions = mergePositions([
      ...batch.positions,
      ...batch.events.map((e) => ({ topic: e.topic, partition: e.partition, nextOffset: (BigInt(e.offset) + 1n).toString() })),
    ]);
    if (positions.length === 0) return { applied: 0, skipped: 0 };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const stored = await this.lockCheckpoint(client, positions);
      const fresh = freshInLogOrder(batch.events, stored);
      await this.applyEvents(client, fresh);
      await client.query(
        `UPDATE ${this.schema}.projection_offsets o SET next_offset = GREATEST(o.next_offset, u.n)
         FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u (t, p, n)
         WHERE o.projection = $1 AND o.topic = u.t AND o.partition = u.p`,
        [this.name, positions.map((p) => p.topic), positions.map((p) => p.partition), positions.map((p) => p.nextOffset)],
      );
      await client.query('COMMIT');
      return { applied: fresh.length, skipped: batch.events.length - fresh.length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async nextOffsets(topics: readonly string[]): Promise<Map<string, bigint>> {
    const result = await this.pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset FROM ${this.schema}.projection_offsets WHERE projection = $1 AND topic = ANY($2::text[])`,
      [this.name, topics],
    );
    return new Map(result.rows.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
  }

  private async lockCheckpoint(client: PoolClient, positions: readonly PartitionPosition[]): Promise<Map<string, bigint>> {
    const topics = positions.map((p) => p.topic);
    const partitions = positions.map((p) => p.partition);
    await client.query(
      `INSERT INTO ${this.schema}.projection_offsets (projection, topic, partition, next_offset)
       SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS u (t, p)
       ON CONFLICT (projection, topic, partition) DO NOTHING`,
      [this.name, topics, partitions],
    );
    const locked = await client.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT topic, partition, next_offset FROM ${this.schema}.projection_offsets
       WHERE projection = $1 AND (topic, partition) IN (SELECT t, p FROM unnest($2::text[], $3::int[]) AS u (t, p))
       ORDER BY topic, partition FOR UPDATE`,
      [this.name, topics, partitions],
    );
    return new Map(locked.rows.map((r) => [partitionKey(r.topic, r.partition), BigInt(r.next_offset)]));
  }

  private async applyEvents(client: PoolClient, events: readonly DomainEvent[]): Promise<void> {
    const consultations: ConsultationScheduled[] = [];
    const participants: ParticipantRegistered[] = [];
    const proposals: ProposalEvent[] = [];
    const votes: VoteEvent[] = [];
    const erasures: ParticipantErased[] = [];
    const standingEvents: ParticipantStandingEvent[] = [];
    for (const event of events) {
      switch (event.type) {
        case 'ConsultationScheduled':
          consultations.push(event);
          break;
        case 'ParticipantRegistered':
          participants.push(event);
          break;
        case 'ParticipantErased':
          erasures.push(event);
          break;
        case 'ProposalSubmitted':
        case 'ProposalAccepted':
        case 'ProposalRefused':
          proposals.push(event);
          break;
        case 'VoteCast':
        case 'VoteRetracted':
          votes.push(event);
          break;
        case 'ParticipantDisqualified':
        case 'ParticipantRequalified':
          standingEvents.push(event);
          break;
        default: {
          const unreachable: never = event;
          throw new Error(`unexpected event ${(unreachable as DomainEvent).type}`);
        }
      }
    }
    await upsertConsultations(client, this.schema, consultations);
    await insertParticipants(client, this.schema, this.keystoreTable, participants);
    await insertRegistrationNetworks(client, this.schema, participants);
    // Before the proposals step: its lock and the standing lock are always taken in this order.
    const involved = [
      ...votes.map((e) => e.data.participantId),
      ...proposals.flatMap((e) => (e.type === 'ProposalSubmitted' ? [e.data.authorId] : [])),
    ];
    const standing = await applyStanding(client, this.schema, standingEvents, involved);
    const proposalStep = await applyProposals(client, this.schema, proposals);
    // After the registrations (same partition, so an erasure follows its registration) and the proposals.
    await eraseParticipants(client, this.schema, this.keystoreTable, erasures);
    await scrubRefusedTexts(client, this.schema, proposals);
    await recordModeration(client, this.schema, proposals, erasures);
    const voteStep = await applyVotes(client, this.schema, votes, standing);

    const counters = new Map<string, CounterDelta>();
    const counter = (consultation: string, tier: Tier): CounterDelta => {
      const key = `${consultation}\u0000${tier}`;
      let delta = counters.get(key);
      if (!delta) {
        delta = { consultation, tier, participants: 0, submitted: 0, accepted: 0, refused: 0, votes: 0 };
        counters.set(key, delta);
      }
      return delta;
    };
    for (const d of proposalStep.counters) {
      const c = counter(d.consultation, d.tier);
      c.submitted += d.submitted;
      c.accepted += d.accepted;
      c.refused += d.refused;
    }
    for (const d of voteStep.voteCounters.values()) counter(d.consultation, d.tier).votes += d.votes;
    for (const d of standing.votes) counter(d.consultation, d.tier).votes += d.votes;
    for (const d of standing.participants) counter(d.consultation, d.tier).participants += d.participants;
    const newcomers = await this.insertMembers(client, [...proposalStep.members, ...voteStep.voters], standing.excluded);
    for (const n of newcomers) counter(n.consultation, n.tier).participants += n.count;
    await this.incrementCounters(client, [...counters.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, d]) => d));
  }

  /** Records who took part; returns how many were new per (consultation, tier), disqualified ones left uncounted. */
  private async insertMembers(
    client: PoolClient,
    members: readonly { consultation: string; participantId: string; tier: Tier }[],
    excluded: ReadonlySet<string>,
  ): Promise<{ consultation: string; tier: Tier; count: number }[]> {
    const unique = new Map<string, { consultation: string; participantId: string; tier: Tier }>();
    for (const m of members) {
      const key = `${m.consultation}\u0000${m.participantId}`;
      if (!unique.has(key)) unique.set(key, m);
    }
    if (unique.size === 0) return [];
    const rows = [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, m]) => m);
    const result = await client.query<{ consultation: string; tier: Tier; count: number }>(
      `WITH inserted AS (
         INSERT INTO ${this.schema}.consultation_participants (consultation, participant_id, tier)
         SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[])
         ON CONFLICT (consultation, participant_id) DO NOTHING
         RETURNING consultation, participant_id, tier)
       SELECT consultation, tier, count(*)::int AS count FROM inserted
       WHERE NOT (participant_id = ANY($4::uuid[])) GROUP BY consultation, tier`,
      [rows.map((m) => m.consultation), rows.map((m) => m.participantId), rows.map((m) => m.tier), [...excluded]],
    );
    return result.rows;
  }

  private async incrementCounters(client: PoolClient, deltas: readonly CounterDelta[]): Promise<void> {
    const rows = deltas.filter((d) => d.participants || d.submitted || d.accepted || d.refused || d.votes);
    await incrementRows(
      client,
      {
        table: `${this.schema}.consultation_counters`,
        keys: [['consultation', 'text'], ['tier', 'text']],
        counters: ['participants', 'proposals_submitted', 'proposals_accepted', 'proposals_refused', 'votes'],
      },
      rows.map((d) => [d.consultation, d.tier, d.participants, d.submitted, d.accepted, d.refused, d.votes]),
    );
  }
}

/**
 * The events at or above their partition's stored next offset, each position once, in log order
 * (partitions are independent; within one, offsets order the events).
 */
const freshInLogOrder = (events: readonly PositionedEvent[], stored: ReadonlyMap<string, bigint>): DomainEvent[] => {
  const seen = new Set<string>();
  const fresh: { event: DomainEvent; partition: string; offset: bigint }[] = [];
  for (const e of events) {
    const partition = partitionKey(e.topic, e.partition);
    const offset = BigInt(e.offset);
    if (offset < (stored.get(partition) ?? 0n) || seen.has(`${partition}@${e.offset}`)) continue;
    seen.add(`${partition}@${e.offset}`);
    fresh.push({ event: e.event, partition, offset });
  }
  fresh.sort((a, b) => (a.partition !== b.partition ? (a.partition < b.partition ? -1 : 1) : a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  return fresh.map((f) => f.event);
};
