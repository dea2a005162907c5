import { ProgressSnapshot } from './run-load';

/** The one line per second the runner prints while it runs. */
const KEY_REQUESTS = ['vote', 'register', 'propose', 'stats', 'proposal', 'retract'];

const seconds = (s: number): string => (s >= 90 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

export const progressLine = (p: ProgressSnapshot): string => {
  const requests = [...p.last.requests.values()].reduce((a, b) => a + b, 0);
  const failedLast = [...p.last.failures.values()].reduce((a, b) => a + b, 0);
  const busiest = KEY_REQUESTS.map((name) => ({ name, histogram: p.last.latency.get(name) })).find((entry) => entry.histogram !== undefined && entry.histogram.count > 0);
  const latency = busiest?.histogram === undefined ? '' : ` │ ${busiest.name} p99 ${busiest.histogram.percentile(99).toFixed(1)} ms`;
  const failedShare = p.totals.requests === 0 ? 0 : (100 * p.totals.failed) / p.totals.requests;
  const lag = p.lag.length === 0 ? '' : ` │ lag ${p.lag.map((l) => `${l.source} ${l.events} ev/${l.seconds.toFixed(1)} s`).join(', ')}`;
  const eta = Math.max(0, p.plannedSeconds - p.elapsedSeconds);
  return (
    `[${seconds(p.elapsedSeconds).padStart(6)} / ${seconds(p.plannedSeconds)}] ${(p.running.join(',') || 'waiting').padEnd(18)} │ ` +
    `${requests} req/s, ${p.last.voteWrites} votes/s${latency} │ failed ${failedLast}/s, ${p.totals.failed} (${failedShare.toFixed(2)} %) ` +
    `checks✗ ${p.totals.checksFailed} dropped ${p.totals.dropped} errors ${p.totals.scriptErrors} │ vus ${p.vus}, generator ${(100 * p.generatorCpu).toFixed(0)} % cpu${lag} │ ETA ${seconds(eta)}`
  );
};
