import { createServer } from 'node:net';
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import { adminUrl as testAdminUrl } from '@app/testing';
import { dependencyUnavailable } from './dependency-unavailable';

/** A local port nothing listens on (bound, then released). */
const closedPort = async (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });

const adminUrl = testAdminUrl();

const caught = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

/** The errors pg and ioredis really raise when their server is gone become 503s; query errors do not. */
describe('dependencyUnavailable', () => {
  it('maps a refused Postgres connection and a pool connect timeout to 503 with Retry-After', async () => {
    const port = await closedPort();
    const refused = await caught(async () => {
      const client = new Client({ host: '127.0.0.1', port, user: 'nobody', database: 'none' });
      await client.connect();
    });
    const problem = dependencyUnavailable(refused);
    expect(problem?.problem).toEqual(expect.objectContaining({ status: 503, type: 'dependency-unavailable' }));
    expect(problem?.headers).toEqual({ 'Retry-After': '2' });

    const pool = new Pool({ host: '127.0.0.1', port, user: 'nobody', database: 'none', connectionTimeoutMillis: 200 });
    pool.on('error', () => undefined);
    expect(dependencyUnavailable(await caught(() => pool.query('select 1')))?.problem.status).toBe(503);
    await pool.end();
  });

  it('maps a Postgres server that terminates the connection (admin shutdown) to 503', async () => {
    const admin = new Client({ connectionString: adminUrl });
    const victim = new Client({ connectionString: adminUrl });
    await Promise.all([admin.connect(), victim.connect()]);
    victim.on('error', () => undefined);
    const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
    await admin.query('select pg_terminate_backend($1)', [pid]);
    const error = await caught(() => victim.query('select 1'));
    expect(dependencyUnavailable(error)?.problem.status).toBe(503);
    await admin.end();
  });

  it('leaves query errors (a bad SQL statement, a division by zero) to the 500 / 4xx paths', async () => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    const syntax = await caught(() => client.query('selec 1'));
    const division = await caught(() => client.query('select 1/0'));
    await client.end();
    expect(dependencyUnavailable(syntax)).toBeUndefined();
    expect(dependencyUnavailable(division)).toBeUndefined();
    expect(dependencyUnavailable(new TypeError('x is undefined'))).toBeUndefined();
    expect(dependencyUnavailable('a string')).toBeUndefined();
  });

  it('maps Redis gone (ioredis gives up on the command) to 503', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: await closedPort(), maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    redis.on('error', () => undefined);
    const error = await caught(async () => {
      await redis.connect().catch(() => undefined);
      await redis.get('k');
    });
    expect(dependencyUnavailable(error)?.problem.status).toBe(503);
    redis.disconnect();
  });
});
