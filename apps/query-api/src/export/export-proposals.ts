import { Readable } from 'node:stream';
import type { PoolClient } from 'pg';
import { TIERS, Tier } from '@app/events';
import { AsOf } from '../infrastructure/as-of';
import { ReadModels } from '../infrastructure/read-models';
import { TALLY_SQL_COLUMNS, emptyTierTallies, sumTallies, tallyFromRow } from '../infrastructure/tallies';
import { CsvProposal, csvHeader, csvLine } from './proposals-csv';

export interface ProposalsExport {
  readonly asOf: AsOf;
  /** The CSV, produced batch by batch as the client reads (backpressure: nothing is read ahead). */
  readonly body: Readable;
}

const TIER_ALIAS: Readonly<Record<Tier, string>> = { rural: 'r', medium: 'm', large: 'l' };

/**
 * Streams a consultation's proposals in results as CSV with bounded memory: one REPEATABLE READ
 * transaction (so every row and the asOf read first describe one snapshot), a server-side cursor
 * (DECLARE … FETCH `batchRows`), and a generator that fetches the next batch only when the
 * response stream wants more. Memory holds one batch whatever the number of proposals.
 * Returns null when the consultation is unknown (nothing is left open then).
 */
export const exportProposals = async (models: ReadModels, slug: string, batchRows: number): Promise<ProposalsExport | null> => {
  const client = await models.pool.connect();
  let handedOver = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const found = await client.query(`SELECT 1 FROM ${models.t('consultations')} WHERE slug = $1`, [slug]);
    if (found.rows.length === 0) return null;
    const asOf = await models.readAsOf(client);
    await client.query(`DECLARE proposals_export NO SCROLL CURSOR FOR ${proposalsExportSql(models)}`, [slug]);
    handedOver = true;
    let closed = false;
    const close = async (ok: boolean): Promise<void> => {
      if (closed) return;
      closed = true;
      const clean = await client.query(ok ? 'COMMIT' : 'ROLLBACK').then(() => true, () => false);
      // A connection whose transaction could not end is closed, not returned to the pool.
      client.release(clean ? undefined : true);
    };
    const body = Readable.from(lines(client, batchRows, close), { objectMode: false });
    // A stream destroyed before its first read never runs the generator's `finally`.
    body.once('close', () => void close(body.readableEnded));
    return { asOf, body };
  } finally {
    if (!handedOver) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
};

/** The export's rows ($1 = consultation): proposals in results, their author and per-tier tallies. */
export const proposalsExportSql = (models: ReadModels): string => {
  const tallyColumns = TIERS.flatMap((tier) => TALLY_SQL_COLUMNS.map((c) => `${TIER_ALIAS[tier]}.${c} AS ${TIER_ALIAS[tier]}_${c}`));
  const tallyJoins = TIERS.map(
    (tier) => `LEFT JOIN ${models.t('tallies')} ${TIER_ALIAS[tier]} ON ${TIER_ALIAS[tier]}.proposal_id = p.proposal_id AND ${TIER_ALIAS[tier]}.tier = '${tier}'`,
  );
  return `SELECT p.text, a.first_name, a.age_range, ${tallyColumns.join(', ')}
    FROM ${models.t('proposals')} p
    LEFT JOIN ${models.t('participants')} a ON a.participant_id = p.author_id
    ${tallyJoins.join('\n    ')}
    WHERE p.consultation = $1 AND p.in_results
    ORDER BY p.submitted_at, p.proposal_id`;
};

const CHUNK_CHARS = 32 * 1024;

const csvProposal = (row: Record<string, unknown>): CsvProposal => {
  const byTier = emptyTierTallies();
  for (const tier of TIERS) {
    const prefix = `${TIER_ALIAS[tier]}_`;
    if (row[`${prefix}total`] === null) continue;
    byTier[tier] = tallyFromRow(Object.fromEntries(TALLY_SQL_COLUMNS.map((c) => [c, row[`${prefix}${c}`]])));
  }
  return {
    text: String(row.text),
    firstName: (row.first_name as string | null) ?? null,
    ageRange: (row.age_range as string | null) ?? null,
    overall: sumTallies(byTier),
    byTier,
  };
};

async function* lines(client: PoolClient, batchRows: number, close: (ok: boolean) => Promise<void>): AsyncGenerator<string> {
  let failed = false;
  try {
    yield csvHeader();
    for (;;) {
      const batch = await client.query<Record<string, unknown>>(`FETCH ${batchRows} FROM proposals_export`);
      if (batch.rows.length === 0) break;
      let chunk = '';
      for (const row of batch.rows) {
        chunk += csvLine(csvProposal(row));
        // Small chunks keep what sits in stream and socket buffers small too.
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Reached on completion, on error, and when the client goes away (the stream is destroyed).
    await close(!failed);
  }
}
