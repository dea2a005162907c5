import { FieldError } from './errors';

/**
 * Text rules shared by every free-text field (proposal text, consultation question, refusal
 * reason): one normalisation and one list of characters that may never be stored.
 */

/**
 * Every newline kind of the Unicode Standard (§5.8, "Newline Guidelines"): CRLF as one newline,
 * then CR, LF, NEL (U+0085), VT, FF, LS (U+2028) and PS (U+2029). Each becomes one space.
 */
const NEWLINES = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;

/**
 * NFC, every newline turned into one space, trimmed (`String.prototype.trim`: Unicode white
 * space, BOM included). Runs of other white space are kept as typed: DESIGN.md asks for nothing
 * more, and the stored text is what the author wrote.
 */
export const normaliseText = (raw: string): string => raw.normalize('NFC').replace(NEWLINES, ' ').trim();

/** Length as users count it: code points, so "é" is 1 whether composed or not (after NFC) and 🙂 is 1. */
export const codePointLength = (s: string): number => [...s].length;

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** C0, DEL and C1. Newlines are folded before this check, so a tab is the one a user meets. */
const isControl = (cp: number): boolean => cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);

/**
 * Bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI). They
 * make displayed text differ from stored text ("Trojan Source", CVE-2021-42574): a moderator
 * would accept a proposal that voters then read reordered, and an unterminated one bleeds into
 * whatever is displayed after it (moderation queue, CSV export). No French sentence needs them.
 * The implicit marks (LRM, RLM, ALM) and ZWJ/ZWNJ are kept: they change no order, and ZWJ is
 * part of emoji sequences such as 👨‍👩‍👧.
 */
const isBidiControl = (cp: number): boolean => (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);

/**
 * A lone UTF-16 surrogate is valid in a JS string and in JSON ("\ud800") but not in UTF-8:
 * Postgres rejects it, so storing it would turn a client's mistake into an undecodable event.
 */
const isSurrogate = (cp: number): boolean => cp >= 0xd800 && cp <= 0xdfff;

const FORBIDDEN = [
  { test: isControl, what: 'a control character' },
  { test: isBidiControl, what: 'a bidirectional formatting character' },
  { test: isSurrogate, what: 'a lone surrogate (not valid Unicode text)' },
] as const;

/** One error per kind of forbidden character found, naming the first one and its position. */
export const forbiddenCharacterErrors = (s: string, pointer: string): FieldError[] => {
  const firstAt: (readonly [number, number] | undefined)[] = FORBIDDEN.map(() => undefined);
  let position = 0;
  for (const ch of s) {
    position++;
    const cp = ch.codePointAt(0) ?? 0;
    FORBIDDEN.forEach((kind, k) => {
      if (firstAt[k] === undefined && kind.test(cp)) firstAt[k] = [cp, position];
    });
  }
  const errors: FieldError[] = [];
  FORBIDDEN.forEach((kind, k) => {
    const found = firstAt[k];
    if (found) errors.push({ pointer, detail: `contains ${kind.what}: ${hex(found[0])} at character ${found[1]}` });
  });
  return errors;
};

/** `min`–`max` code points, inclusive, with a detail that says the actual length. */
export const lengthErrors = (s: string, pointer: string, min: number, max: number): FieldError[] => {
  const length = codePointLength(s);
  return length < min || length > max
    ? [{ pointer, detail: `must be ${min} to ${max} characters long (Unicode code points); it has ${length}` }]
    : [];
};
