import { Tier, VoteValue } from '@app/events';
import { Pool } from 'pg';
import { PairState, pairKey } from './ledger';
import { TALLY_FIELDS, Tallies, addTo } from './tallies';

/**
 * The Postgres read models (libs/postgres/migrations/0002_readmodel.sql): readmodel.tallies for
 * the consultation's proposals, and readmodel.current_votes pair by pair. Columns are the
 * snake_case of the API's field names (likeIt → like_it).
 */
const column = (field: string): string => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

export const readPostgresTallies = async (pool: Pool, slug: string, proposalIds: readonly string[], schema = 'readmodel'): Promise<Tallies> => {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema ${schema}`);
  const { rows } = await pool.query<Record<string, string | number>>(
    `SELECT proposal_id::text AS id, tier, ${TALLY_FIELDS.map(column).join(', ')} FROM ${schema}.tallies
      WHERE proposal_id IN (SELECT proposal_id FROM ${schema}.proposals WHERE consultation = $1) OR proposal_id = ANY($2::uuid[])`,
    [slug, proposalIds],
  );
  const tallies: Tallies = {};
  for (const row of rows) for (const field of TALLY_FIELDS) addTo(tallies, String(row.id), String(row.tier), field, Number(row[column(field)]));
  return tallies;
};

const PAGE = 20_000;

/** Every current_votes row of the consultation (retracted pairs included), pair key → state. */
export const readPostgresPairs = async (pool: Pool, slug: string, schema = 'readmodel'): Promise<Map<string, PairState>> => {
  if (!IDENTIFIER.test(schema)) throw new Error(`invalid schema ${schema}`);
  const pairs = new Map<string, PairState>();
  let after: [string, string] = ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'];
  for (;;) {
    const { rows } = await pool.query<{ participant: string; proposal: string; tier: Tier; value: VoteValue | null; qualifications: string[] }>(
      `SELECT participant_id::text AS participant, proposal_id::text AS proposal, voter_tier AS tier, value, qualifications
         FROM ${schema}.current_votes
        WHERE consultation = $1 AND (participant_id, proposal_id) > ($2::uuid, $3::uuid)
        ORDER BY participant_id, proposal_id LIMIT ${PAGE}`,
      [slug, ...after],
    );
    for (const row of rows) {
      pairs.set(pairKey(row.participant, row.proposal), { tier: row.tier, value: row.value, qualifications: [...new Set(row.qualifications)].sort() });
    }
    if (rows.length < PAGE) return pairs;
    after = [rows[rows.length - 1].participant, rows[rows.length - 1].proposal];
  }
};
