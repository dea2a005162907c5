import 'reflect-metadata';
import { ProblemError, createValidationPipe } from '@app/http';
import { castVoteBody } from './cast-vote.body';
import { CastVoteDto } from './cast-vote.dto';
import { seededRandom } from '@app/testing';

type Outcome = { ok: true } | { ok: false; problem: unknown };

const viaPipe = async (body: unknown): Promise<Outcome> => {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: CastVoteDto, data: undefined });
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { ok: false, problem: error.problem };
  }
};

const viaHandWritten = (body: unknown): Outcome => {
  try {
    castVoteBody(body);
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    return { ok: false, problem: error.problem };
  }
};

const values: unknown[] = [undefined, 'agree', 'love', '', 'x'.repeat(20), 'x'.repeat(21), '😀'.repeat(15), 'é'.repeat(21), 1, 0, null, true, {}, { agree: true }, [], ['agree']];
const qualifications: unknown[] = [
  undefined,
  null,
  [],
  ['likeIt'],
  ['likeIt', 'likeIt'],
  'likeIt',
  42,
  [42],
  [null],
  [[]],
  [['likeIt']],
  ['x'.repeat(30)],
  ['x'.repeat(31)],
  ['😀'.repeat(16)],
  ['x'.repeat(31), 7],
  {},
  { 0: 'likeIt' },
  ['a', 'b', 'c'],
  ['a', 'b', 'c', 'd'],
  [1, 2, 3, 4],
  Array(1000).fill('likeIt'),
  true,
];
const extras: Record<string, unknown>[] = [
  {},
  { extra: true },
  { b: 1, a: 2 },
  { 1: 'x', z: 2, 0: 'y' },
  { voterTier: 'large' },
  { constructor: 'x' },
  { toString: 1, valueOf: 2 },
  { hasOwnProperty: 1, __defineGetter__: 2 },
  { Value: 'agree' },
];

/** Deterministic random JSON values. */
const seeded = seededRandom;

const randomJson = (random: () => number, depth: number): unknown => {
  const pick = Math.floor(random() * (depth > 2 ? 5 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return Math.floor(random() * 100) - 10;
    case 3:
    case 4:
      return ['agree', 'disagree', 'neutral', 'likeIt', 'noWay', '', 'x'.repeat(Math.floor(random() * 40))][Math.floor(random() * 7)];
    case 5:
      return Array.from({ length: Math.floor(random() * 5) }, () => randomJson(random, depth + 1));
    default: {
      const keys = ['value', 'qualifications', 'extra', 'toString', '0', 'z'];
      const object: Record<string, unknown> = {};
      for (const key of keys) if (random() < 0.4) object[key] = randomJson(random, depth + 1);
      return object;
    }
  }
};

describe('castVoteBody (the vote route’s hand-written CastVoteDto checks)', () => {
  it('answers every body of the corpus exactly as the DTO validation pipe does (same 422 documents)', async () => {
    const bodies: unknown[] = [undefined, null, [], ['agree'], 'agree', 12, true];
    for (const value of values) {
      for (const quals of qualifications) {
        for (const extra of extras) {
          const body: Record<string, unknown> = { ...extra };
          if (value !== undefined) body.value = value;
          if (quals !== undefined) body.qualifications = quals;
          bodies.push(body);
          // Key order matters to the whitelist's report: also the other order.
          bodies.push({ ...(quals !== undefined ? { qualifications: quals } : {}), ...extra, ...(value !== undefined ? { value } : {}) });
        }
      }
    }
    let differences = 0;
    for (const body of bodies) {
      const [expected, actual] = [await viaPipe(body), viaHandWritten(body)];
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        differences++;
        if (differences <= 5) expect({ body, actual }).toEqual({ body, actual: expected });
      }
    }
    expect(differences).toBe(0);
  });

  it('answers random JSON bodies exactly as the DTO validation pipe does', async () => {
    const random = seeded(20260201);
    for (let i = 0; i < 3000; i++) {
      const body = JSON.parse(JSON.stringify(randomJson(random, 0)) ?? 'null') as unknown;
      expect({ body, outcome: viaHandWritten(body) }).toEqual({ body, outcome: await viaPipe(body) });
    }
  });

  it('returns the body itself when it is valid', () => {
    const body = { value: 'agree', qualifications: ['likeIt'] };
    expect(castVoteBody(body)).toBe(body);
  });
});
