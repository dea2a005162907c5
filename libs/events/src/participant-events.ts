import { EventEnvelope } from './envelope';
import { Tier } from './tier';

export const AGE_RANGES = ['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export type AgeRange = (typeof AGE_RANGES)[number];

/** Where the participant said they live, resolved server-side at registration. */
export interface Territory {
  /** Absent when a postal code covering several communes (same tier, same département) was given. */
  readonly communeCode?: string;
  readonly communeName?: string;
  /** Only when the participant registered with a postal code. */
  readonly postalCode?: string;
  readonly departement: string;
  readonly region: string;
  readonly population?: number;
}

/**
 * Personal data (first name, age range) sealed with AES-256-GCM under a per-participant key kept
 * in Postgres (`keystore.participant_keys`). Destroying the key erases the data everywhere a
 * rebuild could bring it back from, without rewriting Kafka (crypto-shredding).
 * The plaintext is the JSON of `PersonalData`.
 */
export interface SealedPersonalData {
  readonly alg: 'A256GCM';
  readonly keyId: string;
  /** base64 */
  readonly iv: string;
  /** base64 */
  readonly ciphertext: string;
  /** base64 */
  readonly tag: string;
}

export interface PersonalData {
  readonly firstName?: string;
  readonly ageRange?: AgeRange;
}

export interface ParticipantRegisteredData {
  readonly participantId: string;
  readonly tier: Tier;
  readonly territory: Territory;
  /** Version of @etalab/decoupage-administratif the tier was decided with. */
  readonly territoryDataVersion: string;
  /** Absent when the participant gave no personal data. */
  readonly personal?: SealedPersonalData;
  /**
   * v2: pseudonymous network of the registering client, for abuse detection (docs/abuse.md):
   * HMAC-SHA-256 under a server secret of the address's /24 (IPv4) or /48 (IPv6) prefix,
   * base64url. Never the address itself; absent in v1 records and when the address is unknown.
   */
  readonly networkId?: string;
}

export type ParticipantRegistered = EventEnvelope<'ParticipantRegistered', 2, ParticipantRegisteredData>;

/**
 * The participant's personal data was erased (right to erasure): their key was destroyed in the
 * keystore before this was appended, so no replay can open `personal` again; projections scrub
 * what they decrypted earlier. Votes and proposals stay (anonymous). Keyed by participant id, so
 * it follows the registration in the same partition.
 */
export interface ParticipantErasedData {
  readonly participantId: string;
  /** The person asked (their own token), or a moderator did. */
  readonly requestedBy: 'participant' | 'moderator';
  /** The moderator's label (audit trail), never a token; only when a moderator erased. */
  readonly moderator?: string;
}

export type ParticipantErased = EventEnvelope<'ParticipantErased', 1, ParticipantErasedData>;

export type ParticipantEvent = ParticipantRegistered | ParticipantErased;
