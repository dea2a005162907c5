import { normaliseProposalText, validateProposalText } from './proposal-text';

const valid = (raw: string): boolean => validateProposalText(normaliseProposalText(raw)).length === 0;
const details = (raw: string): string[] => validateProposalText(normaliseProposalText(raw)).map((e) => e.detail);

describe('normaliseProposalText', () => {
  it('composes decomposed accents (NFC)', () => {
    const text = normaliseProposalText('Il faut re\u0301nover les e\u0301coles');
    expect(text).toBe('Il faut r\u00e9nover les \u00e9coles');
    expect([...text]).toHaveLength(26);
  });

  it('turns every kind of newline into one space (CRLF counts as one newline)', () => {
    expect(normaliseProposalText('Il faut\r\na\rb\nc\u2028d\u2029e\u0085f\vg\fh')).toBe('Il faut a b c d e f g h');
  });

  it('trims white space at both ends, newlines included', () => {
    expect(normaliseProposalText('\n  Il faut agir vite \u00a0\r\n')).toBe('Il faut agir vite');
  });

  it('keeps runs of spaces inside the text as typed', () => {
    expect(normaliseProposalText('Il faut  deux   espaces\n\nici')).toBe('Il faut  deux   espaces  ici');
  });
});

describe('validateProposalText: length in code points', () => {
  const withLength = (n: number, unit: string): string => `Il faut ${unit.repeat(n - 8)}`;

  it('accepts 12 characters and refuses 11', () => {
    expect(valid('Il faut agir')).toBe(true);
    expect(details('Il faut agi')).toEqual([
      'must be 12 to 140 characters long (Unicode code points); it has 11',
    ]);
  });

  it('accepts 140 characters written with decomposed accents, which are 272 UTF-16 units before NFC', () => {
    const raw = withLength(140, 'e\u0301');
    expect(raw.length).toBe(272);
    expect(valid(raw)).toBe(true);
  });

  it('refuses 141 characters', () => {
    expect(details(withLength(141, 'é'))).toEqual([
      'must be 12 to 140 characters long (Unicode code points); it has 141',
    ]);
  });

  it('counts an emoji as one character although it is two UTF-16 units', () => {
    expect(valid(withLength(140, '🙂'))).toBe(true);
    expect(valid(withLength(141, '🙂'))).toBe(false);
  });

  it('judges the length after newline folding and trimming', () => {
    expect(valid(`  ${withLength(140, 'a')}\r\n`)).toBe(true);
  });
});

describe('validateProposalText: "Il faut"', () => {
  it.each(['Il ne faut pas fermer les gares', 'Il faudrait rouvrir les gares', 'il faut rouvrir les gares', 'IL FAUT rouvrir les gares', 'Il fauteuil roulant partout', 'Nous devons rouvrir les gares'])(
    'refuses %j',
    (raw) => {
      expect(details(raw)).toEqual(['must start with "Il faut"']);
    },
  );

  it.each(['Il faut rouvrir les gares', 'Il faut, vraiment, rouvrir les gares', "Il faut qu'on rouvre les gares"])('accepts %j', (raw) => {
    expect(valid(raw)).toBe(true);
  });
});

describe('validateProposalText: markup', () => {
  it.each(['Il faut <b>x</b> partout', 'Il faut aller<br/>plus loin', 'Il faut </p> fermer', 'Il faut <!-- rien --> faire', 'Il faut <a href="x">cliquer</a>', 'Il faut <img src=x onerror=alert(1)>', 'Il faut <!DOCTYPE html> ok'])(
    'refuses %j',
    (raw) => {
      expect(details(raw)).toEqual([expect.stringMatching(/^must not contain markup tags/)]);
    },
  );

  it.each(['Il faut aider les communes (<75%)', 'Il faut que a < b soit vrai', 'Il faut des coeurs <3 partout', 'Il faut x < y et y > z', 'Il faut <5 ans de délai', 'Il faut passer de <5 à >10 élus'])(
    'accepts a bare "<" in %j',
    (raw) => {
      expect(valid(raw)).toBe(true);
    },
  );

  it('refuses "<" glued to a letter and closed by a later ">", which an HTML parser reads as a tag', () => {
    expect(valid('Il faut x<y et y > z')).toBe(false);
  });
});

describe('validateProposalText: invisible and invalid characters', () => {
  it('refuses a tab, naming it and its position', () => {
    expect(details('Il faut\tagir vite')).toEqual(['contains a control character: U+0009 at character 8']);
  });

  it('refuses NUL and C1 controls', () => {
    expect(valid('Il faut agir\u0000 vite')).toBe(false);
    expect(valid('Il faut agir\u0090 vite')).toBe(false);
    expect(valid('Il faut agir\u007f vite')).toBe(false);
  });

  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])(
    'refuses the bidi control %j, which reorders what readers see',
    (ch) => {
      expect(details(`Il faut ${ch}agir vite`)).toEqual([expect.stringMatching(/^contains a bidirectional formatting character/)]);
    },
  );

  it('accepts an emoji sequence joined by ZWJ', () => {
    expect(valid('Il faut aider les familles 👨‍👩‍👧')).toBe(true);
  });

  it('refuses a lone surrogate, which cannot be stored as UTF-8', () => {
    expect(details('Il faut agir \ud83d vite')).toEqual([expect.stringMatching(/^contains a lone surrogate/)]);
  });
});

describe('validateProposalText: all broken rules at once', () => {
  it('reports length, prefix, markup and control characters together, all at /text', () => {
    const errors = validateProposalText('Il <b>\u0001');
    expect(errors.map((e) => e.pointer)).toEqual(['/text', '/text', '/text', '/text']);
    expect(errors).toHaveLength(4);
  });
});
