import { QUALIFICATIONS, TIERS } from '@app/events';
import { Tallies, VALUE_FIELDS, addTo } from './tallies';

/**
 * The query API's tallies: GET /v1/proposals/{id} for each proposal (API.md ProposalView,
 * `byTier.<tier>` Tally). A moderator token also shows refused and pending proposals.
 */
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const numberAt = (record: Record<string, unknown>, key: string, where: string): number => {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${where}.${key} is not an integer: ${JSON.stringify(value)}`);
  return value;
};

export interface QueryTallies {
  readonly tallies: Tallies;
  /** Proposals the API did not return (404 or another status), with the status. */
  readonly missing: readonly { readonly proposalId: string; readonly status: number }[];
}

const readOne = async (queryUrl: string, proposalId: string, token: string | undefined, tallies: Tallies): Promise<number> => {
  const response = await fetch(`${queryUrl}/v1/proposals/${proposalId}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) return response.status;
  const body: unknown = await response.json();
  const byTier = isRecord(body) && isRecord(body.byTier) ? body.byTier : undefined;
  if (byTier === undefined) throw new Error(`GET /v1/proposals/${proposalId}: no byTier in the answer`);
  for (const tier of TIERS) {
    const tally = byTier[tier];
    const where = `proposal ${proposalId} byTier.${tier}`;
    if (!isRecord(tally) || !isRecord(tally.qualifications)) throw new Error(`${where} is not a Tally`);
    addTo(tallies, proposalId, tier, 'total', numberAt(tally, 'total', where));
    for (const value of VALUE_FIELDS) addTo(tallies, proposalId, tier, value, numberAt(tally, value, where));
    for (const qualification of QUALIFICATIONS) addTo(tallies, proposalId, tier, qualification, numberAt(tally.qualifications, qualification, `${where}.qualifications`));
  }
  return 200;
};

export const readQueryTallies = async (queryUrl: string, proposalIds: readonly string[], token?: string, concurrency = 16): Promise<QueryTallies> => {
  const tallies: Tallies = {};
  const missing: { proposalId: string; status: number }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < proposalIds.length) {
      const proposalId = proposalIds[next++];
      const status = await readOne(queryUrl, proposalId, token, tallies);
      if (status !== 200) missing.push({ proposalId, status });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, proposalIds.length) }, worker));
  return { tallies, missing };
};
