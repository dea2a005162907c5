import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (CLK_TCK; 100 on Linux x86-64 and arm64). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process in seconds, or undefined when it is gone. */
export const cpuSeconds = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
};

/** utime and stime of a process in seconds, or undefined when it is gone. */
export const cpuSplit = (pid: number): { user: number; system: number } | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / TICKS_PER_SECOND, system: Number(fields[12]) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
};

/** Busy and total CPU seconds of the whole machine (all cores), from /proc/stat. */
export const machineCpu = (): { busy: number; total: number } => {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
};

export const loadAverage = (): [number, number, number] => {
  const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
  return [one, five, fifteen];
};

/** Pids whose command line contains every one of `needles` (for the shared services: Kafka, Postgres backends, Redis). */
export const pidsMatching = (...needles: string[]): number[] => {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (needles.every((n) => cmdline.includes(n))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
};

/** A group of processes whose CPU is measured together between two snapshots. */
export interface CpuProbe {
  readonly name: string;
  /** Current pids (re-resolved at each snapshot: Postgres backends come and go). */
  readonly pids: () => readonly number[];
}

export type CpuSnapshot = Map<string, Map<number, number>>;

export const snapshotCpu = (probes: readonly CpuProbe[]): CpuSnapshot => {
  const snapshot: CpuSnapshot = new Map();
  for (const probe of probes) {
    const perPid = new Map<number, number>();
    for (const pid of probe.pids()) {
      const seconds = cpuSeconds(pid);
      if (seconds !== undefined) perPid.set(pid, seconds);
    }
    snapshot.set(probe.name, perPid);
  }
  return snapshot;
};

/**
 * CPU seconds used by each probe between two snapshots. A pid absent from `before` (a Postgres
 * backend opened meanwhile) counts from 0; a pid gone by `after` is lost (short-lived backends).
 */
export const cpuDelta = (before: CpuSnapshot, after: CpuSnapshot): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const [name, perPid] of after) {
    let sum = 0;
    const was = before.get(name) ?? new Map<number, number>();
    for (const [pid, seconds] of perPid) sum += seconds - (was.get(pid) ?? 0);
    out[name] = Math.max(0, sum);
  }
  return out;
};

/**
 * CPU of process groups whose members come and go during a measurement (Postgres backends of a
 * client that exits, a child that ends): samples every `intervalMs` and adds, per pid, the last
 * value seen minus the first (0 for a pid born meanwhile). What a pid used after its last sample
 * is lost, so keep the interval short next to the run.
 */
export const trackCpu = (probes: readonly CpuProbe[], intervalMs = 250): { stop(): Record<string, number> } => {
  const first = snapshotCpu(probes);
  const last: CpuSnapshot = new Map([...first].map(([name, perPid]) => [name, new Map(perPid)]));
  const sample = (): void => {
    for (const [name, perPid] of snapshotCpu(probes)) {
      const seen = last.get(name) as Map<number, number>;
      for (const [pid, seconds] of perPid) seen.set(pid, seconds);
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const out: Record<string, number> = {};
      for (const [name, seen] of last) {
        let sum = 0;
        const start = first.get(name) as Map<number, number>;
        for (const [pid, seconds] of seen) sum += seconds - (start.get(pid) ?? 0);
        out[name] = Math.max(0, sum);
      }
      return out;
    },
  };
};
