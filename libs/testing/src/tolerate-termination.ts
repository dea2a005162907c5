import type { Pool } from 'pg';

/**
 * For a test's own pg pool: a test database is dropped WITH (FORCE) at teardown, and some tests
 * restart or kill backends on purpose. A connection terminated then emits 'error' (57P01) on the
 * pool or on a checked-out client; without a listener Node turns it into a crash of the whole
 * suite. The query in flight still rejects, so a test that needs the connection still fails.
 */
export const tolerateTermination = (pool: Pool): Pool => {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
};
