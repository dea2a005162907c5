/** The compact table `npm run bench` prints at the end (the JSON file has every figure). */
import type { LoadRun } from './context';

export const fmt = (value: number | undefined, digits?: number): string => {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (digits !== undefined) return value.toFixed(digits);
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? (a / b).toFixed(2) : '–');

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly latency?: string;
  readonly cpu?: string;
  readonly load?: string;
}

const latency = (run: LoadRun | undefined, stream = 0): string => {
  const s = run?.streams[stream]?.latencyMs;
  return s ? `${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.p99)}` : '';
};

const cpuOf = (run: LoadRun | undefined, names: readonly string[]): string =>
  run ? names.map((n) => `${n} ${fmt(run.cpuPer1000[n], 3)}`).join(', ') : '';

const loadOf = (run: { loadAverage: { end: number[] }; foreignCores?: number } | undefined): string =>
  run ? `${fmt(run.loadAverage.end[0], 2)}${run.foreignCores !== undefined ? ` (foreign ${fmt(run.foreignCores, 2)})` : ''}` : '';

const rateOf = (run: LoadRun | undefined, stream = 0): string => {
  const s = run?.streams[stream];
  return s ? `${fmt(s.ok / s.durationS)}/s (${s.ok}/${s.scheduled}, ${s.errors} err)${run?.passed ? '' : ' FAIL'}` : '–';
};

