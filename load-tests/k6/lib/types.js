// @ts-check
/**
 * Shapes shared by the scripts (JSDoc only: this module exports nothing at run time). The
 * fixture shapes mirror load-tests/data/fixture-types.ts, which writes the files.
 *
 * @typedef {'rural' | 'medium' | 'large'} Tier
 * @typedef {'agree' | 'disagree' | 'neutral'} VoteValue
 * @typedef {{ communeCode?: string, postalCode?: string, firstName?: string, ageRange?: string }} RegistrationBody
 * @typedef {{ body: RegistrationBody, tier: Tier | null }} RegistrationFixture
 * @typedef {{ text: string, author: number, expect: 202 | 422, origin: string }} ProposalFixture
 * @typedef {{ registrationsPerSecond: number, proposalsPerSecond: number, votePeakPerSecond: number,
 *   voteChangesPerSecond: number, readsPerSecond: number }} Rates
 * @typedef {{ scale: string, seed: number, votes: number, participants: number, proposals: number, rates: Rates }} Manifest
 * @typedef {{ manifest: Manifest, registrations: RegistrationFixture[], proposals: ProposalFixture[] }} Fixtures
 *
 * What setup() hands every VU.
 * @typedef {{ slug: string, runId: string }} RunData
 *
 * A registered participant as this VU knows it.
 * @typedef {{ index: number, participantId: string, token: string, tier: Tier }} Participant
 *
 * @typedef {{ value: VoteValue, qualifications: string[] }} Ballot
 * @typedef {{ topic: string, partition: number, offset: string }} Position
 */
export {};
