/**
 * A snapshot of everything the vote routes answer (status, problem document, the headers a
 * client sees) for a corpus of good and hostile requests, to prove that a change of the hot path
 * (apps/ingest-api/src/votes, auth guards, libs/http) keeps the HTTP contract identical:
 *
 *   node -r @swc-node/register bench/vote-contract.ts --dist <build> --write before.json
 *   node -r @swc-node/register bench/vote-contract.ts --dist dist --check before.json
 *
 * The ingest runs from the given build against its own topics, database and Redis prefix, with
 * consultations and proposals written straight to Kafka (open, closed and future windows;
 * pending, accepted and refused proposals). Log positions in answers are replaced by their shape.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Redis from 'ioredis';
import { ParticipantTokens } from '@app/auth';
import { DEFAULT_THRESHOLDS, DomainEvent, makeEvent } from '@app/events';
import { freePort, startApp } from './lib/procs';
import { writeEvents } from './lib/produce';
import { MODERATOR_TOKEN, TOKEN_SECRET, brokers, createDatabase, createTopics, deleteRedisKeys, newKafka, redisUrl } from './lib/stack';

const DAY = 86_400_000;

const seed = (now: number): { events: DomainEvent[]; ids: Record<string, string> } => {
  const ctx = (ms: number) => ({ eventId: randomUUID(), occurredAt: new Date(now + ms), correlationId: 'contract' });
  const at = (ms: number) => new Date(now + ms).toISOString();
  const ids = { accepted: randomUUID(), pending: randomUUID(), refused: randomUUID(), past: randomUUID(), future: randomUUID() };
  const events: DomainEvent[] = [];
  const consultation = (slug: string, votesFrom: number, votesTo: number) =>
    makeEvent(
      'ConsultationScheduled',
      {
        slug,
        question: 'Comment améliorer les conditions de vie dans votre territoire ?',
        proposalsOpenAt: at(-400 * DAY),
        proposalsCloseAt: at(400 * DAY),
        votesOpenAt: at(votesFrom),
        votesCloseAt: at(votesTo),
        thresholds: DEFAULT_THRESHOLDS,
        scheduledBy: 'contract',
      },
      ctx(-500 * DAY),
    );
  events.push(consultation('open', -DAY, 30 * DAY), consultation('past', -300 * DAY, -200 * DAY), consultation('future', 200 * DAY, 300 * DAY));
  const author = randomUUID();
  const submit = (id: string, slug: string) =>
    makeEvent('ProposalSubmitted', { proposalId: id, consultation: slug, authorId: author, authorTier: 'rural', text: 'Il faut des transports le soir' }, ctx(-350 * DAY));
  const accept = (id: string, slug: string) => makeEvent('ProposalAccepted', { proposalId: id, consultation: slug, moderator: 'contract' }, ctx(-340 * DAY));
  events.push(submit(ids.accepted, 'open'), accept(ids.accepted, 'open'), submit(ids.pending, 'open'), submit(ids.refused, 'open'));
  events.push(makeEvent('ProposalRefused', { proposalId: ids.refused, consultation: 'open', moderator: 'contract', reason: 'hors sujet', reasonCode: 'off-topic' }, ctx(-340 * DAY)));
  events.push(submit(ids.past, 'past'), accept(ids.past, 'past'), submit(ids.future, 'future'), accept(ids.future, 'future'));
  return { events, ids };
};

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  /** A JS value sent as JSON, or a raw string body. */
  readonly body?: unknown;
  readonly raw?: string;
}

