import { AgeRange, DEFAULT_THRESHOLDS, Qualification, Tier, Thresholds, VoteValue, sealPersonalData } from '@app/events';
import { randomBytes } from 'node:crypto';
import { EventLog, idFrom } from '../../projector/src/projection/testing/event-scenario';

/**
 * The hand-computed scenario of query-api.int.spec.ts (figures worked out in that file's
 * comments). Three consultations:
 *  - gc: 17 participants, 7 proposals (accepted, pending, refused, without votes, with changed
 *    and retracted votes, two with equal scores);
 *  - autre: voting closed, one proposal voted by rural and large voters only (an empty tier);
 *  - vide: scheduled, nothing else.
 */
export const GC_THRESHOLDS: Thresholds = { ...DEFAULT_THRESHOLDS, minVotes: 6, minVotesPerTier: 2, minVotesControversy: 4 };

export interface Person {
  readonly id: string;
  readonly tier: Tier;
}

export interface Scenario {
  readonly log: EventLog;
  readonly people: Record<string, Person>;
  readonly proposals: Record<string, string>;
  /** participant id → AES key to put in keystore.participant_keys before projecting. */
  readonly keys: Map<string, Buffer>;
}

export const buildScenario = (topicPrefix: string): Scenario => {
  const log = new EventLog(topicPrefix);
  const keys = new Map<string, Buffer>();
  const meta = { correlationId: 'test' };
  const schedule = (slug: string, votesOpenAt: string, votesCloseAt: string, thresholds: Thresholds) =>
    log.append({
      type: 'ConsultationScheduled',
      schemaVersion: 2,
      eventId: idFrom('schedule', topicPrefix, slug),
      occurredAt: log.at(),
      data: {
        slug,
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: '2020-01-01T00:00:00Z',
        proposalsCloseAt: '2099-01-01T00:00:00Z',
        votesOpenAt,
        votesCloseAt,
        thresholds,
        scheduledBy: 'admin',
      },
      meta,
    });
  schedule('gc', '2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z', GC_THRESHOLDS);
  schedule('autre', '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z', DEFAULT_THRESHOLDS);
  schedule('vide', '2020-01-01T00:00:00Z', '2099-01-01T00:00:00Z', DEFAULT_THRESHOLDS);

  const people: Record<string, Person> = {};
  const person = (name: string, tier: Tier, personal?: { firstName?: string; ageRange?: AgeRange }): void => {
    const id = idFrom(topicPrefix, 'person', name);
    people[name] = { id, tier };
    if (personal) {
      const key = randomBytes(32);
      keys.set(id, key);
      log.register(id, tier, sealPersonalData(personal, key, id));
    } else {
      log.register(id, tier);
    }
  };
  person('A', 'rural', { firstName: 'Léa', ageRange: '25-34' });
  person('B', 'medium', { firstName: 'Tom', ageRange: '<18' });
  person('C', 'large', { firstName: '=cmd|calc', ageRange: '35-44' });
  person('D', 'rural');
  person('M4', 'medium');
  for (const n of [1, 2, 3, 4, 5, 6]) person(`R${n}`, 'rural');
  for (const n of [1, 2, 3]) person(`M${n}`, 'medium');
  for (const n of [1, 2, 3]) person(`L${n}`, 'large');

  const proposals: Record<string, string> = {};
  const submit = (name: string, consultation: string, author: string, text: string): void => {
    const id = idFrom(topicPrefix, 'proposal', name);
    proposals[name] = id;
    log.append({
      type: 'ProposalSubmitted',
      schemaVersion: 1,
      eventId: idFrom(topicPrefix, 'submit', name),
      occurredAt: log.at(),
      data: { proposalId: id, consultation, authorId: people[author].id, authorTier: people[author].tier, text },
      meta,
    });
  };
  submit('P1', 'gc', 'A', 'Il faut des médecins dans chaque canton');
  submit('P2', 'gc', 'B', 'Il faut des "maisons de santé", partout');
  submit('P3', 'gc', 'C', 'Il faut rouvrir les petites lignes de train');
  submit('P4', 'gc', 'D', 'Il faut une proposition encore en attente');
  submit('P5', 'gc', 'A', 'Il faut une proposition qui sera refusée');
  submit('P6', 'gc', 'C', 'Il faut des bus à la demande');
  submit('P7', 'gc', 'M4', 'Il faut des tiers-lieux numériques');
  submit('Q1', 'autre', 'A', 'Il faut une autre consultation');
  for (const name of ['P1', 'P2', 'P3', 'P5', 'P6', 'P7']) log.moderate(proposals[name], 'gc', 'accept');
  log.moderate(proposals.Q1, 'autre', 'accept');

  const cast = (who: string, proposal: string, value: VoteValue, qualifications: Qualification[] = []): void => {
    const p = people[who];
    log.cast(p.id, proposals[proposal], proposal.startsWith('Q') ? 'autre' : 'gc', p.tier, value, qualifications);
  };
  cast('R1', 'P1', 'agree', ['likeIt']);
  cast('R2', 'P1', 'agree', ['likeIt', 'doable']);
  cast('R3', 'P1', 'agree');
  cast('M1', 'P1', 'agree', ['likeIt']);
  cast('M2', 'P1', 'agree', ['doable']);
  cast('L1', 'P1', 'agree', ['likeIt']);
  cast('L2', 'P1', 'agree');
  cast('L3', 'P1', 'disagree', ['noWay']);

  cast('R1', 'P2', 'agree', ['likeIt']);
  cast('R2', 'P2', 'agree', ['likeIt']);
  cast('R3', 'P2', 'disagree');
  cast('M1', 'P2', 'disagree', ['noWay']);
  cast('M2', 'P2', 'disagree', ['noWay']);
  cast('L1', 'P2', 'neutral');

  cast('R6', 'P5', 'agree');
  log.moderate(proposals.P5, 'gc', 'refuse');

  cast('R4', 'P6', 'agree');
  cast('R4', 'P6', 'disagree', ['impossible']);
  cast('M3', 'P6', 'agree');
  log.retract(people.M3.id, proposals.P6, 'gc', 'medium');
  cast('L1', 'P6', 'agree', ['platitudeAgree']);

  cast('R5', 'P7', 'disagree', ['impossible']);
  cast('L2', 'P7', 'agree', ['platitudeAgree']);

  cast('R1', 'Q1', 'agree');
  cast('L1', 'Q1', 'disagree');
  return { log, people, proposals, keys };
};