export const printTable = (results: Record<string, unknown>): void => {
  const http = results.http as { runs: LoadRun[]; best: number } | undefined;
  const system = results.system as { search: LoadRun[]; best: number; sustained?: LoadRun; low?: LoadRun } | undefined;
  const reads = results.reads as LoadRun | undefined;
  const producer = results.producer as
    | { batch: number; rate: number; capacity: { perSecond: number; batchMs: { p99: number }; cpuPer1000: number }; capacityMax: { perSecond: number }; open: { perSecond: number; latencyMs?: { p50: number; p95: number; p99: number }; cpuPer1000: number } }
    | undefined;
  const projector = results.projector as
    | { catchUp: { events: number; applyS: number; startS: number; eventsPerSecond: number; cpuPer1000: Record<string, number>; loadAverage: { end: number[] } }; bareCopy: { perSecond: number }; bareRedis: { perSecond: number } }
    | undefined;
  const rebuild = results.rebuild as
    | { votes: number; wallS: number; method: string; result?: { replayMs?: number }; verification: { matches: boolean }; cpuSeconds: Record<string, number | undefined>; loadAverage: { end: number[] }; written: { perSecond: number } }
    | undefined;
  const rows: Row[] = [];
  const httpAt = (rate: number): LoadRun | undefined => http?.runs.find((r) => r.streams[0].rate === rate);
  if (http) rows.push({ figure: 'bare Fastify 202: highest rate with p99 ≤ limit', value: `${fmt(http.best)}/s`, latency: latency(httpAt(http.best)), cpu: cpuOf(httpAt(http.best), ['bare-http', 'loadgen']), load: loadOf(httpAt(http.best)) });
  if (system) {
    const best = system.search.find((r) => r.streams[0].rate === system.best);
    rows.push({ figure: 'system: highest rate with p99 ≤ limit, projector on', value: `${fmt(system.best)}/s`, latency: latency(best), cpu: cpuOf(best, ['ingest', 'projector', 'loadgen', 'kafka']), load: loadOf(best) });
    for (const run of system.search.filter((r) => !r.passed)) rows.push({ figure: `  first failing step ${run.streams[0].rate}/s`, value: rateOf(run), latency: latency(run), load: loadOf(run) });
    if (system.sustained) {
      const s = system.sustained;
      rows.push({ figure: `system sustained ${s.streams[0].rate}/s × ${s.streams[0].durationS} s`, value: rateOf(s), latency: latency(s), cpu: cpuOf(s, ['ingest', 'projector', 'loadgen', 'kafka', 'postgres', 'redis']), load: loadOf(s) });
      rows.push({ figure: '  projector catch-up after the load', value: s.catchUp ? `${fmt(s.catchUp.ms / 1000, 2)} s` : '–' });
      if (s.appender) rows.push({ figure: '  appender mean batch (events per sendBatch)', value: fmt(s.appender.meanBatch, 1) });
    }
    if (system.low) {
      const l = system.low;
      rows.push({ figure: `system ${l.streams[0].rate}/s × ${l.streams[0].durationS} s (p99 ≤ 50 ms)`, value: rateOf(l), latency: latency(l), cpu: cpuOf(l, ['ingest', 'projector', 'loadgen', 'kafka', 'postgres', 'redis']), load: loadOf(l) });
      if (l.lag) {
        rows.push({ figure: '  202 → visible in Postgres (p50/p99/max ms)', value: `${fmt(l.lag.postgresMs.p50)} / ${fmt(l.lag.postgresMs.p99)} / ${fmt(l.lag.postgresMs.max)}` });
        rows.push({ figure: '  202 → visible in Redis (p50/p99/max ms)', value: `${fmt(l.lag.redisMs.p50)} / ${fmt(l.lag.redisMs.p99)} / ${fmt(l.lag.redisMs.max)}` });
      }
      const bareSame = httpAt(l.streams[0].rate);
      if (bareSame) {
        rows.push({
          figure: `  ratio system / bare HTTP at ${l.streams[0].rate}/s: p99, ingest CPU`,
          value: `${ratio(l.streams[0].latencyMs.p99, bareSame.streams[0].latencyMs.p99)}, ${ratio(l.cpuPer1000.ingest, bareSame.cpuPer1000['bare-http'])}`,
        });
      }
    }
    if (http) rows.push({ figure: 'ratio system / bare HTTP (highest passing rates)', value: ratio(system.best, http.best) });
  }
  if (producer) {
    rows.push({ figure: `bare producer capacity, batches of ${producer.batch} (appender's mean)`, value: `${fmt(producer.capacity.perSecond)}/s`, latency: `batch p99 ${fmt(producer.capacity.batchMs.p99)}`, cpu: `producer ${fmt(producer.capacity.cpuPer1000, 3)}` });
    rows.push({ figure: 'bare producer capacity, batches of 2,000', value: `${fmt(producer.capacityMax.perSecond)}/s` });
    if (producer.open.latencyMs) rows.push({ figure: `bare producer open model ${fmt(producer.rate)}/s (group commit)`, value: `${fmt(producer.open.perSecond)}/s`, latency: `${fmt(producer.open.latencyMs.p50)} / ${fmt(producer.open.latencyMs.p95)} / ${fmt(producer.open.latencyMs.p99)}`, cpu: `producer ${fmt(producer.open.cpuPer1000, 3)}` });
    if (system) rows.push({ figure: 'ratio system / bare producer (same batch size)', value: ratio(system.best, producer.capacity.perSecond) });
  }
  const readsAlone = results.readsAlone as { runs: LoadRun[]; best: number } | undefined;
  if (readsAlone) {
    const best = readsAlone.runs.find((r) => r.streams[0].rate === readsAlone.best);
    rows.push({ figure: 'reads alone: highest rate with p99 ≤ 20 ms', value: `${fmt(readsAlone.best)}/s`, latency: latency(best), cpu: cpuOf(best, ['query', 'loadgen']), load: loadOf(best) });
  }
  if (reads) {
    rows.push({ figure: `reads (stats + proposal detail) while votes flow`, value: rateOf(reads, 0), latency: latency(reads, 0), cpu: cpuOf(reads, ['query', 'ingest', 'projector', 'loadgen']), load: loadOf(reads) });
    rows.push({ figure: '  votes meanwhile', value: rateOf(reads, 1), latency: latency(reads, 1) });
  }
  if (projector) {
    const c = projector.catchUp;
    rows.push({ figure: `projector catch-up of ${fmt(c.events)} votes (after ready; start ${fmt(c.startS, 1)} s)`, value: `${fmt(c.eventsPerSecond)}/s in ${fmt(c.applyS, 1)} s`, cpu: `projector ${fmt(c.cpuPer1000.projector, 3)}, postgres ${fmt(c.cpuPer1000.postgres, 3)}, redis ${fmt(c.cpuPer1000.redis, 3)}`, load: fmt(c.loadAverage.end[0], 2) });
    rows.push({ figure: '  bare COPY (current_votes + tallies shape)', value: `${fmt(projector.bareCopy.perSecond)} rows/s`, latency: `ratio ${ratio(c.eventsPerSecond, projector.bareCopy.perSecond)}` });
    rows.push({ figure: '  bare pipelined Redis (HSET + 4 HINCRBY per vote)', value: `${fmt(projector.bareRedis.perSecond)} votes/s`, latency: `ratio ${ratio(c.eventsPerSecond, projector.bareRedis.perSecond)}` });
  }
  if (rebuild) {
    rows.push({
      figure: `rebuild from offset 0 of ${fmt(rebuild.votes)} votes (${rebuild.method.split(' (')[0]})`,
      value: `${fmt(rebuild.wallS, 1)} s${rebuild.result?.replayMs ? ` (replay ${fmt(rebuild.result.replayMs / 1000, 1)} s)` : ''}`,
      latency: rebuild.verification.matches ? 'tallies = recount' : 'TALLIES DIFFER',
      cpu: `rebuild ${fmt(((rebuild.cpuSeconds.rebuild ?? Number.NaN) * 1000) / rebuild.votes, 3)}, postgres ${fmt(((rebuild.cpuSeconds.postgres ?? 0) * 1000) / rebuild.votes, 3)}`,
      load: fmt(rebuild.loadAverage.end[0], 2),
    });
    rows.push({ figure: '  log written by 3 bare producers', value: `${fmt(rebuild.written.perSecond)}/s` });
  }
  const header: Row = { figure: 'figure', value: 'value', latency: 'p50 / p95 / p99 ms', cpu: 'CPU-s per 1,000', load: 'load1' };
  const widths = {
    figure: Math.max(...[header, ...rows].map((r) => r.figure.length)),
    value: Math.max(...[header, ...rows].map((r) => r.value.length)),
    latency: Math.max(...[header, ...rows].map((r) => (r.latency ?? '').length)),
    load: Math.max(...[header, ...rows].map((r) => (r.load ?? '').length)),
  };
  const line = (r: Row): string =>
    `${r.figure.padEnd(widths.figure)}  ${r.value.padEnd(widths.value)}  ${(r.latency ?? '').padEnd(widths.latency)}  ${(r.load ?? '').padEnd(widths.load)}  ${r.cpu ?? ''}`;
  process.stdout.write(`\n${line(header)}\n${'-'.repeat(widths.figure + widths.value + widths.latency + widths.load + 30)}\n${rows.map(line).join('\n')}\n\n`);
};
