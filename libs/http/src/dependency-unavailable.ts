import { ProblemError, problem } from './problem';

/** Network errors of a socket to Postgres or Redis (Node's codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Postgres SQLSTATEs that say the server cannot serve now, not that the query is wrong:
 * class 08 (connection exception), 57P01–57P03 (shutting down, cannot connect now), 53300 (too
 * many connections).
 */
const isUnavailableSqlState = (code: string): boolean => /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '53300'].includes(code);

/** What pg and ioredis say when their server went away (they raise plain Errors for these). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|Stream isn't writeable|the database system is (starting up|shutting down|in recovery mode)/i;

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
}

/**
 * A Postgres or Redis outage seen by a request: answered 503 with Retry-After (the client may
 * retry; nothing is wrong with its request), not a 500 that would page as a defect.
 */
export const dependencyUnavailable = (error: unknown): ProblemError | undefined => {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code, message } = error as ErrorLike;
  const unavailable =
    name === 'MaxRetriesPerRequestError' ||
    (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) ||
    (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message));
  if (!unavailable) return undefined;
  return problem(503, 'dependency-unavailable', 'A database this service reads is unavailable; retry shortly.', {}, { 'Retry-After': '2' });
};
