import { TIERS } from '@app/events';
import { loadTerritoryIndex, populationShareByTier } from '@app/territory';
import { loadMakeOrgProposals } from '../../scripts/demo-data';
import { expectedStatus, buildProposals } from './proposals';
import { buildRegistrations, splitByShare } from './registrations';
import { seededRng } from './rng';
import { parseScale } from './scale';

describe('load-test fixtures', () => {
  const index = loadTerritoryIndex();
  const people = { firstNames: ['Léa', 'Loïc'], ages: [35, 17, 70] };

  it('mixes tiers by population share, with about 1 % ambiguous postal codes, all resolving as expected', () => {
    const rows = buildRegistrations(5_000, index, people, seededRng(1));
    const ambiguous = rows.filter((r) => r.tier === null);
    expect(ambiguous.length).toBe(50);
    const share = populationShareByTier(index);
    for (const tier of TIERS) expect(rows.filter((r) => r.tier === tier).length / 4_950).toBeCloseTo(share[tier], 2);
    for (const row of rows) {
      const resolved = row.body.communeCode !== undefined ? index.resolveCommune(row.body.communeCode) : index.resolvePostalCode(row.body.postalCode ?? '');
      if (row.tier === null) expect(resolved).toMatchObject({ ok: false, error: { kind: 'ambiguous-postal-code' } });
      else expect(resolved).toMatchObject({ ok: true, tier: row.tier });
    }
    expect(rows.some((r) => r.body.postalCode !== undefined && r.tier !== null)).toBe(true);
    expect(rows.some((r) => /^(751|6938|132)\d\d$/.test(r.body.communeCode ?? ''))).toBe(true);
  });

  it('splits counts by share without losing one to rounding', () => {
    expect(splitByShare(7, { rural: 0.6, medium: 0.25, large: 0.15 })).toEqual({ rural: 4, medium: 2, large: 1 });
  });

  it('sends real texts, real and derived rule breakers expecting 422, and decomposed texts expecting 202', () => {
    const texts = loadMakeOrgProposals().map((p) => p.text);
    const rows = buildProposals(500, texts, [3, 5, 8], seededRng(2));
    expect(rows).toHaveLength(500);
    expect(rows.filter((r) => r.expect === 422 && r.origin === 'real').length).toBeGreaterThanOrEqual(9);
    for (const origin of ['too-long', 'markup', 'no-prefix'] as const) expect(rows.filter((r) => r.origin === origin && r.expect === 422).length).toBeGreaterThan(0);
    const nfd = rows.filter((r) => r.origin === 'real-nfd');
    expect(nfd.length).toBeGreaterThan(0);
    expect(nfd.every((r) => r.expect === 202 && expectedStatus(r.text) === 202)).toBe(true);
    expect(rows.every((r) => [3, 5, 8].includes(r.author))).toBe(true);
  });

  it('derives every figure of a scale from its votes', () => {
    expect(parseScale('full')).toMatchObject({ votes: 1_000_000, participants: 300_000, proposals: 14_517, rates: { votePeakPerSecond: 5_000 } });
    expect(parseScale('20_000')).toMatchObject({ name: 'votes-20000', participants: 6_000, proposals: 300 });
    expect(() => parseScale('huge')).toThrow(/--scale/);
  });
});
