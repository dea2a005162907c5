import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DetectionSettings, Flag, identicalVotes, inhumanVoteRates, registrationBursts } from './detection-rules';

export interface ScanReport {
  readonly flagged: Readonly<Record<Flag['rule'], number>>;
  /** Flags created by this scan (others were refreshed). */
  readonly created: number;
  readonly tookMs: number;
}

/** Stable per (participant, rule): a rescan refreshes the same flag. */
const flagId = (participantId: string, rule: string): string => {
  const hex = createHash('sha256').update(`abuse-flag/${participantId}/${rule}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/**
 * One detection pass (docs/abuse.md): reads the Postgres read models (`schema`), applies the rules
 * of detection-rules.ts, and upserts abuse.flags. SQL narrows the input to the candidates (networks
 * and vote vectors shared often enough, participants with enough votes), so the rules see
 * thousands of rows, not the million votes. Read-only on the read models; safe to run at any time
 * and from several places (the upsert is idempotent).
 */
export const scanForAbuse = async (pool: Pool, schema: string, settings: DetectionSettings): Promise<ScanReport> => {
  const started = Date.now();
  const registrations = await pool.query<{ participant_id: string; network_id: string; ms: string }>(
    `SELECT participant_id::text AS participant_id, network_id, (extract(epoch FROM registered_at) * 1000)::bigint::text AS ms
     FROM ${schema}.registration_networks
     WHERE network_id IN (SELECT network_id FROM ${schema}.registration_networks GROUP BY network_id HAVING count(*) >= $1)`,
    [settings.burstMinRegistrations],
  );
  const vectors = await pool.query<{ participant_id: string; consultation: string; vector: string; votes: number }>(
    `WITH vectors AS (
       SELECT participant_id, consultation, count(*)::int AS votes,
              md5(string_agg(proposal_id::text || '=' || value || ':' || array_to_string(qualifications, ','), ';' ORDER BY proposal_id)) AS vector
       FROM ${schema}.current_votes WHERE value IS NOT NULL
       GROUP BY participant_id, consultation HAVING count(*) >= $1)
     SELECT v.participant_id::text AS participant_id, v.consultation, v.vector, v.votes
     FROM vectors v JOIN (SELECT consultation, vector FROM vectors GROUP BY consultation, vector HAVING count(*) >= $2) g
       USING (consultation, vector)`,
    [settings.identicalMinVotes, settings.identicalMinParticipants],
  );
  const times = await pool.query<{ participant_id: string; times: string[] }>(
    `SELECT participant_id::text AS participant_id, array_agg((extract(epoch FROM updated_at) * 1000)::bigint::text) AS times
     FROM ${schema}.current_votes WHERE value IS NOT NULL
     GROUP BY participant_id HAVING count(*) >= $1`,
    [settings.rateMaxVotes],
  );
  const flags = [
    ...registrationBursts(
      registrations.rows.map((r) => ({ participantId: r.participant_id, networkId: r.network_id, registeredAtMs: Number(r.ms) })),
      settings,
    ),
    ...identicalVotes(
      vectors.rows.map((r) => ({ participantId: r.participant_id, consultation: r.consultation, vector: r.vector, votes: r.votes })),
      settings,
    ),
    ...inhumanVoteRates(times.rows.map((r) => ({ participantId: r.participant_id, votedAtMs: r.times.map(Number) })), settings),
  ];
  const created = await storeFlags(pool, flags);
  const flagged = { 'registration-burst': 0, 'identical-votes': 0, 'inhuman-vote-rate': 0 };
  for (const flag of flags) flagged[flag.rule]++;
  return { flagged, created, tookMs: Date.now() - started };
};

/** Upserts in pages; a flag's status and review survive a rescan (a dismissed flag stays dismissed). */
const storeFlags = async (pool: Pool, flags: readonly Flag[]): Promise<number> => {
  let created = 0;
  const sorted = [...flags].sort((a, b) => (a.participantId + a.rule < b.participantId + b.rule ? -1 : 1));
  for (let i = 0; i < sorted.length; i += 1000) {
    const page = sorted.slice(i, i + 1000);
    const result = await pool.query<{ created: boolean }>(
      `INSERT INTO abuse.flags (flag_id, participant_id, rule, evidence, group_key, first_seen_at, last_seen_at)
       SELECT f, p, r, e::jsonb, g, date_trunc('milliseconds', now()), now()
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) AS u (f, p, r, e, g)
       ON CONFLICT (participant_id, rule) DO UPDATE SET evidence = excluded.evidence, group_key = excluded.group_key,
         last_seen_at = excluded.last_seen_at
       RETURNING (xmax = 0) AS created`,
      [
        page.map((f) => flagId(f.participantId, f.rule)),
        page.map((f) => f.participantId),
        page.map((f) => f.rule),
        page.map((f) => JSON.stringify(f.evidence)),
        page.map((f) => f.groupKey),
      ],
    );
    created += result.rows.filter((r) => r.created).length;
  }
  return created;
};
