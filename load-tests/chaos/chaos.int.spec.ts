import { CASES } from './cases';
import { ChaosCase } from './run-case';
import { runChaosSuite } from './suite';

/**
 * The small version of `npm run chaos` for `npm test`: two of its cases with a shorter load
 * (1,500 and 2,000 votes), on private services (a broker behind a proxy, Postgres and Redis started by the
 * infra scripts on free ports) and the three apps as processes built from the working tree:
 * SIGKILL of the projector, then the broker stopped and restarted. Each must end with every
 * acknowledged vote in the log and in every tally (lost=0 double_counted=0).
 */
jest.setTimeout(420_000);

const short = (name: string, votes: number): ChaosCase => {
  const found = CASES.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no chaos case ${name}`);
  return { ...found, votes, votePeakRate: 80, faultAfterSeconds: 5 };
};

describe('fault injection under load (npm run chaos, small)', () => {
  it('loses and double-counts nothing when the projector is killed and when the broker restarts', async () => {
    const lines: string[] = [];
    const results = await runChaosSuite({ cases: [short('kill-projector', 1500), short('broker-restart', 2000)], say: (line) => lines.push(line) });
    process.stdout.write(`${lines.join('\n')}\n`);
    expect(results.map((r) => ({ name: r.name, failures: r.failures }))).toEqual([
      { name: 'kill-projector', failures: [] },
      { name: 'broker-restart', failures: [] },
    ]);
    for (const result of results) {
      expect(result.verification).toMatchObject({ lost: 0, doubleCounted: 0, ok: true });
      expect(result.verification?.sources.map((s) => s.source)).toEqual(['postgres', 'postgres-pairs', 'redis', 'query-api', 'log-recount']);
    }
    expect(lines.filter((line) => line.endsWith('] lost=0 double_counted=0'))).toHaveLength(2);
  });
});
