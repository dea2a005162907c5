import { Tally, emptyTally } from '@app/domain';
import { CSV_COLUMNS, csvLine, numberCell, textCell } from './proposals-csv';

describe('open-data CSV cells', () => {
  it('escapes cells that a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(textCell(`${start}1+1`).replace(/^"|"$/g, '').startsWith(`'${start}`)).toBe(true);
    expect(textCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(textCell('Il faut -20 %')).toBe('Il faut -20 %');
  });

  it('quotes commas, quotes and line breaks; leaves other text as is', () => {
    expect(textCell('a, b')).toBe('"a, b"');
    expect(textCell('dit "non"')).toBe('"dit ""non"""');
    expect(textCell('ligne\nsuite')).toBe('"ligne\nsuite"');
    expect(textCell('Éloïse')).toBe('Éloïse');
    expect(textCell(null)).toBe('');
  });

  it('writes numbers with a dot, never in exponent notation, negative numbers unescaped', () => {
    expect(numberCell(0.875)).toBe('0.875');
    expect(numberCell(-0.5)).toBe('-0.5');
    expect(numberCell(1e-7)).toBe('0.0000001');
    expect(numberCell(null)).toBe('');
  });

  it("writes the columns in Make.org's order, then per tier; no first name under 18", () => {
    expect(CSV_COLUMNS.slice(0, 7)).toEqual(['proposition', 'auteur', 'age', 'votes', 'adhesion', 'engagement', 'score']);
    expect(CSV_COLUMNS).toHaveLength(7 + 3 * 4);
    const agree: Tally = { ...emptyTally(), total: 1, agree: 1, qualifications: { ...emptyTally().qualifications, likeIt: 1 } };
    const line = csvLine({ text: 'Il faut x', firstName: 'Tom', ageRange: '<18', overall: agree, byTier: { rural: agree, medium: emptyTally(), large: emptyTally() } });
    expect(line).toBe('Il faut x,,<18,1,1,1,2,1,1,1,2,0,,,,0,,,\r\n');
  });
});
