import { loadMakeOrgProposals, parseCsv } from './demo-data';

describe('Make.org open data reader', () => {
  it('reads quoted fields with commas, doubled quotes and newlines', () => {
    expect(parseCsv('a,b\n"x, ""y""\nz",2\n')).toEqual([
      ['a', 'b'],
      ['x, "y"\nz', '2'],
    ]);
  });

  it('reads the 14,517 proposals of the shared data set', () => {
    const proposals = loadMakeOrgProposals();
    expect(proposals).toHaveLength(14517);
    expect(proposals.filter((p) => !p.text.startsWith('Il faut')).length).toBeGreaterThanOrEqual(10);
  });
});
