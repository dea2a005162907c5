import {
  DEFAULT_THRESHOLDS,
  DomainEvent,
  QUALIFICATIONS_BY_VALUE,
  Qualification,
  SealedPersonalData,
  TIERS,
  TOPIC_SPECS,
  Tier,
  VOTE_VALUES,
  VoteCast,
  VoteEvent,
  VoteRetracted,
  VoteValue,
  keyOf,
  physicalTopic,
  topicOf,
} from '@app/events';
import { createHash } from 'node:crypto';
import { PositionedEvent } from '../projection-batch';
import { seededRandom } from '@app/testing';

export { seededRandom };

export const idFrom = (...parts: (string | number)[]): string => {
  const hex = createHash('sha1').update(parts.join('/')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

const BASE_MS = Date.parse('2021-02-10T08:00:00.000Z');
const meta = { correlationId: 'test' };

/** Events in partitions as the ingest would append them (same topics, keys and partition counts). */
export class EventLog {
  readonly records: PositionedEvent[] = [];
  private readonly next = new Map<string, number>();
  private clock = 0;

  constructor(private readonly topicPrefix = '') {}

  /** The ingest clock: one second per event unless told. */
  at(ms?: number): string {
    return new Date(ms ?? BASE_MS + 1000 * ++this.clock).toISOString();
  }

  append<E extends DomainEvent>(event: E): E {
    const name = topicOf(event.type);
    const partitions = TOPIC_SPECS.find((t) => t.name === name)?.partitions ?? 1;
    const partition = createHash('md5').update(keyOf(event)).digest().readUInt32BE(0) % partitions;
    const topic = physicalTopic(this.topicPrefix, name);
    const key = `${topic}:${partition}`;
    const offset = this.next.get(key) ?? 0;
    this.next.set(key, offset + 1);
    this.records.push({ topic, partition, offset: String(offset), event });
    return event;
  }

  schedule(slug: string): void {
    this.append({
      type: 'ConsultationScheduled',
      schemaVersion: 2,
      eventId: idFrom('schedule', slug),
      occurredAt: this.at(),
      data: {
        slug,
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2021-02-01T00:00:00+01:00',
        proposalsCloseAt: '2021-03-31T00:00:00+02:00',
        votesOpenAt: '2021-02-01T00:00:00+01:00',
        votesCloseAt: '2021-03-31T00:00:00+02:00',
        thresholds: { ...DEFAULT_THRESHOLDS, minVotes: 3, minVotesPerTier: 2 },
        scheduledBy: 'admin',
      },
      meta,
    });
  }

  register(participantId: string, tier: Tier, personal?: SealedPersonalData): void {
    this.append({
      type: 'ParticipantRegistered',
      schemaVersion: 2,
      eventId: idFrom('register', participantId),
      occurredAt: this.at(),
      data: {
        participantId,
        tier,
        territory: { communeCode: '01004', communeName: 'Ambérieu-en-Bugey', departement: '01', region: '84', population: 14514 },
        territoryDataVersion: '6.0.0',
        ...(personal ? { personal } : {}),
      },
      meta,
    });
  }

  submit(proposalId: string, consultation: string, authorId: string, authorTier: Tier, ms?: number): void {
    this.append({
      type: 'ProposalSubmitted',
      schemaVersion: 1,
      eventId: idFrom('submit', proposalId),
      occurredAt: this.at(ms),
      data: { proposalId, consultation, authorId, authorTier, text: `Il faut améliorer ${proposalId.slice(0, 8)}` },
      meta,
    });
  }

  moderate(proposalId: string, consultation: string, decision: 'accept' | 'refuse'): void {
    const eventId = idFrom('moderate', proposalId, this.clock);
    const occurredAt = this.at();
    if (decision === 'accept') {
      this.append({ type: 'ProposalAccepted', schemaVersion: 1, eventId, occurredAt, data: { proposalId, consultation, moderator: 'modo-1' }, meta });
    } else {
      this.append({ type: 'ProposalRefused', schemaVersion: 2, eventId, occurredAt, data: { proposalId, consultation, moderator: 'modo-2', reason: 'hors sujet', reasonCode: 'off-topic' }, meta });
    }
  }

  /** A moderator's disqualification (or, with `requalify`, its reversal) of a participant. */
  standing(participantId: string, change: 'disqualify' | 'requalify', flagIds: string[] = []): void {
    const eventId = idFrom(change, participantId, this.clock);
    const occurredAt = this.at();
    const data = { participantId, moderator: 'modo-abuse', reason: change === 'disqualify' ? 'scripted votes' : 'false positive', flagIds };
    if (change === 'disqualify') this.append({ type: 'ParticipantDisqualified', schemaVersion: 1, eventId, occurredAt, data, meta });
    else this.append({ type: 'ParticipantRequalified', schemaVersion: 1, eventId, occurredAt, data, meta });
  }

  cast(participantId: string, proposalId: string, consultation: string, voterTier: Tier, value: VoteValue, qualifications: Qualification[]): VoteCast {
    return this.append({
      type: 'VoteCast',
      schemaVersion: 1,
      eventId: idFrom('vote', participantId, proposalId, this.clock),
      occurredAt: this.at(),
      data: { proposalId, consultation, participantId, voterTier, value, qualifications: [...qualifications].sort() },
      meta,
    });
  }

  retract(participantId: string, proposalId: string, consultation: string, voterTier: Tier): VoteRetracted {
    return this.append({
      type: 'VoteRetracted',
      schemaVersion: 1,
      eventId: idFrom('retract', participantId, proposalId, this.clock),
      occurredAt: this.at(),
      data: { proposalId, consultation, participantId, voterTier },
      meta,
    });
  }
}

export interface ScenarioOptions {
  readonly participants: number;
  readonly proposals: number;
  readonly voteEvents: number;
  /** One author submits this many proposals to 'cgt', out of time order (quota judge). */
  readonly prolificSubmissions?: number;
  /** Chance per vote event of also disqualifying or requalifying someone (abuse remedy). */
  readonly standingChangeRate?: number;
}

/**
 * A random but reproducible log: two consultations, participants of every tier, proposals
 * accepted, refused and re-accepted, and votes with changes, retractions, retractions of
 * nothing, the same vote again, and retries that repeat an earlier event id of the pair.
 */
export const randomScenario = (seed: number, options: ScenarioOptions, topicPrefix = ''): EventLog => {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const log = new EventLog(topicPrefix);
  const consultations = ['cgt', 'autre'];
  consultations.forEach((slug) => log.schedule(slug));
  const people = Array.from({ length: options.participants }, (_, i) => ({ id: idFrom(seed, 'participant', i), tier: pick(TIERS) }));
  people.forEach((p) => log.register(p.id, p.tier));
  const proposals = Array.from({ length: options.proposals }, (_, i) => {
    const author = pick(people);
    return { id: idFrom(seed, 'proposal', i), consultation: pick(consultations), author };
  });
  for (const p of proposals) log.submit(p.id, p.consultation, p.author.id, p.author.tier);
  for (const p of proposals) if (random() < 0.85) log.moderate(p.id, p.consultation, random() < 0.8 ? 'accept' : 'refuse');

  if (options.prolificSubmissions) {
    const author = people[0];
    for (let i = 0; i < options.prolificSubmissions; i++) {
      const ms = BASE_MS + 10_000_000 - Math.floor(random() * 50) * 1000; // ties on purpose
      const id = idFrom(seed, 'prolific', i);
      log.submit(id, 'cgt', author.id, author.tier, ms);
      if (random() < 0.6) log.moderate(id, 'cgt', random() < 0.7 ? 'accept' : 'refuse');
    }
  }

  const history = new Map<string, VoteEvent[]>();
  for (let i = 0; i < options.voteEvents; i++) {
    if (options.standingChangeRate && random() < options.standingChangeRate) {
      // A third of the people are suspects, disqualified and requalified over and over (repeats included).
      log.standing(pick(people.slice(0, Math.ceil(people.length / 3))).id, random() < 0.6 ? 'disqualify' : 'requalify');
    }
    if (random() < 0.03) {
      const p = pick(proposals);
      log.moderate(p.id, p.consultation, random() < 0.5 ? 'accept' : 'refuse');
    }
    const voter = pick(people);
    const proposal = pick(proposals);
    const key = `${voter.id}/${proposal.id}`;
    const past = history.get(key) ?? [];
    const roll = random();
    let event: VoteEvent;
    if (roll < 0.1 && past.length > 0) {
      event = log.append(pick(past.slice(-5))); // a retry: same event id, maybe after later events
    } else if (roll < 0.2 && past.length > 0 && past[past.length - 1].type === 'VoteCast') {
      const last = past[past.length - 1] as VoteCast;
      event = log.cast(voter.id, proposal.id, proposal.consultation, voter.tier, last.data.value, [...last.data.qualifications]);
    } else if (roll < 0.35) {
      event = log.retract(voter.id, proposal.id, proposal.consultation, voter.tier);
    } else {
      const value = pick(VOTE_VALUES);
      const qualifications = QUALIFICATIONS_BY_VALUE[value].filter(() => random() < 0.4);
      event = log.cast(voter.id, proposal.id, proposal.consultation, voter.tier, value, qualifications);
    }
    history.set(key, [...past, event]);
  }
  return log;
};

/**
 * Cuts records into batches the way a consumer could see them: a random interleaving of the
 * partitions (each in order), random batch sizes, several partitions per batch.
 */
export const randomBatches = (records: readonly PositionedEvent[], seed: number, maxSize: number): PositionedEvent[][] => {
  const random = seededRandom(seed);
  const queues = new Map<string, PositionedEvent[]>();
  for (const r of records) {
    const key = `${r.topic}:${r.partition}`;
    queues.set(key, [...(queues.get(key) ?? []), r]);
  }
  const interleaved: PositionedEvent[] = [];
  const live = [...queues.values()];
  while (live.length > 0) {
    const i = Math.floor(random() * live.length);
    interleaved.push(live[i].shift() as PositionedEvent);
    if (live[i].length === 0) live.splice(i, 1);
  }
  const batches: PositionedEvent[][] = [];
  for (let i = 0; i < interleaved.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    batches.push(interleaved.slice(i, i + size));
    i += size;
  }
  return batches;
};
