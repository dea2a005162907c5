import { AGE_RANGES } from './participant-events';
import { REFUSAL_REASON_CODES } from './proposal-events';
import { Check, arrayOf, literal, num, obj, optional, str } from './shape';
import { TIERS } from './tier';
import { QUALIFICATIONS, VOTE_VALUES } from './vote-values';

/**
 * Runtime shapes of every published (type, schemaVersion). Decoding checks the stored record
 * against its own version's shape before upcasting, so a malformed record is dead-lettered
 * with the reason instead of corrupting a read model.
 */
const uuid = str({ pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i });
const instant = str({ pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/ });
const slug = str({ min: 1, max: 64 });
const tier = literal(...TIERS);
const label = str({ min: 1, max: 200 });

const thresholds = obj({
  minVotes: num({ int: true, min: 1 }),
  minAdhesion: num({ min: -1, max: 1 }),
  minEngagement: num({ min: -1, max: 1 }),
  minVotesPerTier: num({ int: true, min: 1 }),
  minVotesControversy: num({ int: true, min: 1 }),
});

const consultationV1 = {
  slug,
  question: str({ min: 1, max: 1000 }),
  proposalsOpenAt: instant,
  proposalsCloseAt: instant,
  votesOpenAt: instant,
  votesCloseAt: instant,
  scheduledBy: label,
};

const sealed = obj({
  alg: literal('A256GCM'),
  keyId: str({ min: 1, max: 100 }),
  iv: str({ min: 1, max: 100 }),
  ciphertext: str({ min: 1, max: 4000 }),
  tag: str({ min: 1, max: 100 }),
});

const territory = obj({
  communeCode: optional(str({ min: 5, max: 5 })),
  communeName: optional(str({ min: 1, max: 200 })),
  postalCode: optional(str({ min: 5, max: 5 })),
  departement: str({ min: 2, max: 3 }),
  region: str({ min: 1, max: 3 }),
  population: optional(num({ int: true, min: 0 })),
});

const proposalRef = { proposalId: uuid, consultation: slug };

const registeredV1 = {
  participantId: uuid,
  tier,
  territory,
  territoryDataVersion: str({ min: 1, max: 100 }),
  personal: optional(sealed),
};

const standing = { participantId: uuid, moderator: label, reason: str({ min: 1, max: 2000 }), flagIds: arrayOf(uuid, { max: 100 }) };

export const DATA_SCHEMAS: Readonly<Record<string, Check>> = {
  'ConsultationScheduled@1': obj(consultationV1),
  'ConsultationScheduled@2': obj({ ...consultationV1, thresholds }),
  'ParticipantRegistered@1': obj(registeredV1),
  'ParticipantRegistered@2': obj({ ...registeredV1, networkId: optional(str({ pattern: /^[A-Za-z0-9_-]{16,64}$/ })) }),
  'ParticipantDisqualified@1': obj(standing),
  'ParticipantRequalified@1': obj(standing),
  'ProposalSubmitted@1': obj({ ...proposalRef, authorId: uuid, authorTier: tier, text: str({ min: 1, max: 1000 }) }),
  'ProposalAccepted@1': obj({ ...proposalRef, moderator: label }),
  'ProposalRefused@1': obj({ ...proposalRef, moderator: label, reason: str({ min: 1, max: 2000 }) }),
  'ProposalRefused@2': obj({ ...proposalRef, moderator: label, reason: str({ min: 1, max: 2000 }), reasonCode: literal(...REFUSAL_REASON_CODES) }),
  'ParticipantErased@1': obj({ participantId: uuid, requestedBy: literal('participant', 'moderator'), moderator: optional(label) }),
  'VoteCast@1': obj({
    ...proposalRef,
    participantId: uuid,
    voterTier: tier,
    value: literal(...VOTE_VALUES),
    qualifications: arrayOf(literal(...QUALIFICATIONS), { max: 3 }),
  }),
  'VoteRetracted@1': obj({ ...proposalRef, participantId: uuid, voterTier: tier }),
};

export const ENVELOPE_SCHEMA: Check = obj({
  type: str({ min: 1, max: 100 }),
  schemaVersion: num({ int: true, min: 1 }),
  eventId: uuid,
  occurredAt: instant,
  data: (value) => (typeof value === 'object' && value !== null ? [] : ['/data: expected object']),
  meta: obj({ correlationId: str({ min: 1, max: 200 }), causationId: optional(str({ min: 1, max: 200 })) }),
});

export const PERSONAL_DATA_SCHEMA: Check = obj({
  firstName: optional(str({ min: 1, max: 50 })),
  ageRange: optional(literal(...AGE_RANGES)),
});
