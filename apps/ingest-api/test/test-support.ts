import { DomainEvent, physicalTopic, Tier, TopicName } from '@app/events';
import { createKafka, readLog } from '@app/kafka';
import { testEnv } from '@app/testing';
import { ParticipantTokens } from '@app/auth';
import { Answer, call } from './http-client';
import { MODERATOR_TOKEN, TOKEN_SECRET } from './ingest-harness';

/** Small helpers shared by the ingest integration tests (no app code, only HTTP and Kafka). */

export interface Position {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface Registered {
  readonly participantId: string;
  readonly token: string;
  readonly tier: Tier;
}

/** Asserts an RFC 9457 answer: exact status, problem+json, the type slug, and (422) the pointers. */
export const expectProblem = (answer: Answer, status: number, type: string, pointers?: readonly string[]): void => {
  const context = `${status} ${type} expected, got ${answer.status} ${JSON.stringify(answer.body)}`;
  expect({ context, status: answer.status }).toEqual({ context, status });
  expect(answer.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  const body = answer.body as Record<string, unknown>;
  expect(body).toMatchObject({ type, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  if (pointers !== undefined) {
    const errors = body.errors as { pointer: string; detail: string }[];
    expect(Array.isArray(errors)).toBe(true);
    for (const error of errors) expect(typeof error.detail).toBe('string');
    expect([...new Set(errors.map((e) => e.pointer))].sort()).toEqual([...new Set(pointers)].sort());
  }
};

export const isPosition = (value: unknown): value is Position => {
  const p = value as Position;
  return typeof p?.topic === 'string' && Number.isInteger(p.partition) && typeof p.offset === 'string' && /^\d+$/.test(p.offset);
};

export const OPEN_WINDOWS = {
  proposalsOpenAt: '2020-01-01T00:00:00+01:00',
  proposalsCloseAt: '2099-01-01T00:00:00Z',
  votesOpenAt: '2020-01-01T00:00:00Z',
  votesCloseAt: '2099-01-01T00:00:00Z',
};

export const schedule = async (url: string, slug: string, windows: Partial<typeof OPEN_WINDOWS> = {}): Promise<Answer> => {
  const answer = await call(url, 'POST', '/v1/consultations', {
    token: MODERATOR_TOKEN,
    body: { slug, question: 'Comment améliorer les conditions de vie dans votre territoire ?', ...OPEN_WINDOWS, ...windows },
  });
  if (answer.status !== 201) throw new Error(`scheduling ${slug}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
};

export const register = async (url: string, body: Record<string, unknown> = { communeCode: '75101' }): Promise<Registered> => {
  const answer = await call<Registered>(url, 'POST', '/v1/participants', { body });
  if (answer.status !== 201) throw new Error(`registering: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
};

export const submit = async (url: string, slug: string, token: string, text: string): Promise<string> => {
  const answer = await call<{ proposalId: string }>(url, 'POST', `/v1/consultations/${slug}/proposals`, { token, body: { text } });
  if (answer.status !== 202) throw new Error(`submitting: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.proposalId;
};

export const moderate = async (url: string, proposalId: string, decision: 'accept' | 'refuse'): Promise<Answer> => {
  const answer = await call(url, 'POST', `/v1/moderation/proposals/${proposalId}/${decision}`, {
    token: MODERATOR_TOKEN,
    ...(decision === 'refuse' && { body: { reason: 'Hors sujet pour cette consultation' } }),
  });
  if (answer.status !== 202) throw new Error(`${decision}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
};

/** A participant token as the server would sign it (harness TOKEN_SECRET), with any claims. */
export const signParticipantToken = (claims: { participantId: string; tier: Tier; exp: number }, secret = TOKEN_SECRET): string =>
  new ParticipantTokens(secret).sign(claims);

/** The token with one character of its payload changed (still base64url, still well formed). */
export const tamperPayload = (token: string): string => {
  const [version, payload, mac] = token.split('.');
  const i = Math.floor(payload.length / 2);
  const swapped = payload[i] === 'A' ? 'B' : 'A';
  return `${version}.${payload.slice(0, i)}${swapped}${payload.slice(i + 1)}.${mac}`;
};

export interface TopicRecord {
  readonly event: DomainEvent;
  readonly key: string;
  readonly partition: number;
  readonly offset: string;
}

/** Every record of one topic of a prefix, decoded (throws on an undecodable record). */
export const readTopic = async (topicPrefix: string, name: TopicName): Promise<TopicRecord[]> => {
  const kafka = createKafka({ brokers: testEnv.kafkaBrokers(), clientId: `test-reader-${name}`, logLevel: 'nothing' });
  const records: TopicRecord[] = [];
  const reader = readLog(kafka, [physicalTopic(topicPrefix, name)], (decoded, record) => {
    if (!decoded.ok) throw new Error(decoded.reason);
    records.push({ event: decoded.event, key: record.key?.toString() ?? '', partition: record.partition, offset: record.offset });
  });
  await reader.caughtUp;
  await reader.stop();
  return records;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
