// Preloaded into a child whose CPU the bench needs after it exits (the rebuild command):
// prints {"cpuSeconds": user + system} on stderr when the process exits.
'use strict';
process.on('exit', () => {
  const usage = process.cpuUsage();
  require('node:fs').writeSync(2, `${JSON.stringify({ cpuSeconds: (usage.user + usage.system) / 1e6 })}\n`);
});