const cases = (ids: Record<string, string>, tokens: Record<string, string>): Case[] => {
  const vote = (id: string) => `/v1/proposals/${id}/vote`;
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const voter = auth(tokens.voter);
  const put = (name: string, body: unknown, extra: Partial<Case> = {}): Case => ({ name, method: 'PUT', path: vote(ids.accepted), headers: voter, body, ...extra });
  const bodies: [string, unknown][] = [
    ['agree + quals', { value: 'agree', qualifications: ['likeIt', 'doable'] }],
    ['neutral', { value: 'neutral' }],
    ['disagree + []', { value: 'disagree', qualifications: [] }],
    ['quals null', { value: 'agree', qualifications: null }],
    ['duplicate quals', { value: 'agree', qualifications: ['likeIt', 'likeIt'] }],
    ['unknown value', { value: 'love' }],
    ['upper case', { value: 'AGREE' }],
    ['empty value', { value: '' }],
    ['long value', { value: 'a'.repeat(21) }],
    ['number value', { value: 1 }],
    ['object value', { value: { agree: true } }],
    ['array value', { value: ['agree'] }],
    ['null value', { value: null }],
    ['boolean value', { value: true }],
    ['missing value', {}],
    ['quals string', { value: 'agree', qualifications: 'likeIt' }],
    ['quals number item', { value: 'agree', qualifications: [42] }],
    ['quals null item', { value: 'agree', qualifications: [null] }],
    ['quals nested array', { value: 'agree', qualifications: [['likeIt']] }],
    ['quals object', { value: 'agree', qualifications: { 0: 'likeIt' } }],
    ['quals 4 items', { value: 'agree', qualifications: ['likeIt', 'doable', 'platitudeAgree', 'likeIt'] }],
    ['quals 1000', { value: 'agree', qualifications: Array(1000).fill('likeIt') }],
    ['quals long item', { value: 'agree', qualifications: ['x'.repeat(31)] }],
    ['quals long + number', { value: 'agree', qualifications: ['x'.repeat(31), 7] }],
    ['quals 4 with bad types', { value: 7, qualifications: [1, 'y'.repeat(40), null, 'likeIt'] }],
    ['qual of another value', { value: 'agree', qualifications: ['noWay'] }],
    ['second qual bad', { value: 'agree', qualifications: ['likeIt', 'noWay'] }],
    ['two bad quals', { value: 'agree', qualifications: ['noWay', 'likeIt', 'impossible'] }],
    ['unknown qual', { value: 'neutral', qualifications: ['meh'] }],
    ['bad value + bad qual', { value: 'love', qualifications: ['meh'] }],
    ['extra field', { value: 'agree', extra: true }],
    ['two extra fields', { value: 'agree', b: 1, a: 2 }],
    ['voterTier', { value: 'agree', voterTier: 'large' }],
    ['extra + bad value', { value: 3, extra: 'x' }],
    ['extra + missing value', { zzz: 1 }],
    ['body array', ['agree']],
    ['body string', 'agree'],
    ['body number', 12],
    ['body null', null],
    ['body true', true],
    ['constructor key', { value: 'agree', constructor: 'x' }],
    ['toString key', { value: 'agree', toString: 'x' }],
    ['hasOwnProperty key', { value: 'agree', hasOwnProperty: 1 }],
  ];
  const list: Case[] = bodies.map(([name, body]) => put(`PUT ${name}`, body));
  for (const [name, body] of bodies) {
    list.push({ ...put(`PUT unknown proposal, ${name}`, body), path: vote(randomUUID()) });
    list.push({ ...put(`PUT not a UUID, ${name}`, body), path: vote('not-a-uuid') });
  }
  list.push(
    { ...put('PUT not a UUID, no body', undefined), path: vote('not-a-uuid') },
    { ...put('PUT not a UUID, empty JSON body', undefined, { raw: '' }), path: vote('not-a-uuid') },
    { ...put('PUT not a UUID, no token', { value: 1 }, { headers: {} }), path: vote('not-a-uuid') },
    { ...put('PUT closed, DTO-invalid', { value: 1 }), path: vote(ids.past) },
  );
  list.push(
    put('PUT raw: malformed JSON', undefined, { raw: '{"value": "agree"' }),
    put('PUT raw: empty body with JSON type', undefined, { raw: '' }),
    put('PUT raw: __proto__', undefined, { raw: '{"value":"agree","__proto__":{"x":1}}' }),
    put('PUT raw: text/plain', undefined, { raw: 'agree', headers: { ...voter, 'content-type': 'text/plain' } }),
    put('PUT raw: no content type', undefined, { raw: '{"value":"agree"}', headers: { ...voter, 'content-type': '' } }),
    put('PUT raw: JSON with charset', undefined, { raw: '{"value":"agree"}', headers: { ...voter, 'content-type': 'application/json; charset=utf-8' } }),
    put('PUT raw: 17 KiB', undefined, { raw: JSON.stringify({ value: 'agree', pad: 'x'.repeat(17 * 1024) }) }),
    put('PUT no body at all', undefined, { raw: undefined }),
    { ...put('PUT upper-case UUID', { value: 'agree' }), path: vote(ids.accepted.toUpperCase()) },
    { ...put('PUT nil UUID', { value: 'agree' }), path: vote('00000000-0000-0000-0000-000000000000') },
    { ...put('PUT UUID + junk', { value: 'agree' }), path: vote(`${ids.accepted}x`) },
    { ...put('PUT SQL id', { value: 'agree' }), path: vote(encodeURIComponent("1' OR '1'='1")) },
    { ...put('PUT query string', { value: 'agree' }), path: `${vote(ids.accepted)}?x=1` },
    { ...put('PUT pending', { value: 'agree' }), path: vote(ids.pending) },
    { ...put('PUT refused', { value: 'agree' }), path: vote(ids.refused) },
    { ...put('PUT pending, bad value', { value: 'love' }), path: vote(ids.pending) },
    { ...put('PUT pending, DTO-invalid', { value: 1 }), path: vote(ids.pending) },
    { ...put('PUT votes closed', { value: 'agree' }), path: vote(ids.past) },
    { ...put('PUT votes not open', { value: 'agree' }), path: vote(ids.future) },
    put('PUT x-request-id', { value: 'agree' }, { headers: { ...voter, 'x-request-id': 'abc-123' } }),
    put('PUT x-request-id invalid', { value: 'agree' }, { headers: { ...voter, 'x-request-id': 'a b' } }),
    // Authentication
    put('PUT no token', { value: 'agree' }, { headers: {} }),
    put('PUT no token, bad body', { value: 1 }, { headers: {} }),
    put('PUT basic auth', { value: 'agree' }, { headers: { authorization: 'Basic abc' } }),
    put('PUT bearer without token', { value: 'agree' }, { headers: { authorization: 'Bearer ' } }),
    put('PUT lower-case bearer', { value: 'agree' }, { headers: { authorization: `bearer ${tokens.voter}` } }),
    put('PUT two spaces', { value: 'agree' }, { headers: { authorization: `Bearer  ${tokens.voter}` } }),
    put('PUT malformed token', { value: 'agree' }, { headers: auth('p1.abc') }),
    put('PUT bad signature', { value: 'agree' }, { headers: auth(tokens.forged) }),
    put('PUT expired token', { value: 'agree' }, { headers: auth(tokens.expired) }),
    put('PUT moderator token', { value: 'agree' }, { headers: auth(MODERATOR_TOKEN) }),
    put('PUT random token', { value: 'agree' }, { headers: auth('x'.repeat(40)) }),
    put('PUT no token, bad key', { value: 'agree' }, { headers: { 'idempotency-key': 'é' } }),
    // Idempotency
    put('PUT key: too long', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'k'.repeat(129) } }),
    put('PUT key: space', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'a b' } }),
    put('PUT key: bad key + bad body', { value: 1 }, { headers: { ...voter, 'idempotency-key': 'a b' } }),
    put('PUT key: bad key + unknown proposal', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'a b' }, path: vote(randomUUID()) }),
    put('PUT key: first', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-1' } }),
    put('PUT key: replay', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-1' } }),
    put('PUT key: other body', { value: 'disagree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-1' } }),
    put('PUT key: same body, other key order', { value: 'agree', qualifications: [] }, { headers: { ...voter, 'idempotency-key': 'contract-key-1' } }),
    put('PUT key: 422 first', { value: 'love' }, { headers: { ...voter, 'idempotency-key': 'contract-key-2' } }),
    put('PUT key: 422 replay', { value: 'love' }, { headers: { ...voter, 'idempotency-key': 'contract-key-2' } }),
    put('PUT key: DTO 422 first', { value: 5 }, { headers: { ...voter, 'idempotency-key': 'contract-key-3' } }),
    put('PUT key: DTO 422 replay', { value: 5 }, { headers: { ...voter, 'idempotency-key': 'contract-key-3' } }),
    { ...put('PUT key: 404 first', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-4' } }), path: vote('not-a-uuid') },
    { ...put('PUT key: 404 replay', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-4' } }), path: vote('not-a-uuid') },
    { ...put('PUT key: 409 first', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-5' } }), path: vote(ids.past) },
    { ...put('PUT key: 409 replay', { value: 'agree' }, { headers: { ...voter, 'idempotency-key': 'contract-key-5' } }), path: vote(ids.past) },
    put('PUT key: other voter, same key', { value: 'agree' }, { headers: { ...auth(tokens.other), 'idempotency-key': 'contract-key-1' } }),
    put('PUT key: no body, first', undefined, { headers: { ...voter, 'idempotency-key': 'contract-key-6' } }),
    put('PUT key: no body, replay', undefined, { headers: { ...voter, 'idempotency-key': 'contract-key-6' } }),
    // Retraction
    { name: 'DELETE', method: 'DELETE', path: vote(ids.accepted), headers: voter },
    { name: 'DELETE with a body', method: 'DELETE', path: vote(ids.accepted), headers: voter, body: { value: 1 } },
    { name: 'DELETE pending', method: 'DELETE', path: vote(ids.pending), headers: voter },
    { name: 'DELETE refused', method: 'DELETE', path: vote(ids.refused), headers: voter },
    { name: 'DELETE unknown', method: 'DELETE', path: vote(randomUUID()), headers: voter },
    { name: 'DELETE not a UUID', method: 'DELETE', path: vote('abc'), headers: voter },
    { name: 'DELETE closed', method: 'DELETE', path: vote(ids.past), headers: voter },
    { name: 'DELETE no token', method: 'DELETE', path: vote(ids.accepted) },
    { name: 'DELETE moderator', method: 'DELETE', path: vote(ids.accepted), headers: auth(MODERATOR_TOKEN) },
    { name: 'DELETE key first', method: 'DELETE', path: vote(ids.accepted), headers: { ...voter, 'idempotency-key': 'contract-del-1' } },
    { name: 'DELETE key replay', method: 'DELETE', path: vote(ids.accepted), headers: { ...voter, 'idempotency-key': 'contract-del-1' } },
    { name: 'DELETE key, bad key', method: 'DELETE', path: vote(ids.accepted), headers: { ...voter, 'idempotency-key': '' } },
    // Other methods on the route
    { name: 'GET vote', method: 'GET', path: vote(ids.accepted), headers: voter },
    { name: 'POST vote', method: 'POST', path: vote(ids.accepted), headers: voter, body: { value: 'agree' } },
    { name: 'PATCH vote', method: 'PATCH', path: vote(ids.accepted), headers: voter, body: { value: 'agree' } },
  );
  return list;
};

const SHOWN_HEADERS = ['content-type', 'idempotent-replayed', 'retry-after', 'cache-control', 'connection', 'allow'];

interface Answer {
  readonly name: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;

/** Positions, ids and instants differ from run to run: each is replaced by what it is. */
const normaliser = (names: ReadonlyMap<string, string>) => (body: unknown): unknown =>
  JSON.parse(JSON.stringify(body) ?? 'null', (key, value: unknown) => {
    if (key === 'offset' && typeof value === 'string') return '<offset>';
    if (key === 'partition' && typeof value === 'number') return '<partition>';
    if (typeof value !== 'string') return value;
    return value
      .replace(/bench-contract-[0-9a-f]+\./g, '<prefix>.')
      .replace(UUID, (id) => names.get(id.toLowerCase()) ?? '<uuid>')
      .replace(INSTANT, '<instant>');
  });

const send = async (base: string, c: Case, normalise: (body: unknown) => unknown): Promise<Answer> => {
  const headers: Record<string, string> = { ...(c.headers ?? {}) };
  let body: string | undefined;
  if (c.raw !== undefined) body = c.raw;
  else if (c.body !== undefined) body = JSON.stringify(c.body);
  if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  if (headers['content-type'] === '') delete headers['content-type'];
  const response = await fetch(`${base}${c.path}`, { method: c.method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  const shown: Record<string, string> = {};
  for (const name of SHOWN_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) shown[name] = value;
  }
  return { name: c.name, status: response.status, headers: shown, body: normalise(parsed) };
};

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dist = flag('dist') ?? 'dist';
  const kafka = newKafka('contract');
  const topics = await createTopics(kafka, 'contract');
  const db = await createDatabase('contract');
  const redis = new Redis(redisUrl());
  const signer = new ParticipantTokens(TOKEN_SECRET);
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const voterId = randomUUID();
  const tokens = {
    voter: signer.sign({ participantId: voterId, tier: 'medium', exp }),
    other: signer.sign({ participantId: randomUUID(), tier: 'large', exp }),
    expired: signer.sign({ participantId: voterId, tier: 'medium', exp: Math.floor(Date.now() / 1000) - 10 }),
    forged: new ParticipantTokens('another-secret-0123456789-0123456789').sign({ participantId: voterId, tier: 'large', exp }),
  };
  const { events, ids } = seed(Date.now());
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    await writeEvents(kafka, topics.prefix, events);
    app = await startApp(
      'ingest',
      `${dist}/apps/ingest-api/src/main.js`,
      {
        KAFKA_BROKERS: brokers().join(','),
        TOPIC_PREFIX: topics.prefix,
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl(),
        REDIS_PREFIX: topics.prefix,
        TOKEN_SECRET,
        MODERATOR_TOKENS: `bench:${MODERATOR_TOKEN}`,
        LOG_LEVEL: 'error',
        // One voter sends the whole corpus from 127.0.0.1: write limits (docs/security.md) off for it.
        RATE_LIMIT_EXEMPT: '127.0.0.1,::1',
      },
      { port: await freePort() },
    );
    const answers: Answer[] = [];
    const normalise = normaliser(new Map(Object.entries(ids).map(([name, id]) => [id, `<${name}>`])));
    for (const c of cases(ids, tokens)) answers.push(await send(app.url, c, normalise));
    const docs = await fetch(`${app.url}/docs-json`).then((r) => r.json() as Promise<{ paths: Record<string, unknown>; components: unknown }>);
    const voteDocs = Object.fromEntries(Object.entries(docs.paths).filter(([path]) => path.includes('/vote')));
    const snapshot = { answers, docs: { paths: voteDocs, components: docs.components } };
    const write = flag('write');
    const check = flag('check');
    if (write) writeFileSync(write, JSON.stringify(snapshot, null, 2));
    if (check) {
      const expected = JSON.parse(readFileSync(check, 'utf8')) as typeof snapshot;
      let differences = 0;
      expected.answers.forEach((want, i) => {
        const got = answers[i];
        if (JSON.stringify(want) !== JSON.stringify(got)) {
          differences++;
          process.stdout.write(`DIFF ${want.name}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}\n`);
        }
      });
      if (JSON.stringify(expected.docs) !== JSON.stringify(snapshot.docs)) {
        differences++;
        process.stdout.write('DIFF OpenAPI document of the vote routes\n');
        writeFileSync(`${check}.docs-now.json`, JSON.stringify(snapshot.docs, null, 2));
      }
      process.stdout.write(`${answers.length} requests, ${differences} differences\n`);
      process.exitCode = differences === 0 ? 0 : 1;
    }
    if (!write && !check) process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  } finally {
    await app?.stop();
    await db.drop().catch(() => undefined);
    await topics.remove().catch(() => undefined);
    await deleteRedisKeys(redis, topics.prefix).catch(() => undefined);
    redis.disconnect();
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
