import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createK6Runtime } from './k6-runtime';

/** The adapter refuses what k6 could not run, by name, instead of letting a script pass in Node only. */
describe('k6 script loader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k6-loader-'));
  const script = (name: string, source: string): string => {
    writeFileSync(join(dir, name), source);
    return join(dir, name);
  };
  const runtimeFor = (entry: string) => createK6Runtime({ entry, env: { GREETING: 'bonjour' }, sink: { add: () => undefined }, onConsole: () => undefined });

  it('gives each instance its own module state, like k6 VUs, and the k6 globals', () => {
    const entry = script('counter.js', "import { shared } from './state.js';\nexport const bump = () => ++shared.n;\nexport const env = () => __ENV.GREETING;\n");
    script('state.js', 'export const shared = { n: 0 };\n');
    const runtime = runtimeFor(entry);
    const [a, b] = [runtime.instantiate(), runtime.instantiate()];
    void a.call('bump');
    void a.call('bump');
    return Promise.all([a.call('bump'), b.call('bump'), a.call('env')]).then(([x, y, greeting]) => {
      expect([x, y, greeting]).toEqual([3, 1, 'bonjour']);
      runtime.close();
    });
  });

  it('refuses Node modules and k6 exports the adapter does not implement', () => {
    expect(() => runtimeFor(script('node.js', "import { readFileSync } from 'node:fs';\nexport default readFileSync;\n")).instantiate()).toThrow(/k6 modules and relative files only/);
    const sleepy = runtimeFor(script('sleep.js', "import { sleep } from 'k6';\nexport const nap = () => sleep(1);\n")).instantiate();
    return expect(sleepy.call('nap')).rejects.toThrow(/k6 has no "sleep" here/);
  });
});
