/**
 * ISO-8601 instants as DESIGN.md requires them: a complete date and time WITH an offset, e.g.
 * `2026-02-01T00:00:00+01:00` or `2026-02-01T00:00:00Z`. A local time without an offset names
 * no instant (it depends on the reader's zone), so `2026-02-01T00:00:00` is refused.
 *
 * Accepted: `YYYY-MM-DDTHH:MM[:SS[.fraction]](Z|±HH:MM)` (RFC 3339 profile; seconds may be
 * omitted, as ISO 8601 allows). Every field is range-checked, the day against its month and leap
 * years: `2026-02-30` is refused where `Date.parse` would roll it over to March. A leap second
 * (`:60`) is refused: JS time has none. Fractions beyond milliseconds are truncated.
 */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

const MS_PER_MINUTE = 60_000;
/** 400 Gregorian years are exactly 146,097 days: used to keep `Date.UTC` off its 1900+y rule. */
const MS_PER_400_YEARS = 146_097 * 86_400_000;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number): number => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

/** Epoch milliseconds of an ISO-8601 instant with offset, or null when it is not one. */
export const parseInstant = (text: string): number | null => {
  const m = INSTANT.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3));
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  if (!m[8] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  return Date.UTC(y + 400, mo - 1, d, h, mi, s, ms) - MS_PER_400_YEARS - offsetMinutes * MS_PER_MINUTE;
};
