import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TIERS, Tier } from '@app/events';
import { TERRITORY_DATA_VERSION, loadTerritoryIndex } from '@app/territory';
import { defaultCsvPath, loadMakeOrgProposals } from '../../scripts/demo-data';
import { FIXTURE_FILES, FixtureManifest, GENERATOR_VERSION, ProposalFixture, RegistrationFixture } from './fixture-types';
import { buildProposals } from './proposals';
import { buildRegistrations } from './registrations';
import { seededRng } from './rng';
import { ScaleSpec, parseScale } from './scale';

/** Where fixtures live by default: load-tests/.data/<scale name> (git-ignored). */
export const DEFAULT_DATA_ROOT = resolve(__dirname, '..', '.data');
export const DEFAULT_SEED = 2021;

export interface GeneratedFixtures {
  readonly dir: string;
  readonly manifest: FixtureManifest;
}

/** One JSON value per line: JSON.parse reads it, and a diff of two generations stays readable. */
const jsonLines = (rows: readonly unknown[]): string => `[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]\n`;

export const generateFixtures = (scale: ScaleSpec, dir: string, seed = DEFAULT_SEED, csvPath = defaultCsvPath()): GeneratedFixtures => {
  const rng = seededRng(seed);
  const made = loadMakeOrgProposals(csvPath);
  const people = {
    firstNames: made.map((p) => p.author.trim()).filter((name) => name.length > 0 && [...name].length <= 50),
    ages: made.map((p) => Number(p.age)).filter((age) => Number.isInteger(age) && age > 0 && age < 110),
  };
  const index = loadTerritoryIndex();
  const registrations: RegistrationFixture[] = buildRegistrations(scale.participants, index, people, rng);
  const authors = registrations.flatMap((row, i) => (row.tier === null ? [] : [i]));
  const proposals: ProposalFixture[] = buildProposals(scale.proposals, made.map((p) => p.text), authors, rng);
  const byTier = Object.fromEntries(TIERS.map((tier) => [tier, registrations.filter((r) => r.tier === tier).length])) as Record<Tier, number>;
  const manifest: FixtureManifest = {
    generatorVersion: GENERATOR_VERSION,
    scale: scale.name,
    seed,
    votes: scale.votes,
    participants: registrations.length,
    proposals: proposals.length,
    rates: scale.rates,
    counts: {
      registrationsByTier: byTier,
      ambiguousPostalCodes: registrations.filter((r) => r.tier === null).length,
      byPostalCode: registrations.filter((r) => r.tier !== null && r.body.postalCode !== undefined).length,
      ruleBreakers: proposals.filter((p) => p.expect === 422).length,
      realRuleBreakers: proposals.filter((p) => p.expect === 422 && p.origin === 'real').length,
    },
    territoryDataVersion: TERRITORY_DATA_VERSION,
    proposalsSource: csvPath,
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FIXTURE_FILES.registrations), jsonLines(registrations));
  writeFileSync(join(dir, FIXTURE_FILES.proposals), jsonLines(proposals));
  writeFileSync(join(dir, FIXTURE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
};

const readManifest = (dir: string): FixtureManifest | undefined => {
  const path = join(dir, FIXTURE_FILES.manifest);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as FixtureManifest;
};

/** The fixtures of `scale` under `root`, generated only when missing or made differently. */
export const ensureFixtures = (scale: ScaleSpec, root = DEFAULT_DATA_ROOT, seed = DEFAULT_SEED): GeneratedFixtures => {
  const dir = join(root, scale.name);
  const known = readManifest(dir);
  const current = known?.generatorVersion === GENERATOR_VERSION && known.seed === seed && known.votes === scale.votes;
  return current && known ? { dir, manifest: known } : generateFixtures(scale, dir, seed);
};

const argument = (args: readonly string[], name: string): string | undefined => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
};

if (require.main === module) {
  const args = process.argv.slice(2);
  const scale = parseScale(argument(args, 'scale') ?? 'small');
  const seed = Number(argument(args, 'seed') ?? DEFAULT_SEED);
  const out = argument(args, 'out');
  const started = Date.now();
  const { dir, manifest } = out === undefined ? generateFixtures(scale, join(DEFAULT_DATA_ROOT, scale.name), seed) : generateFixtures(scale, resolve(out), seed);
  process.stdout.write(
    `[fixtures] ${dir}: ${manifest.participants} registrations (${manifest.counts.ambiguousPostalCodes} ambiguous), ` +
      `${manifest.proposals} proposals (${manifest.counts.ruleBreakers} break a rule), ${manifest.votes} votes planned ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
