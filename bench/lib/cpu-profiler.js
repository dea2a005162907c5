// Preloaded into a child (`node -r bench/lib/cpu-profiler.js ...`) when `npm run bench -- --profile`:
// the same V8 sampling profiler as `node --cpu-prof`, but started and stopped by the bench with
// SIGWINCH around one measured stage, so that start-up and idle time stay out of the profile
// (SIGWINCH is ignored by default; Nest's shutdown hooks take SIGUSR2). Written to $BENCH_PROFILE_DIR/<BENCH_PROFILE_NAME>-<n>.cpuprofile (Chrome DevTools format).
'use strict';
const { Session } = require('node:inspector');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR || '.';
const name = process.env.BENCH_PROFILE_NAME || `pid${process.pid}`;
const session = new Session();
session.connect();
let running = false;
let n = 0;

process.on('SIGWINCH', () => {
  if (!running) {
    running = true;
    session.post('Profiler.enable', () =>
      session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_PROFILE_INTERVAL_US || 500) }, () =>
        session.post('Profiler.start'),
      ),
    );
    return;
  }
  running = false;
  session.post('Profiler.stop', (error, result) => {
    if (error) return process.stderr.write(`cpu-profiler: ${error.message}\n`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${name}-${++n}.cpuprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
    process.stderr.write(`cpu-profiler: wrote ${file}\n`);
  });
});
