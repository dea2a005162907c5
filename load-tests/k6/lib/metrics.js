// @ts-check
import { Counter } from 'k6/metrics';

/** Custom metrics (created in the init context, as k6 requires). Thresholds in options.js use them. */

/** Vote writes (cast, change, retraction) acknowledged with a log position. */
export const voteWritesAcknowledged = new Counter('vote_writes_acknowledged');
/** Writes still unconfirmed after every retry: outcome unknown (API.md 503); verification tolerates either outcome. */
export const writesUnconfirmed = new Counter('writes_unconfirmed');
/** Vote iterations with no accepted proposal known yet (nothing to vote on). */
export const votesWithoutProposal = new Counter('votes_without_proposal');
/** Iterations that could not obtain their participant's token. */
export const participantsUnavailable = new Counter('participants_unavailable');
