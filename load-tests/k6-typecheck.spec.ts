import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * The k6 scripts are JavaScript checked by TypeScript (JSDoc, strict) against @types/k6 alone,
 * with no Node types: `npx tsc -p load-tests/tsconfig.json --noEmit`. Running it here puts the
 * check in `npm test` (the root type-check does not see .js files).
 */
describe('the k6 scripts', () => {
  it('type-check against @types/k6 with load-tests/tsconfig.json', () => {
    const configPath = join(__dirname, 'tsconfig.json');
    const { config, error } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
    expect(error).toBeUndefined();
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
    expect(parsed.fileNames.some((file) => file.endsWith('k6/consultation.js'))).toBe(true);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const messages = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1} ` : '';
      return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(messages).toEqual([]);
  }, 60_000);
});
