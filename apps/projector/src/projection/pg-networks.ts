import { ParticipantRegistered } from '@app/events';
import { PoolClient } from 'pg';

/**
 * readmodel.registration_networks: the pseudonymous network id (ParticipantRegistered v2) of each
 * registration, which the registration-burst rule of the abuse scan groups by. First event wins.
 */
export const insertRegistrationNetworks = async (client: PoolClient, schema: string, events: readonly ParticipantRegistered[]): Promise<void> => {
  const first = new Map<string, ParticipantRegistered>();
  for (const event of events) {
    const id = event.data.participantId.toLowerCase();
    if (event.data.networkId !== undefined && !first.has(id)) first.set(id, event);
  }
  if (first.size === 0) return;
  const rows = [...first.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  await client.query(
    `INSERT INTO ${schema}.registration_networks (participant_id, network_id, registered_at)
     SELECT id, n, r::timestamptz FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u (id, n, r)
     ON CONFLICT (participant_id) DO NOTHING`,
    [rows.map(([id]) => id), rows.map(([, e]) => e.data.networkId), rows.map(([, e]) => e.occurredAt)],
  );
};
