import type { Tier } from '@app/events';
import type { ScaleRates } from './scale';

/**
 * The JSON the k6 scripts load with open() (k6 cannot read node_modules, so everything they need
 * is precomputed here). k6/lib/fixtures.js declares the same shapes in JSDoc; the adapter test
 * runs the scripts on generated files, so a drift shows up there.
 */
export type AgeRange = '<18' | '18-24' | '25-34' | '35-44' | '45-54' | '55-64' | '65+';

export interface RegistrationBody {
  readonly communeCode?: string;
  readonly postalCode?: string;
  readonly firstName?: string;
  readonly ageRange?: AgeRange;
}

/** One participant: what to send and what the server must answer. */
export interface RegistrationFixture {
  readonly body: RegistrationBody;
  /** The tier the server must decide, or null: an ambiguous postal code, answered 422 with candidates. */
  readonly tier: Tier | null;
}

export type ProposalOrigin = 'real' | 'real-nfd' | 'too-long' | 'markup' | 'no-prefix';

export interface ProposalFixture {
  readonly text: string;
  /** Index in registrations.json of the author (always one that registers). */
  readonly author: number;
  /** 202 (accepted for moderation) or 422 (breaks a proposal rule). */
  readonly expect: 202 | 422;
  /** Where the text comes from: real, real in decomposed Unicode, or a real text made to break a rule. */
  readonly origin: ProposalOrigin;
}

export interface FixtureManifest {
  readonly generatorVersion: number;
  readonly scale: string;
  readonly seed: number;
  readonly votes: number;
  readonly participants: number;
  readonly proposals: number;
  readonly rates: ScaleRates;
  readonly counts: {
    readonly registrationsByTier: Readonly<Record<Tier, number>>;
    readonly ambiguousPostalCodes: number;
    readonly byPostalCode: number;
    readonly ruleBreakers: number;
    readonly realRuleBreakers: number;
  };
  readonly territoryDataVersion: string;
  readonly proposalsSource: string;
}

export const FIXTURE_FILES = {
  manifest: 'manifest.json',
  registrations: 'registrations.json',
  proposals: 'proposals.json',
} as const;

/** Bumped when the fixture format or the way it is drawn changes (stale folders are regenerated). */
export const GENERATOR_VERSION = 1;
