import { normaliseProposalText, validateProposalText } from '@app/domain';
import type { Rng } from '@app/territory';
import { ProposalFixture, ProposalOrigin } from './fixture-types';
import { pick, shuffled } from './rng';

/** Share of submissions made from real texts to break one rule (too long, markup, no "Il faut"). */
export const DERIVED_BREAKER_SHARE = 0.02;
/** Share of valid texts sent in decomposed Unicode (NFD): the server normalises them and accepts them. */
export const NFD_SHARE = 0.05;

export const expectedStatus = (text: string): 202 | 422 => (validateProposalText(normaliseProposalText(text)).length === 0 ? 202 : 422);

const codePoints = (text: string): number => [...text].length;

/** A valid real text turned into one that breaks a rule; null when this text cannot be. */
const breakRule = (text: string, kind: Exclude<ProposalOrigin, 'real' | 'real-nfd'>, other: string): string | null => {
  switch (kind) {
    case 'too-long': {
      let long = text;
      while (codePoints(long) <= 140) long = `${long} ${other}`;
      return long;
    }
    case 'markup': {
      const words = text.split(' ');
      if (words.length < 4) return null;
      words[3] = `<b>${words[3]}</b>`;
      return words.join(' ');
    }
    case 'no-prefix':
      return text.startsWith('Il faut ') ? `Il faudrait ${text.slice('Il faut '.length)}` : null;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
};

/**
 * `total` submissions: real texts that break a rule (the data holds 9; up to 10 % of `total`), ~2 % real
 * texts made to break one, the rest real valid texts (~5 % of them decomposed), each by an author
 * drawn from `authors` (indices of registrations that succeed), in a random order. The expected
 * status comes from the same rules as the server (libs/domain), so a difference is a defect of the
 * running system, not of the fixtures.
 */
export const buildProposals = (total: number, texts: readonly string[], authors: readonly number[], rng: Rng): ProposalFixture[] => {
  const realBreakers = texts.filter((text) => expectedStatus(text) === 422);
  const valid = shuffled(texts.filter((text) => expectedStatus(text) === 202), rng);
  const rows: ProposalFixture[] = [];
  const add = (text: string, origin: ProposalOrigin): void => {
    rows.push({ text, author: pick(authors, rng), expect: expectedStatus(text), origin });
  };
  const realCount = Math.min(realBreakers.length, Math.max(1, Math.round(total * 0.1)));
  for (const text of realBreakers.slice(0, realCount)) add(text, 'real');
  const derived = Math.min(total - rows.length - 1, Math.max(3, Math.round(total * DERIVED_BREAKER_SHARE)));
  const kinds = ['too-long', 'markup', 'no-prefix'] as const;
  for (let made = 0, attempts = 0; made < derived && attempts < derived * 10; attempts++) {
    const kind = kinds[made % kinds.length];
    const broken = breakRule(pick(valid, rng), kind, pick(valid, rng));
    if (broken !== null && expectedStatus(broken) === 422) {
      add(broken, kind);
      made++;
    }
  }
  for (let i = 0; rows.length < total; i++) {
    const text = valid[i % valid.length];
    if (rng() < NFD_SHARE) add(text.normalize('NFD'), 'real-nfd');
    else add(text, 'real');
  }
  return shuffled(rows, rng);
};
