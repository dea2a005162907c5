import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Qualification, VoteValue } from '@app/events';
import { problem } from '@app/http';
import { ReadModels } from '../infrastructure/read-models';
import { decodeCursor, encodeCursor } from '../proposals/cursor';
import { GetMyVotesQuery, MyVotesView } from './get-my-votes.query';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface VoteRow {
  proposal_id: string;
  consultation: string;
  value: VoteValue;
  qualifications: Qualification[];
  voted_ms: string;
  in_results: boolean | null;
  text: string | null;
}

/**
 * A participant's current votes, most recent first, from readmodel.current_votes (its primary
 * key starts with the participant: an index range, never a scan), paged by keyset
 * (cast time, proposal id) in one REPEATABLE READ snapshot with the positions it reflects.
 */
@QueryHandler(GetMyVotesQuery)
export class GetMyVotesHandler implements IQueryHandler<GetMyVotesQuery, MyVotesView> {
  constructor(private readonly models: ReadModels) {}

  async execute({ participantId, consultation, limit, cursor }: GetMyVotesQuery): Promise<MyVotesView> {
    const list = `my-votes|${consultation ?? ''}`;
    const after = cursor ? decodeCursor(cursor, list, 1) : undefined;
    if (after && !(Number.isSafeInteger(after.values[0]) && UUID.test(after.id))) {
      throw problem(400, 'bad-cursor', 'The cursor is not one this API issued.');
    }
    return this.models.snapshot(async (client, asOf) => {
      const rows = await client.query<VoteRow>(
        `SELECT v.proposal_id::text AS proposal_id, v.consultation, v.value, v.qualifications,
                (extract(epoch FROM v.updated_at) * 1000)::bigint::text AS voted_ms, p.in_results,
                CASE WHEN p.in_results THEN p.text END AS text
         FROM ${this.models.t('current_votes')} v
         LEFT JOIN ${this.models.t('proposals')} p ON p.proposal_id = v.proposal_id
         WHERE v.participant_id = $1 AND v.value IS NOT NULL
           AND ($2::text IS NULL OR v.consultation = $2)
           AND ($3::bigint IS NULL OR v.updated_at < 'epoch'::timestamptz + $3 * interval '1 millisecond'
                OR (v.updated_at = 'epoch'::timestamptz + $3 * interval '1 millisecond' AND v.proposal_id > $4::uuid))
         ORDER BY v.updated_at DESC, v.proposal_id
         LIMIT $5`,
        [participantId, consultation ?? null, after ? String(after.values[0]) : null, after?.id ?? null, limit + 1],
      );
      const page = rows.rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({
          proposalId: r.proposal_id,
          consultation: r.consultation,
          value: r.value,
          qualifications: r.qualifications,
          votedAt: new Date(Number(r.voted_ms)).toISOString(),
          inResults: r.in_results === true,
          text: r.text,
        })),
        nextCursor: rows.rows.length > limit && last ? encodeCursor(list, { values: [Number(last.voted_ms)], id: last.proposal_id }) : null,
        asOf,
      };
    });
  }
}
