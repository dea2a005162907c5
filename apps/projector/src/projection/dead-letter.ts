import { Message } from 'kafkajs';

/** A record that could not be decoded: a defect to fix, then replay (DESIGN.md invariant 2). */
export interface DeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly reason: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/** Header names on dead-letter records. */
export const DEAD_LETTER_HEADERS = {
  reason: 'dead-letter-reason',
  topic: 'source-topic',
  partition: 'source-partition',
  offset: 'source-offset',
} as const;

/** The original key and bytes, untouched, with where they came from and why they were refused. */
export const deadLetterMessage = (letter: DeadLetter): Message => ({
  key: letter.key,
  value: letter.value,
  headers: {
    [DEAD_LETTER_HEADERS.reason]: letter.reason.slice(0, 2000),
    [DEAD_LETTER_HEADERS.topic]: letter.topic,
    [DEAD_LETTER_HEADERS.partition]: String(letter.partition),
    [DEAD_LETTER_HEADERS.offset]: letter.offset,
  },
});
