import { ConsultationScheduled, ParticipantRegistered } from '@app/events';
import { PoolClient } from 'pg';
import { unsealPersonal } from './unseal-personal';

/** Consultations: the last schedule in log order wins (one partition, keyed by slug). */
export const upsertConsultations = async (
  client: PoolClient,
  schema: string,
  events: readonly ConsultationScheduled[],
): Promise<void> => {
  const last = new Map<string, ConsultationScheduled>();
  for (const event of events) last.set(event.data.slug, event);
  if (last.size === 0) return;
  const rows = [...last.values()].sort((a, b) => (a.data.slug < b.data.slug ? -1 : 1));
  await client.query(
    `INSERT INTO ${schema}.consultations (slug, question, proposals_open_at, proposals_close_at, votes_open_at,
       votes_close_at, thresholds, scheduled_by, scheduled_at)
     SELECT s, q, po::timestamptz, pc::timestamptz, vo::timestamptz, vc::timestamptz, th::jsonb, sb, sa::timestamptz
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
       AS u (s, q, po, pc, vo, vc, th, sb, sa)
     ON CONFLICT (slug) DO UPDATE SET question = excluded.question, proposals_open_at = excluded.proposals_open_at,
       proposals_close_at = excluded.proposals_close_at, votes_open_at = excluded.votes_open_at,
       votes_close_at = excluded.votes_close_at, thresholds = excluded.thresholds,
       scheduled_by = excluded.scheduled_by, scheduled_at = excluded.scheduled_at`,
    [
      rows.map((e) => e.data.slug),
      rows.map((e) => e.data.question),
      rows.map((e) => e.data.proposalsOpenAt),
      rows.map((e) => e.data.proposalsCloseAt),
      rows.map((e) => e.data.votesOpenAt),
      rows.map((e) => e.data.votesCloseAt),
      rows.map((e) => JSON.stringify(e.data.thresholds)),
      rows.map((e) => e.data.scheduledBy),
      rows.map((e) => e.occurredAt),
    ],
  );
};

type PersonalStatus = 'absent' | 'decrypted' | 'erased' | 'undecryptable';

/**
 * Participants: registration happens once; the first event in log order stands. Personal data is
 * decrypted with the participant's key when it still exists; a destroyed or missing key leaves
 * NULLs (erasure survives any rebuild).
 */
export const insertParticipants = async (
  client: PoolClient,
  schema: string,
  keystoreTable: string,
  events: readonly ParticipantRegistered[],
): Promise<void> => {
  const first = new Map<string, ParticipantRegistered>();
  for (const event of events) {
    const id = event.data.participantId.toLowerCase();
    if (!first.has(id)) first.set(id, event);
  }
  if (first.size === 0) return;
  const sealedIds = [...first.entries()].filter(([, e]) => e.data.personal).map(([id]) => id);
  const keys = new Map<string, Buffer>();
  if (sealedIds.length > 0) {
    const found = await client.query<{ id: string; key: Buffer }>(
      `SELECT participant_id::text AS id, key FROM ${keystoreTable}
       WHERE participant_id = ANY($1::uuid[]) AND key IS NOT NULL AND destroyed_at IS NULL`,
      [sealedIds],
    );
    for (const row of found.rows) keys.set(row.id, row.key);
  }
  const ids = [...first.keys()].sort();
  const rows = ids.map((id) => {
    const event = first.get(id) as ParticipantRegistered;
    const { personal } = event.data;
    const key = keys.get(id);
    let status: PersonalStatus = 'absent';
    let firstName: string | null = null;
    let ageRange: string | null = null;
    if (personal && !key) status = 'erased';
    if (personal && key) {
      const opened = unsealPersonal(id, personal, key);
      status = opened ? 'decrypted' : 'undecryptable';
      firstName = opened?.firstName ?? null;
      ageRange = opened?.ageRange ?? null;
    }
    return { id, event, status, firstName, ageRange };
  });
  await client.query(
    `INSERT INTO ${schema}.participants (participant_id, tier, commune_code, commune_name, postal_code, departement,
       region, population, territory_data_version, first_name, age_range, personal_status, registered_at)
     SELECT id, tier, cc, cn, pc, dep, reg, pop, tdv, fn, ar, ps, ra::timestamptz
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
                 $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
       AS u (id, tier, cc, cn, pc, dep, reg, pop, tdv, fn, ar, ps, ra)
     ON CONFLICT (participant_id) DO NOTHING`,
    [
      ids,
      rows.map((r) => r.event.data.tier),
      rows.map((r) => r.event.data.territory.communeCode ?? null),
      rows.map((r) => r.event.data.territory.communeName ?? null),
      rows.map((r) => r.event.data.territory.postalCode ?? null),
      rows.map((r) => r.event.data.territory.departement),
      rows.map((r) => r.event.data.territory.region),
      rows.map((r) => r.event.data.territory.population ?? null),
      rows.map((r) => r.event.data.territoryDataVersion),
      rows.map((r) => r.firstName),
      rows.map((r) => r.ageRange),
      rows.map((r) => r.status),
      rows.map((r) => r.event.occurredAt),
    ],
  );
};
