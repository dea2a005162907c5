/**
 * Top self-time functions of a V8 .cpuprofile (from `node --cpu-prof` or bench/lib/cpu-profiler.js),
 * and self time per package / area, so a bottleneck can be named with evidence.
 *
 *   node -r @swc-node/register bench/profile-summary.ts <file.cpuprofile> [top=30]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly functions: { name: string; where: string; selfMs: number; share: number }[];
  readonly areas: { area: string; selfMs: number; share: number }[];
}

/** Which package (node_modules/<pkg>), app code (apps/…, libs/…), Node internals or V8 a frame belongs to. */
export const areaOf = (frame: CallFrame): string => {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName}`;
  }
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const own = /\/(apps\/[^/]+|libs\/[^/]+)\//.exec(url);
  if (own) return own[1];
  return url;
};

export const summarise = (profile: Profile, top = 30): ProfileSummary => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const functions = new Map<string, { name: string; where: string; us: number }>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    const where = frame.url === '' ? '' : `${frame.url.replace(/^.*\/(node_modules|apps|libs)\//, '$1/').replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName}@${where}`;
    const entry = functions.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - (areas.get('idle') ?? 0);
  return {
    totalMs: busyUs / 1000,
    functions: [...functions.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.us / 1000, share: f.us / busyUs })),
    areas: [...areas]
      .filter(([area]) => area !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, share: us / busyUs })),
  };
};

export const formatSummary = (summary: ProfileSummary, areasShown = 15): string => {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)} %`;
  const lines = [`busy (non-idle) samples: ${summary.totalMs.toFixed(0)} ms`, '', 'self time by area:'];
  for (const a of summary.areas.slice(0, areasShown)) lines.push(`  ${pct(a.share)}  ${a.selfMs.toFixed(0).padStart(7)} ms  ${a.area}`);
  lines.push('', 'top functions by self time:');
  for (const f of summary.functions) lines.push(`  ${pct(f.share)}  ${f.selfMs.toFixed(0).padStart(7)} ms  ${f.name}  ${f.where}`);
  return lines.join('\n');
};

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 30)))}\n`);
}
