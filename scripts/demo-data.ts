import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One row of Make.org's open data (shared/data): the proposal text, first name and age if any. */
export interface MakeOrgProposal {
  readonly text: string;
  readonly author: string;
  readonly age: string;
}

/** Minimal RFC 4180 reader: quoted fields, doubled quotes, newlines inside quotes. */
export const parseCsv = (content: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (quoted) {
      if (c === '"' && content[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && content[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length > 0) row.push(field), rows.push(row);
  return rows;
};

/** Where ../shared/data lives: MAKE_ORG_CSV, else beside the repository. */
export const defaultCsvPath = (): string =>
  process.env.MAKE_ORG_CSV ?? join(__dirname, '..', '..', 'shared', 'data', 'make-org-le-monde-d-apres-2020-04-30.csv');

export const loadMakeOrgProposals = (path = defaultCsvPath()): MakeOrgProposal[] => {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  const at = (name: string) => header.indexOf(name);
  const [text, author, age] = [at('proposition'), at('auteur'), at('age')];
  if (text < 0) throw new Error(`${path}: no "proposition" column`);
  return rows.filter((r) => r.length > text && r[text] !== '').map((r) => ({ text: r[text], author: r[author] ?? '', age: r[age] ?? '' }));
};
