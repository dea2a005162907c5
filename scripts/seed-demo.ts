import { TIERS, Tier, VOTE_VALUES, QUALIFICATIONS_BY_VALUE } from '@app/events';
import { sampleCommunes } from '@app/territory';
import { loadMakeOrgProposals } from './demo-data';

/**
 * Demo data for `npm start`: the consultation of the 2021 "Grande Cause", a few hundred
 * participants from real communes of each tier, real proposals from Make.org's open data,
 * moderation, and a few thousand votes, all through the ingest API (so the demo exercises the
 * real path). Does nothing when the consultation already exists.
 */
const INGEST = process.env.INGEST_URL ?? 'http://127.0.0.1:3000';
const SLUG = 'grande-cause-territoires';
const moderatorToken = (process.env.MODERATOR_TOKENS ?? 'local:local-moderator-token').split(',')[0].split(':').pop() as string;

let seed = 42;
const rng = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)];

const post = async (method: string, path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
  const response = await fetch(`${INGEST}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

const inBatches = async <T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> => {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
};

const main = async (): Promise<void> => {
  const year = new Date().getUTCFullYear();
  const scheduled = await post(
    'POST',
    '/v1/consultations',
    {
      slug: SLUG,
      question: 'Comment améliorer les conditions de vie dans votre territoire ?',
      proposalsOpenAt: `${year - 1}-01-01T00:00:00+01:00`,
      proposalsCloseAt: `${year + 1}-01-01T00:00:00+01:00`,
      votesOpenAt: `${year - 1}-01-01T00:00:00+01:00`,
      votesCloseAt: `${year + 1}-01-01T00:00:00+01:00`,
    },
    moderatorToken,
  );
  if (scheduled.status === 409) {
    process.stdout.write(`[seed-demo] ${SLUG} already exists: demo data left as it is\n`);
    return;
  }
  if (scheduled.status !== 201) throw new Error(`scheduling failed: ${JSON.stringify(scheduled.body)}`);

  const shares: Record<Tier, number> = { rural: 0.601, medium: 0.249, large: 0.15 };
  const participants: { token: string; tier: Tier }[] = [];
  for (const tier of TIERS) {
    await inBatches(sampleCommunes(tier, Math.round(400 * shares[tier]), rng), 50, async (commune) => {
      const answer = await post('POST', '/v1/participants', { communeCode: commune.communeCode, ageRange: pick(['18-24', '25-34', '45-54', '65+']) });
      if (answer.status === 201) participants.push({ token: answer.body.token as string, tier });
    });
  }

  const texts = loadMakeOrgProposals().filter((p) => p.text.startsWith('Il faut')).slice(0, 150);
  const proposalIds: string[] = [];
  await inBatches(texts, 50, async (proposal) => {
    const answer = await post('POST', `/v1/consultations/${SLUG}/proposals`, { text: proposal.text }, pick(participants).token);
    if (answer.status === 202) proposalIds.push(answer.body.proposalId as string);
  });
  const accepted = proposalIds.filter(() => rng() < 0.9);
  await inBatches(proposalIds, 50, async (id) => {
    const accept = accepted.includes(id);
    await post('POST', `/v1/moderation/proposals/${id}/${accept ? 'accept' : 'refuse'}`, accept ? undefined : { reason: 'Hors sujet (démo)' }, moderatorToken);
  });

  let votes = 0;
  await inBatches(participants, 100, async (participant) => {
    for (const id of accepted.filter(() => rng() < 0.08)) {
      const value = pick(VOTE_VALUES);
      const qualifications = rng() < 0.5 ? [pick(QUALIFICATIONS_BY_VALUE[value])] : [];
      if ((await post('PUT', `/v1/proposals/${id}/vote`, { value, qualifications }, participant.token)).status === 202) votes++;
    }
  });
  process.stdout.write(
    `[seed-demo] ${SLUG}: ${participants.length} participants, ${proposalIds.length} proposals (${accepted.length} accepted), ${votes} votes\n`,
  );
};

main().catch((error: unknown) => {
  process.stderr.write(`[seed-demo] ${(error as Error).message}\n`);
  process.exit(1);
});
