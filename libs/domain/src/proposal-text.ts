import { FieldError } from './errors';
import { forbiddenCharacterErrors, lengthErrors, normaliseText } from './text';

/** DESIGN.md "Proposal rules", applied to the text a participant submits. */
export const PROPOSAL_TEXT_MIN = 12;
export const PROPOSAL_TEXT_MAX = 140;
export const PROPOSAL_PREFIX = 'Il faut';

const POINTER = '/text';

/** NFC, newlines (every kind) turned into spaces, trimmed. Nothing else is collapsed. */
export const normaliseProposalText = (raw: string): string => normaliseText(raw);

/**
 * "Il faut" exactly (case-sensitive, as Make.org), as a whole word: "Il fauteuil…" does not
 * start with it, "Il faut, …" does. "Il ne faut" and "Il faudrait" are refused.
 */
const STARTS_RIGHT = /^Il faut(?![\p{L}\p{M}\p{N}])/u;

/**
 * What an HTML parser would take for markup: a start or end tag (`<` or `</`, an ASCII letter,
 * then a tag name and attributes up to `>`), a comment, a doctype or a processing instruction.
 * A `<` not followed by a letter, `!` or `?` starts no tag, so "(<75%)", "a < b" and "<3" pass.
 */
const MARKUP = /<\/?[A-Za-z][A-Za-z0-9:-]*(?:[\s/][^<>]*)?>|<!--[\s\S]*?-->|<[!?][^<>]*>/;

/**
 * Every rule the (already normalised) text breaks, as `/text` errors; empty when it is valid.
 * Call it on the output of `normaliseProposalText`: lengths are judged after normalisation.
 */
export const validateProposalText = (text: string): FieldError[] => {
  const errors: FieldError[] = [...lengthErrors(text, POINTER, PROPOSAL_TEXT_MIN, PROPOSAL_TEXT_MAX)];
  if (!STARTS_RIGHT.test(text)) {
    errors.push({ pointer: POINTER, detail: `must start with "${PROPOSAL_PREFIX}"` });
  }
  const tag = MARKUP.exec(text);
  if (tag) {
    errors.push({ pointer: POINTER, detail: `must not contain markup tags: found "${tag[0].slice(0, 40)}"` });
  }
  errors.push(...forbiddenCharacterErrors(text, POINTER));
  return errors;
};
