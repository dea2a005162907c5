import { Tally, metricsOf } from '@app/domain';
import { TIERS, Tier } from '@app/events';
import { publicFirstName } from '../proposals/proposal-view';

/**
 * The open-data CSV (Make.org's columns, then the same figures per tier). RFC 4180 quoting,
 * comma-separated, dot decimals, UTF-8, lines ending in CRLF. Empty cell = no value (a figure
 * of a tally without votes, a missing first name or age range).
 */
export const CSV_COLUMNS = [
  'proposition',
  'auteur',
  'age',
  'votes',
  'adhesion',
  'engagement',
  'score',
  ...TIERS.flatMap((tier) => [`votes_${tier}`, `adhesion_${tier}`, `engagement_${tier}`, `score_${tier}`]),
];

export interface CsvProposal {
  readonly text: string;
  readonly firstName: string | null;
  readonly ageRange: string | null;
  readonly overall: Tally;
  readonly byTier: Readonly<Record<Tier, Tally>>;
}

/**
 * A text cell. One starting with `=`, `+`, `-` or `@` (or a tab or carriage return) would be run
 * as a formula by spreadsheets: it gets a leading apostrophe (OWASP's CSV-injection advice), which
 * spreadsheets show as text. Cells holding a comma, quote or line break are quoted, quotes doubled.
 */
export const textCell = (value: string | null): string => {
  if (value === null || value === '') return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** A number with a dot decimal separator, never in exponent notation; null → empty. */
export const numberCell = (value: number | null): string => {
  if (value === null) return '';
  const text = String(value);
  if (!/e/i.test(text)) return text;
  return value.toFixed(20).replace(/\.?0+$/, '');
};

const figures = (t: Tally): string[] => {
  const m = metricsOf(t);
  return [String(t.total), numberCell(m.adhesion), numberCell(m.engagement), numberCell(m.score)];
};

export const csvHeader = (): string => `${CSV_COLUMNS.join(',')}\r\n`;

/** One line; `auteur` is the first name unless the author is under 18 (then empty), as in Make.org's open data. */
export const csvLine = (p: CsvProposal): string =>
  `${[
    textCell(p.text),
    textCell(publicFirstName(p.firstName, p.ageRange)),
    textCell(p.ageRange),
    ...figures(p.overall),
    ...TIERS.flatMap((tier) => figures(p.byTier[tier])),
  ].join(',')}\r\n`;
