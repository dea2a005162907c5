import { randomUUID } from 'node:crypto';
import { Answer, call } from './http-client';
import { IngestHarness, MODERATOR_TOKEN, startIngest } from './ingest-harness';
import {
  expectProblem,
  isPosition,
  moderate,
  readTopic,
  register,
  Registered,
  schedule,
  signParticipantToken,
  submit,
  tamperPayload,
} from './test-support';

/**
 * API.md, every error case of the ingest routes, plus hostile input: each request gets its exact
 * status, `application/problem+json`, its problem `type` and (422 validation-failed) the JSON
 * pointers of the broken fields, and NEVER a 5xx. Valid-but-unusual input (emoji, accents, NFD,
 * SQL fragments, a bare "<") is accepted: it is just text.
 */

interface Ctx {
  url: string;
  author: Registered;
  voter: Registered;
  /** Accepted, pending and refused proposals of `open` (windows open). */
  accepted: string;
  pending: string;
  refused: string;
  /** Accepted proposals of consultations whose votes window is closed (past) / not yet open. */
  votesPast: string;
  votesFuture: string;
  expiredToken: string;
}

type Lazy<T> = T | ((c: Ctx) => T);
const resolve = <T>(value: Lazy<T>, c: Ctx): T => (typeof value === 'function' ? (value as (c: Ctx) => T)(c) : value);

interface Case {
  readonly name: string;
  readonly method: 'POST' | 'PUT' | 'DELETE' | 'GET';
  readonly path: Lazy<string>;
  /** 'author' | 'voter' | 'moderator' | none | an explicit Authorization header value. */
  readonly auth?: 'author' | 'voter' | 'moderator' | ((c: Ctx) => string);
  readonly body?: Lazy<unknown>;
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** The problem type; absent for a success. */
  readonly type?: string;
  /** 422 validation-failed: the exact set of pointers. */
  readonly pointers?: readonly string[];
  readonly check?: (answer: Answer, c: Ctx) => void;
}

const OPEN = '/v1/consultations/open/proposals';
const vote = (id: (c: Ctx) => string) => (c: Ctx) => `/v1/proposals/${id(c)}/vote`;
const acceptedVote = vote((c) => c.accepted);
const refusePending = (c: Ctx) => `/v1/moderation/proposals/${c.pending}/refuse`;

/** Builds `n` code points of text starting with "Il faut ", in NFD: "é" as e + U+0301. */
const nfdProposal = (codePointsAfterNfc: number): string => 'Il faut ' + 'e\u0301'.repeat(codePointsAfterNfc - 'Il faut '.length);
const bigBody = (bytes: number): string => {
  const frame = '{"text":"Il faut "}';
  return `{"text":"Il faut ${'a'.repeat(bytes - frame.length)}"}`;
};

// ——— Transport errors, on every write route ———
const WRITE_ROUTES: readonly { label: string; method: 'POST' | 'PUT'; path: Lazy<string>; auth?: Case['auth'] }[] = [
  { label: 'participants', method: 'POST', path: '/v1/participants' },
  { label: 'consultations', method: 'POST', path: '/v1/consultations', auth: 'moderator' },
  { label: 'proposals', method: 'POST', path: OPEN, auth: 'author' },
  { label: 'vote', method: 'PUT', path: acceptedVote, auth: 'voter' },
  { label: 'refuse', method: 'POST', path: refusePending, auth: 'moderator' },
];

const json = { 'content-type': 'application/json' };
const transportCases: Case[] = WRITE_ROUTES.flatMap(({ label, method, path, auth }) => [
  { name: `${label}: malformed JSON → 400`, method, path, auth, raw: '{"text": "Il faut', headers: json, status: 400, type: 'malformed-json' },
  { name: `${label}: trailing garbage after JSON → 400`, method, path, auth, raw: '{} x', headers: json, status: 400, type: 'malformed-json' },
  { name: `${label}: NaN literal → 400`, method, path, auth, raw: '{"text": NaN}', headers: json, status: 400, type: 'malformed-json' },
  { name: `${label}: single-quoted JSON → 400`, method, path, auth, raw: "{'text': 'x'}", headers: json, status: 400, type: 'malformed-json' },
  { name: `${label}: __proto__ pollution → 400`, method, path, auth, raw: '{"__proto__": {"admin": true}}', headers: json, status: 400, type: 'malformed-json' },
  {
    name: `${label}: constructor.prototype pollution → 400`,
    method, path, auth,
    raw: '{"constructor": {"prototype": {"admin": true}}}',
    headers: json,
    status: 400,
    type: 'malformed-json',
  },
  { name: `${label}: body of 16 KiB + 1 byte → 413`, method, path, auth, raw: bigBody(16 * 1024 + 1), headers: json, status: 413, type: 'body-too-large' },
  { name: `${label}: body of 1 MiB → 413`, method, path, auth, raw: bigBody(1024 * 1024), headers: json, status: 413, type: 'body-too-large' },
  { name: `${label}: text/plain → 415`, method, path, auth, raw: 'Il faut des trains', headers: { 'content-type': 'text/plain' }, status: 415, type: 'unsupported-media-type' },
  {
    name: `${label}: application/x-www-form-urlencoded → 415`,
    method, path, auth,
    raw: 'text=Il+faut+des+trains',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    status: 415,
    type: 'unsupported-media-type',
  },
  {
    name: `${label}: multipart/form-data → 415`,
    method, path, auth,
    raw: '--XyZ\r\nContent-Disposition: form-data; name="text"\r\n\r\nIl faut des trains\r\n--XyZ--\r\n',
    headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
    status: 415,
    type: 'unsupported-media-type',
  },
  { name: `${label}: application/xml → 415`, method, path, auth, raw: '<text>Il faut</text>', headers: { 'content-type': 'application/xml' }, status: 415, type: 'unsupported-media-type' },
  { name: `${label}: JSON array → 422`, method, path, auth, raw: '[{"text": "Il faut des trains"}]', headers: json, status: 422, type: 'validation-failed', pointers: [''] },
  { name: `${label}: JSON string → 422`, method, path, auth, raw: '"Il faut des trains partout"', headers: json, status: 422, type: 'validation-failed', pointers: [''] },
  { name: `${label}: JSON null → 422`, method, path, auth, raw: 'null', headers: json, status: 422, type: 'validation-failed', pointers: [''] },
  { name: `${label}: JSON number → 422`, method, path, auth, raw: '42', headers: json, status: 422, type: 'validation-failed', pointers: [''] },
  { name: `${label}: JSON true → 422`, method, path, auth, raw: 'true', headers: json, status: 422, type: 'validation-failed', pointers: [''] },
  {
    name: `${label}: 4,000-deep nested arrays → 422`,
    method, path, auth,
    raw: `${'['.repeat(4000)}${']'.repeat(4000)}`,
    headers: json,
    status: 422,
    type: 'validation-failed',
    pointers: [''],
  },
]);

// ——— Proposals ———
const proposal = (name: string, text: unknown, status: number, type?: string, pointers?: string[], check?: Case['check']): Case => ({
  name: `proposal: ${name}`,
  method: 'POST',
  path: OPEN,
  auth: 'author',
  body: { text },
  status,
  type,
  pointers,
  check,
});
const pendingWithPosition = (answer: Answer) => {
  expect(answer.body).toMatchObject({ proposalId: expect.any(String), status: 'pending' });
  expect(isPosition((answer.body as { position: unknown }).position)).toBe(true);
};

const proposalCases: Case[] = [
  proposal('emoji and accents "Il faut 🚆 …" → 202', 'Il faut 🚆 des trains régionaux toutes les heures, même le dimanche', 202, undefined, undefined, pendingWithPosition),
  proposal('ZWJ emoji sequence → 202', 'Il faut des crèches pour les familles 👨‍👩‍👧 partout', 202),
  proposal('Arabic, Japanese, Greek letters → 202', "Il faut enseigner l'العربية, le 日本語 et le ελληνικά à l'école", 202),
  proposal('NFD text of exactly 140 code points after NFC → 202', nfdProposal(140), 202),
  proposal('NFD text of 141 code points after NFC → 422', nfdProposal(141), 422, 'validation-failed', ['/text']),
  proposal('exactly 12 code points → 202', 'Il faut ça!!', 202),
  proposal('11 code points → 422', 'Il faut ça.', 422, 'validation-failed', ['/text']),
  proposal('140 code points of emoji (280 UTF-16 units) → 202', 'Il faut ' + '🚆'.repeat(132), 202),
  proposal('141 code points of emoji → 422', 'Il faut ' + '🚆'.repeat(133), 422, 'validation-failed', ['/text']),
  proposal('newlines folded, spaces trimmed → 202', '  Il faut\ndes médecins\r\ndans chaque canton\u2028vraiment  ', 202),
  proposal('"Il faut," followed by punctuation → 202', 'Il faut, avant tout, des médecins', 202),
  proposal('"Il ne faut…" → 422', 'Il ne faut pas fermer les gares rurales', 422, 'validation-failed', ['/text']),
  proposal('"Il faudrait…" → 422', 'Il faudrait rouvrir les gares rurales', 422, 'validation-failed', ['/text']),
  proposal('"Il fauteuil…" → 422', 'Il fauteuil roulant accessible partout', 422, 'validation-failed', ['/text']),
  proposal('no "Il faut" at all → 422', 'Rouvrir les gares rurales, vite', 422, 'validation-failed', ['/text']),
  proposal('<b>…</b> markup → 422', 'Il faut des trains <b>rapides</b> partout', 422, 'validation-failed', ['/text']),
  proposal('<script> → 422', 'Il faut <script>alert(1)</script> des trains', 422, 'validation-failed', ['/text']),
  proposal('<!-- comment --> → 422', 'Il faut des trains <!-- caché --> partout', 422, 'validation-failed', ['/text']),
  proposal('<img onerror> → 422', 'Il faut des trains <img src=x onerror=alert(1)>', 422, 'validation-failed', ['/text']),
  proposal('<a href=javascript:> → 422', 'Il faut des <a href="javascript:alert(1)">trains</a>', 422, 'validation-failed', ['/text']),
  proposal('</closing tag> alone → 422', 'Il faut des trains partout </div>', 422, 'validation-failed', ['/text']),
  proposal('<!DOCTYPE> → 422', 'Il faut des trains <!DOCTYPE html> partout', 422, 'validation-failed', ['/text']),
  proposal('markup before "Il faut" → 422', '<b>Il faut</b> des trains partout', 422, 'validation-failed', ['/text']),
  proposal('a bare "<" as in "(<75%)" → 202', 'Il faut des loyers plafonnés (<75% du revenu) en ville', 202),
  proposal('"a < b et c > d" → 202', 'Il faut que a < b et que c > d, voilà', 202),
  proposal('"<3" → 202', 'Il faut plus de parcs en ville <3', 202),
  proposal("SQL fragment '; DROP TABLE … → 202 (just text)", "Il faut '; DROP TABLE proposals; -- des trains", 202),
  proposal('SQL fragment " OR 1=1 → 202 (just text)', 'Il faut " OR 1=1 -- des bus le soir', 202),
  proposal('formula-like =HYPERLINK → 202 (just text)', 'Il faut =HYPERLINK("http://x") des bus', 202),
  proposal('NUL character → 422', 'Il faut des trains\u0000 partout', 422, 'validation-failed', ['/text']),
  proposal('BEL control character → 422', 'Il faut des trains\u0007 partout', 422, 'validation-failed', ['/text']),
  proposal('tab → 422', 'Il faut des trains\tpartout', 422, 'validation-failed', ['/text']),
  proposal('DEL → 422', 'Il faut des trains\u007f partout', 422, 'validation-failed', ['/text']),
  proposal('C1 control (CSI) → 422', 'Il faut des trains\u009b partout', 422, 'validation-failed', ['/text']),
  proposal('bidi override RLO (Trojan Source) → 422', 'Il faut des trains \u202epartout', 422, 'validation-failed', ['/text']),
  proposal('lone surrogate → 422', 'Il faut des trains \ud83d partout', 422, 'validation-failed', ['/text']),
  proposal('huge string (2,001 chars) → 422', 'Il faut ' + 'a'.repeat(1993), 422, 'validation-failed', ['/text']),
  proposal('long string (500 chars) → 422', 'Il faut ' + 'a'.repeat(492), 422, 'validation-failed', ['/text']),
  proposal('8,000 chars (under 16 KiB) → 422', 'Il faut ' + 'é'.repeat(7992), 422, 'validation-failed', ['/text']),
  proposal('empty text → 422', '', 422, 'validation-failed', ['/text']),
  proposal('whitespace only → 422', '   \n  ', 422, 'validation-failed', ['/text']),
  proposal('number for text → 422', 42, 422, 'validation-failed', ['/text']),
  proposal('object for text → 422', { value: 'Il faut des trains' }, 422, 'validation-failed', ['/text']),
  proposal('array for text → 422', ['Il faut des trains partout'], 422, 'validation-failed', ['/text']),
  proposal('null for text → 422', null, 422, 'validation-failed', ['/text']),
  proposal('boolean for text → 422', true, 422, 'validation-failed', ['/text']),
  proposal('deeply nested object for text → 422', JSON.parse(`${'{"a":'.repeat(200)}1${'}'.repeat(200)}`), 422, 'validation-failed', ['/text']),
  { name: 'proposal: missing text → 422 /text', method: 'POST', path: OPEN, auth: 'author', body: {}, status: 422, type: 'validation-failed', pointers: ['/text'] },
  {
    name: 'proposal: unknown field → 422 /extra',
    method: 'POST',
    path: OPEN,
    auth: 'author',
    body: { text: 'Il faut des trains partout', extra: 1 },
    status: 422,
    type: 'validation-failed',
    pointers: ['/extra'],
  },
  {
    name: 'proposal: client-chosen authorTier → 422 /authorTier',
    method: 'POST',
    path: OPEN,
    auth: 'author',
    body: { text: 'Il faut des trains partout', authorTier: 'rural' },
    status: 422,
    type: 'validation-failed',
    pointers: ['/authorTier'],
  },
  {
    name: 'proposal: empty body with JSON content type → 422',
    method: 'POST',
    path: OPEN,
    auth: 'author',
    raw: '',
    headers: json,
    status: 422,
    type: 'validation-failed',
    pointers: [''],
  },
  {
    name: 'proposal: "Application/JSON; charset=UTF-8" content type is JSON → 202',
    method: 'POST',
    path: OPEN,
    auth: 'author',
    raw: JSON.stringify({ text: 'Il faut des trains à toute heure' }),
    headers: { 'content-type': 'Application/JSON; charset=UTF-8' },
    status: 202,
  },
  { name: 'proposal: proposals window closed (past) → 409', method: 'POST', path: '/v1/consultations/closed-past/proposals', auth: 'author', body: { text: 'Il faut des trains partout' }, status: 409, type: 'phase-closed' },
  { name: 'proposal: proposals window not yet open (future) → 409', method: 'POST', path: '/v1/consultations/not-yet/proposals', auth: 'author', body: { text: 'Il faut des trains partout' }, status: 409, type: 'phase-closed' },
  {
    name: 'proposal: a consultation whose votes are closed still takes proposals in its proposal window → 202',
    method: 'POST',
    path: '/v1/consultations/votes-past/proposals',
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    status: 202,
  },
  { name: 'proposal: unknown consultation → 404', method: 'POST', path: '/v1/consultations/nope-nope/proposals', auth: 'author', body: { text: 'Il faut des trains partout' }, status: 404, type: 'consultation-not-found' },
  {
    name: 'proposal: SQL in the slug → 404',
    method: 'POST',
    path: `/v1/consultations/${encodeURIComponent("x'; DROP TABLE consultations;--")}/proposals`,
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    status: 404,
    type: 'consultation-not-found',
  },
  {
    name: 'proposal: NUL in the slug → 404',
    method: 'POST',
    path: '/v1/consultations/open%00/proposals',
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    status: 404,
    type: 'consultation-not-found',
  },
  {
    name: 'proposal: path traversal in the slug → 404',
    method: 'POST',
    path: '/v1/consultations/..%2F..%2Fetc%2Fpasswd/proposals',
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    status: 404,
    type: 'consultation-not-found',
  },
];

// ——— Votes ———
const castOn = (name: string, path: Lazy<string>, body: unknown, status: number, type?: string, pointers?: string[], check?: Case['check']): Case => ({
  name: `vote: ${name}`,
  method: 'PUT',
  path,
  auth: 'voter',
  body,
  status,
  type,
  pointers,
  check,
});
const hasPosition = (answer: Answer) => {
  expect(isPosition((answer.body as { position: unknown }).position)).toBe(true);
};

const voteCases: Case[] = [
  castOn('agree with its qualifications → 202', acceptedVote, { value: 'agree', qualifications: ['likeIt', 'doable'] }, 202, undefined, undefined, hasPosition),
  castOn('neutral without qualifications → 202', acceptedVote, { value: 'neutral' }, 202, undefined, undefined, hasPosition),
  castOn('disagree with an empty list → 202', acceptedVote, { value: 'disagree', qualifications: [] }, 202, undefined, undefined, hasPosition),
  castOn('unknown value → 422 /value', acceptedVote, { value: 'love' }, 422, 'validation-failed', ['/value']),
  castOn('value in upper case → 422 /value', acceptedVote, { value: 'AGREE' }, 422, 'validation-failed', ['/value']),
  castOn('number for value → 422 /value', acceptedVote, { value: 1 }, 422, 'validation-failed', ['/value']),
  castOn('object for value → 422 /value', acceptedVote, { value: { agree: true } }, 422, 'validation-failed', ['/value']),
  castOn('null value → 422 /value', acceptedVote, { value: null }, 422, 'validation-failed', ['/value']),
  castOn('missing value → 422 /value', acceptedVote, {}, 422, 'validation-failed', ['/value']),
  castOn('string for qualifications → 422 /qualifications', acceptedVote, { value: 'agree', qualifications: 'likeIt' }, 422, 'validation-failed', ['/qualifications']),
  castOn('number in qualifications → 422 /qualifications', acceptedVote, { value: 'agree', qualifications: [42] }, 422, 'validation-failed', ['/qualifications']),
  castOn('qualification of another value → 422 /qualifications/0', acceptedVote, { value: 'agree', qualifications: ['noWay'] }, 422, 'validation-failed', ['/qualifications/0']),
  castOn('second qualification does not match → 422 /qualifications/1', acceptedVote, { value: 'agree', qualifications: ['likeIt', 'noWay'] }, 422, 'validation-failed', ['/qualifications/1']),
  castOn('neutral qualification on disagree → 422 /qualifications/0', acceptedVote, { value: 'disagree', qualifications: ['doNotCare'] }, 422, 'validation-failed', ['/qualifications/0']),
  castOn('unknown qualification → 422 /qualifications/0', acceptedVote, { value: 'neutral', qualifications: ['meh'] }, 422, 'validation-failed', ['/qualifications/0']),
  castOn('2 bad qualifications → both pointers', acceptedVote, { value: 'agree', qualifications: ['noWay', 'likeIt', 'impossible'] }, 422, 'validation-failed', ['/qualifications/0', '/qualifications/2']),
  castOn('1,000 qualifications → 422', acceptedVote, { value: 'agree', qualifications: Array(1000).fill('likeIt') }, 422, 'validation-failed', ['/qualifications']),
  castOn('unknown field → 422 /extra', acceptedVote, { value: 'agree', extra: true }, 422, 'validation-failed', ['/extra']),
  castOn('client-chosen voterTier → 422 /voterTier', acceptedVote, { value: 'agree', voterTier: 'large' }, 422, 'validation-failed', ['/voterTier']),
  castOn('unknown proposal → 404', vote(() => randomUUID()), { value: 'agree' }, 404, 'proposal-not-found'),
  castOn('nil UUID → 404', vote(() => '00000000-0000-0000-0000-000000000000'), { value: 'agree' }, 404, 'proposal-not-found'),
  castOn('pending proposal → 409', vote((c) => c.pending), { value: 'agree' }, 409, 'proposal-not-votable'),
  castOn('refused proposal → 409', vote((c) => c.refused), { value: 'agree' }, 409, 'proposal-not-votable'),
  castOn('votes window closed (past) → 409', vote((c) => c.votesPast), { value: 'agree' }, 409, 'phase-closed'),
  castOn('votes window not yet open → 409', vote((c) => c.votesFuture), { value: 'agree' }, 409, 'phase-closed'),
  castOn('proposal id not a UUID → 404', vote(() => 'not-a-uuid'), { value: 'agree' }, 404, 'proposal-not-found'),
  castOn('SQL as proposal id → 404', vote(() => encodeURIComponent("1' OR '1'='1")), { value: 'agree' }, 404, 'proposal-not-found'),
  castOn('UUID with trailing junk → 404', vote((c) => `${c.accepted}x`), { value: 'agree' }, 404, 'proposal-not-found'),
  { name: 'vote: retract on an accepted proposal → 202', method: 'DELETE', path: acceptedVote, auth: 'voter', status: 202, check: hasPosition },
  { name: 'vote: retract a vote that does not exist (pending proposal) → 202', method: 'DELETE', path: vote((c) => c.pending), auth: 'voter', status: 202, check: hasPosition },
  { name: 'vote: retract on an unknown proposal → 404', method: 'DELETE', path: vote(() => randomUUID()), auth: 'voter', status: 404, type: 'proposal-not-found' },
  { name: 'vote: retract with a non-UUID id → 404', method: 'DELETE', path: vote(() => 'abc'), auth: 'voter', status: 404, type: 'proposal-not-found' },
  { name: 'vote: retract when votes are closed → 409', method: 'DELETE', path: vote((c) => c.votesPast), auth: 'voter', status: 409, type: 'phase-closed' },
];

// ——— Moderation ———
const refuse = (name: string, path: Lazy<string>, body: unknown, status: number, type?: string, pointers?: string[]): Case => ({
  name: `moderation: ${name}`,
  method: 'POST',
  path,
  auth: 'moderator',
  body,
  status,
  type,
  pointers,
});
const moderationCases: Case[] = [
  refuse('refuse without reason → 422 /reason', refusePending, {}, 422, 'validation-failed', ['/reason']),
  refuse('refuse with an empty reason → 422 /reason', refusePending, { reason: '' }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with a blank reason → 422 /reason', refusePending, { reason: ' \n\t ' }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with a number as reason → 422 /reason', refusePending, { reason: 42 }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with NUL in the reason → 422 /reason', refusePending, { reason: 'Hors sujet\u0000' }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with a 2,001-char reason → 422 /reason', refusePending, { reason: 'x'.repeat(2001) }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with a 501-char reason → 422 /reason', refusePending, { reason: 'x'.repeat(501) }, 422, 'validation-failed', ['/reason']),
  refuse('refuse with an unknown field → 422 /extra', refusePending, { reason: 'Hors sujet', extra: 1 }, 422, 'validation-failed', ['/extra']),
  {
    name: 'moderation: refuse without any body → 422',
    method: 'POST',
    path: refusePending,
    auth: 'moderator',
    status: 422,
    type: 'validation-failed',
    pointers: [''],
  },
  refuse('refuse an unknown proposal → 404', () => `/v1/moderation/proposals/${randomUUID()}/refuse`, { reason: 'Hors sujet' }, 404, 'proposal-not-found'),
  refuse('refuse a non-UUID id → 404', '/v1/moderation/proposals/42/refuse', { reason: 'Hors sujet' }, 404, 'proposal-not-found'),
  { name: 'moderation: accept an unknown proposal → 404', method: 'POST', path: () => `/v1/moderation/proposals/${randomUUID()}/accept`, auth: 'moderator', status: 404, type: 'proposal-not-found' },
  { name: 'moderation: accept a non-UUID id → 404', method: 'POST', path: '/v1/moderation/proposals/%3Cscript%3E/accept', auth: 'moderator', status: 404, type: 'proposal-not-found' },
  { name: 'moderation: queue limit=0 → 422', method: 'GET', path: '/v1/moderation/queue?limit=0', auth: 'moderator', status: 422, type: 'validation-failed', pointers: ['/query/limit'] },
  { name: 'moderation: queue limit=101 → 422', method: 'GET', path: '/v1/moderation/queue?limit=101', auth: 'moderator', status: 422, type: 'validation-failed', pointers: ['/query/limit'] },
  { name: 'moderation: queue limit=abc → 422', method: 'GET', path: '/v1/moderation/queue?limit=abc', auth: 'moderator', status: 422, type: 'validation-failed', pointers: ['/query/limit'] },
  { name: 'moderation: queue limit=-1 → 422', method: 'GET', path: '/v1/moderation/queue?limit=-1', auth: 'moderator', status: 422, type: 'validation-failed', pointers: ['/query/limit'] },
  {
    name: 'moderation: queue → 200, oldest pending first',
    method: 'GET',
    path: '/v1/moderation/queue?limit=100',
    auth: 'moderator',
    status: 200,
    check: (answer, c) => {
      const items = (answer.body as { items: { proposalId: string }[] }).items;
      expect(items.map((i) => i.proposalId)).toContain(c.pending);
      expect(items.map((i) => i.proposalId)).not.toContain(c.accepted);
    },
  },
];

// ——— Participants ———
const registration = (name: string, body: unknown, status: number, type?: string, pointers?: string[], check?: Case['check']): Case => ({
  name: `participants: ${name}`,
  method: 'POST',
  path: '/v1/participants',
  body,
  status,
  type,
  pointers,
  check,
});
const registeredAs = (tier: string, territory: Record<string, unknown>) => (answer: Answer) => {
  expect(answer.body).toMatchObject({ participantId: expect.any(String), token: expect.any(String), tier, territory });
};
const participantCases: Case[] = [
  registration('both communeCode and postalCode → 422', { communeCode: '75101', postalCode: '75001' }, 422, 'validation-failed', ['/postalCode']),
  registration('neither communeCode nor postalCode → 422', {}, 422, 'validation-failed', ['']),
  registration('only a first name → 422', { firstName: 'Léa' }, 422, 'validation-failed', ['']),
  registration('unknown commune 99999 → 422', { communeCode: '99999' }, 422, 'unknown-territory'),
  registration('unknown commune 01999 → 422', { communeCode: '01999' }, 422, 'unknown-territory'),
  registration('malformed commune code ABCDE → 422', { communeCode: 'ABCDE' }, 422, 'unknown-territory'),
  registration('malformed commune code 7510 → 422', { communeCode: '7510' }, 422, 'unknown-territory'),
  registration("SQL in the commune code → 422", { communeCode: "1' OR 1--" }, 422, 'unknown-territory'),
  registration('commune without population (98412) → 422', { communeCode: '98412' }, 422, 'unknown-territory'),
  registration('postal code without population (98799, Clipperton) → 422', { postalCode: '98799' }, 422, 'unknown-territory'),
  registration('unknown postal code 00000 → 422', { postalCode: '00000' }, 422, 'unknown-territory'),
  registration('malformed postal code 1500 → 422', { postalCode: '1500' }, 422, 'unknown-territory'),
  registration('commune code as a number → 422 /communeCode', { communeCode: 75101 }, 422, 'validation-failed', ['/communeCode']),
  registration('commune code of 11 chars → 422 /communeCode', { communeCode: '75101751017' }, 422, 'validation-failed', ['/communeCode']),
  registration('postal code as an object → 422 /postalCode', { postalCode: { code: '01500' } }, 422, 'validation-failed', ['/postalCode']),
  registration(
    'ambiguous postal code 01000 (two tiers) → 422 with candidates',
    { postalCode: '01000' },
    422,
    'ambiguous-postal-code',
    undefined,
    (answer) => {
      const candidates = (answer.body as { candidates: Record<string, unknown>[] }).candidates;
      expect(candidates.length).toBeGreaterThanOrEqual(2);
      for (const candidate of candidates) {
        expect(candidate).toEqual(
          expect.objectContaining({
            communeCode: expect.stringMatching(/^[0-9AB]{5}$/),
            name: expect.any(String),
            population: expect.any(Number),
            tier: expect.stringMatching(/^(rural|medium|large)$/),
          }),
        );
      }
      expect(candidates).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ communeCode: '01053', name: 'Bourg-en-Bresse', tier: 'medium' }),
          expect.objectContaining({ communeCode: '01344', tier: 'rural' }),
        ]),
      );
    },
  ),
  registration('ambiguous postal code 13780 (two départements) → 422 with candidates', { postalCode: '13780' }, 422, 'ambiguous-postal-code', undefined, (answer) => {
    expect((answer.body as { candidates: { communeCode: string }[] }).candidates.map((c) => c.communeCode).sort()).toEqual(['13030', '83105']);
  }),
  registration('2A004 (Ajaccio) → medium', { communeCode: '2A004' }, 201, undefined, undefined, registeredAs('medium', { communeCode: '2A004', departement: '2A' })),
  registration('75101 (Paris 1er) → large', { communeCode: '75101' }, 201, undefined, undefined, registeredAs('large', { communeCode: '75056' })),
  registration('69381 (Lyon 1er) → large', { communeCode: '69381' }, 201, undefined, undefined, registeredAs('large', { communeCode: '69123' })),
  registration('13201 (Marseille 1er) → large', { communeCode: '13201' }, 201, undefined, undefined, registeredAs('large', { communeCode: '13055' })),
  registration('74011, commune déléguée of Annecy → large', { communeCode: '74011' }, 201, undefined, undefined, registeredAs('large', { communeCode: '74010', communeName: 'Annecy' })),
  registration('59355, commune associée of Lille → large', { communeCode: '59355' }, 201, undefined, undefined, registeredAs('large', { communeCode: '59350' })),
  registration('50129, commune nouvelle and its chef-lieu → medium', { communeCode: '50129' }, 201, undefined, undefined, registeredAs('medium', { communeCode: '50129' })),
  registration('97411 (Saint-Denis, La Réunion) → large', { communeCode: '97411' }, 201, undefined, undefined, registeredAs('large', { departement: '974' })),
  registration('single-tier postal code 01500 → rural', { postalCode: '01500' }, 201, undefined, undefined, registeredAs('rural', { postalCode: '01500', departement: '01' })),
  registration('postal code 75001 → large', { postalCode: '75001' }, 201, undefined, undefined, registeredAs('large', { postalCode: '75001' })),
  registration('firstName of 51 chars → 422 /firstName', { communeCode: '75101', firstName: 'a'.repeat(51) }, 422, 'validation-failed', ['/firstName']),
  registration('firstName of 50 chars → 201', { communeCode: '75101', firstName: 'a'.repeat(50) }, 201),
  registration('firstName of 50 code points in NFD → 201', { communeCode: '75101', firstName: 'e\u0301'.repeat(50) }, 201),
  registration('firstName of 201 chars → 422 /firstName', { communeCode: '75101', firstName: 'a'.repeat(201) }, 422, 'validation-failed', ['/firstName']),
  registration('firstName with emoji and accents → 201', { communeCode: '75101', firstName: 'Zoé-Chloë 🌻' }, 201),
  registration('firstName with <script> → 422 /firstName', { communeCode: '75101', firstName: '<script>alert(1)</script>' }, 422, 'validation-failed', ['/firstName']),
  registration('firstName with <b> → 422 /firstName', { communeCode: '75101', firstName: '<b>Léa</b>' }, 422, 'validation-failed', ['/firstName']),
  registration('firstName with NUL → 422 /firstName', { communeCode: '75101', firstName: 'Léa\u0000' }, 422, 'validation-failed', ['/firstName']),
  registration('firstName with a bidi override → 422 /firstName', { communeCode: '75101', firstName: 'Léa\u202e' }, 422, 'validation-failed', ['/firstName']),
  registration('empty firstName → 422 /firstName', { communeCode: '75101', firstName: '' }, 422, 'validation-failed', ['/firstName']),
  registration('blank firstName → 422 /firstName', { communeCode: '75101', firstName: '   ' }, 422, 'validation-failed', ['/firstName']),
  registration('firstName as a number → 422 /firstName', { communeCode: '75101', firstName: 42 }, 422, 'validation-failed', ['/firstName']),
  registration("SQL in firstName → 201 (just text)", { communeCode: '75101', firstName: "Robert'); DROP TABLE" }, 201),
  registration('ageRange not in the list → 422 /ageRange', { communeCode: '75101', ageRange: '17' }, 422, 'validation-failed', ['/ageRange']),
  registration('ageRange "18-25" → 422 /ageRange', { communeCode: '75101', ageRange: '18-25' }, 422, 'validation-failed', ['/ageRange']),
  registration('ageRange as a number → 422 /ageRange', { communeCode: '75101', ageRange: 30 }, 422, 'validation-failed', ['/ageRange']),
  registration('ageRange "<18" → 201', { communeCode: '75101', ageRange: '<18' }, 201),
  registration('ageRange "65+" → 201', { communeCode: '75101', ageRange: '65+' }, 201),
  registration('unknown field → 422 /extra', { communeCode: '75101', extra: 'x' }, 422, 'validation-failed', ['/extra']),
  registration('client-chosen tier → 422 /tier', { communeCode: '01001', tier: 'large' }, 422, 'validation-failed', ['/tier']),
  registration('several broken fields → every pointer', { communeCode: 1, firstName: 2, ageRange: 3 }, 422, 'validation-failed', ['/communeCode', '/firstName', '/ageRange']),
];

// ——— Authentication ———
const participantRoutes: readonly { label: string; method: 'POST' | 'PUT' | 'DELETE'; path: Lazy<string>; body?: unknown }[] = [
  { label: 'submit proposal', method: 'POST', path: OPEN, body: { text: 'Il faut des trains partout' } },
  { label: 'cast vote', method: 'PUT', path: acceptedVote, body: { value: 'agree' } },
  { label: 'retract vote', method: 'DELETE', path: acceptedVote },
];
const moderatorRoutes: readonly { label: string; method: 'POST' | 'GET'; path: Lazy<string>; body?: unknown }[] = [
  { label: 'schedule consultation', method: 'POST', path: '/v1/consultations', body: { slug: 'never-created' } },
  { label: 'accept', method: 'POST', path: (c) => `/v1/moderation/proposals/${c.pending}/accept` },
  { label: 'refuse', method: 'POST', path: refusePending, body: { reason: 'Hors sujet' } },
  { label: 'queue', method: 'GET', path: '/v1/moderation/queue' },
];
const bearer = (token: string) => `Bearer ${token}`;
const authCases: Case[] = [
  ...participantRoutes.flatMap(({ label, method, path, body }): Case[] => [
    { name: `auth (${label}): no Authorization → 401`, method, path, body, status: 401, type: 'unauthorized' },
    { name: `auth (${label}): "Bearer" without a token → 401`, method, path, body, auth: () => 'Bearer', status: 401, type: 'unauthorized' },
    { name: `auth (${label}): Basic credentials → 401`, method, path, body, auth: () => 'Basic dXNlcjpwYXNz', status: 401, type: 'unauthorized' },
    { name: `auth (${label}): garbage token → 401`, method, path, body, auth: () => bearer('garbage'), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): 4,000-char token → 401`, method, path, body, auth: () => bearer(`p1.${'A'.repeat(4000)}.x`), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): tampered payload → 401`, method, path, body, auth: (c) => bearer(tamperPayload(c.voter.token)), status: 401, type: 'unauthorized' },
    {
      name: `auth (${label}): tier changed in the payload, signature kept → 401`,
      method, path, body,
      auth: (c) => {
        const [v, , mac] = c.voter.token.split('.');
        const forged = Buffer.from(JSON.stringify({ pid: c.voter.participantId, tier: 'rural', exp: 4102444800 })).toString('base64url');
        return bearer(`${v}.${forged}.${mac}`);
      },
      status: 401,
      type: 'unauthorized',
    },
    { name: `auth (${label}): signature removed → 401`, method, path, body, auth: (c) => bearer(c.voter.token.replace(/\.[^.]+$/, '.')), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): expired token → 401`, method, path, body, auth: (c) => bearer(c.expiredToken), status: 401, type: 'unauthorized' },
    {
      name: `auth (${label}): token signed with another secret → 401`,
      method, path, body,
      auth: (c) => bearer(signParticipantToken({ participantId: c.voter.participantId, tier: 'large', exp: 4102444800 }, 'another-secret-0123456789-0123456789')),
      status: 401,
      type: 'unauthorized',
    },
    { name: `auth (${label}): moderator token → 403`, method, path, body, auth: 'moderator', status: 403, type: 'forbidden' },
  ]),
  ...moderatorRoutes.flatMap(({ label, method, path, body }): Case[] => [
    { name: `auth (${label}): no Authorization → 401`, method, path, body, status: 401, type: 'unauthorized' },
    { name: `auth (${label}): garbage token → 401`, method, path, body, auth: () => bearer('garbage'), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): moderator token with one more char → 401`, method, path, body, auth: () => bearer(`${MODERATOR_TOKEN}x`), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): prefix of the moderator token → 401`, method, path, body, auth: () => bearer(MODERATOR_TOKEN.slice(0, -1)), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): expired participant token → 401`, method, path, body, auth: (c) => bearer(c.expiredToken), status: 401, type: 'unauthorized' },
    { name: `auth (${label}): participant token → 403`, method, path, body, auth: 'voter', status: 403, type: 'forbidden' },
  ]),
];

// ——— Consultations ———
const consultation = (name: string, override: Record<string, unknown>, status: number, type?: string, pointers?: string[], check?: Case['check']): Case => ({
  name: `consultations: ${name}`,
  method: 'POST',
  path: '/v1/consultations',
  auth: 'moderator',
  body: {
    slug: `c-${randomUUID().slice(0, 8)}`,
    question: 'Comment améliorer les conditions de vie dans votre territoire ?',
    proposalsOpenAt: '2026-02-01T00:00:00+01:00',
    proposalsCloseAt: '2026-03-15T00:00:00+01:00',
    votesOpenAt: '2026-02-01T00:00:00+01:00',
    votesCloseAt: '2026-03-31T00:00:00+02:00',
    ...override,
  },
  status,
  type,
  pointers,
  check,
});
const consultationCases: Case[] = [
  consultation('valid → 201 with the slug', { slug: 'valid-one' }, 201, undefined, undefined, (answer) => {
    expect(answer.body).toMatchObject({ slug: 'valid-one' });
  }),
  consultation('duplicate slug → 409', { slug: 'open' }, 409, 'consultation-exists'),
  consultation('slug with spaces and capitals → 422 /slug', { slug: 'Grande Cause' }, 422, 'validation-failed', ['/slug']),
  consultation('slug starting with a hyphen → 422 /slug', { slug: '-abc' }, 422, 'validation-failed', ['/slug']),
  consultation('slug of 2 chars → 422 /slug', { slug: 'ab' }, 422, 'validation-failed', ['/slug']),
  consultation('slug of 65 chars → 422 /slug', { slug: 'a'.repeat(65) }, 422, 'validation-failed', ['/slug']),
  consultation('slug with an accent → 422 /slug', { slug: 'café' }, 422, 'validation-failed', ['/slug']),
  consultation('slug with SQL → 422 /slug', { slug: "x'; DROP TABLE consultations;--" }, 422, 'validation-failed', ['/slug']),
  consultation('slug as a number → 422 /slug', { slug: 12345 }, 422, 'validation-failed', ['/slug']),
  consultation('instant without offset → 422', { proposalsOpenAt: '2026-02-01T00:00:00' }, 422, 'validation-failed', ['/proposalsOpenAt']),
  consultation('date without time → 422', { votesCloseAt: '2026-03-31' }, 422, 'validation-failed', ['/votesCloseAt']),
  consultation('30 February → 422', { proposalsCloseAt: '2026-02-30T00:00:00Z' }, 422, 'validation-failed', ['/proposalsCloseAt']),
  consultation('epoch number for an instant → 422', { votesOpenAt: 1767225600000 }, 422, 'validation-failed', ['/votesOpenAt']),
  consultation('free text for an instant → 422', { votesOpenAt: 'demain matin' }, 422, 'validation-failed', ['/votesOpenAt']),
  consultation('proposals close before they open → 422', { proposalsCloseAt: '2026-01-15T00:00:00+01:00' }, 422, 'validation-failed', ['/proposalsCloseAt']),
  consultation('votes close before they open → 422', { votesCloseAt: '2026-01-31T00:00:00+01:00' }, 422, 'validation-failed', ['/votesCloseAt']),
  consultation(
    'both windows reversed → both pointers',
    { proposalsCloseAt: '2026-01-15T00:00:00+01:00', votesCloseAt: '2026-01-31T00:00:00+01:00' },
    422,
    'validation-failed',
    ['/proposalsCloseAt', '/votesCloseAt'],
  ),
  consultation('close equal to open (empty window) → 422', { proposalsCloseAt: '2026-02-01T00:00:00+01:00' }, 422, 'validation-failed', ['/proposalsCloseAt']),
  consultation('close equal to open in another offset → 422', { votesCloseAt: '2026-01-31T23:00:00Z' }, 422, 'validation-failed', ['/votesCloseAt']),
  consultation('question too short → 422 /question', { question: 'Quoi ?' }, 422, 'validation-failed', ['/question']),
  consultation('question as a number → 422 /question', { question: 42 }, 422, 'validation-failed', ['/question']),
  consultation('question with NUL → 422 /question', { question: 'Comment améliorer\u0000 la vie ?' }, 422, 'validation-failed', ['/question']),
  consultation('threshold out of range → 422', { thresholds: { minAdhesion: 2 } }, 422, 'validation-failed', ['/thresholds/minAdhesion']),
  consultation('threshold of the wrong type → 422', { thresholds: { minVotes: 'ninety' } }, 422, 'validation-failed', ['/thresholds/minVotes']),
  consultation('thresholds as a string → 422', { thresholds: 'high' }, 422, 'validation-failed', ['/thresholds']),
  consultation('unknown threshold → 422', { thresholds: { minVibes: 3 } }, 422, 'validation-failed', ['/thresholds/minVibes']),
  consultation('unknown field → 422 /extra', { extra: true }, 422, 'validation-failed', ['/extra']),
  {
    name: 'consultations: empty object → 422 with every missing field',
    method: 'POST',
    path: '/v1/consultations',
    auth: 'moderator',
    body: {},
    status: 422,
    type: 'validation-failed',
    pointers: ['/slug', '/question', '/proposalsOpenAt', '/proposalsCloseAt', '/votesOpenAt', '/votesCloseAt'],
  },
];

// ——— Idempotency-Key header ———
const idempotencyHeaderCases: Case[] = [
  {
    name: 'idempotency: key of 129 chars → 422',
    method: 'PUT',
    path: acceptedVote,
    auth: 'voter',
    body: { value: 'agree' },
    headers: { 'idempotency-key': 'k'.repeat(129) },
    status: 422,
    type: 'validation-failed',
    pointers: ['/headers/idempotency-key'],
  },
  {
    name: 'idempotency: key of 10,000 chars → 422',
    method: 'POST',
    path: '/v1/participants',
    body: { communeCode: '75101' },
    headers: { 'idempotency-key': 'k'.repeat(10_000) },
    status: 422,
    type: 'validation-failed',
    pointers: ['/headers/idempotency-key'],
  },
  {
    name: 'idempotency: key of 128 chars → 202',
    method: 'PUT',
    path: acceptedVote,
    auth: 'voter',
    body: { value: 'agree' },
    headers: { 'idempotency-key': `${randomUUID()}${'k'.repeat(92)}` },
    status: 202,
  },
  {
    name: 'idempotency: empty key → 422',
    method: 'PUT',
    path: acceptedVote,
    auth: 'voter',
    body: { value: 'agree' },
    headers: { 'idempotency-key': '' },
    status: 422,
    type: 'validation-failed',
    pointers: ['/headers/idempotency-key'],
  },
  {
    name: 'idempotency: key with a space → 422',
    method: 'POST',
    path: OPEN,
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    headers: { 'idempotency-key': 'my key' },
    status: 422,
    type: 'validation-failed',
    pointers: ['/headers/idempotency-key'],
  },
];

/*
 * Regression (found by this test, fixed in f65898d): Fastify's router refused a path parameter
 * longer than 100 characters (maxParamLength) with its own 414 `application/json` body, before
 * Nest and the problem filter: not problem+json, and not the 404 API.md gives for an unknown
 * consultation / a non-UUID id. Same for headers over Node's 16 KiB limit (431 in Fastify's JSON).
 */
const longPathParamCases: Case[] = [
  {
    name: 'proposal: slug of 150 chars → 404 problem (not a bare 414)',
    method: 'POST',
    path: `/v1/consultations/${'a'.repeat(150)}/proposals`,
    auth: 'author',
    body: { text: 'Il faut des trains partout' },
    status: 404,
    type: 'consultation-not-found',
  },
  castOn('proposal id of 150 chars → 404 problem (not a bare 414)', vote(() => 'a'.repeat(150)), { value: 'agree' }, 404, 'proposal-not-found'),
  {
    name: 'moderation: accept with an id of 5,000 chars → 404 problem',
    method: 'POST',
    path: `/v1/moderation/proposals/${'9'.repeat(5000)}/accept`,
    auth: 'moderator',
    status: 404,
    type: 'proposal-not-found',
  },
];

const misc: Case[] = [
  { name: 'unknown route → 404 problem', method: 'POST', path: '/v1/nothing-here', body: {}, status: 404, type: 'not-found' },
  { name: 'GET on a vote route → 404/405 problem, never 5xx', method: 'GET', path: acceptedVote, auth: 'voter', status: 404, type: 'not-found' },
];

const ALL_CASES: Case[] = [
  ...transportCases,
  ...proposalCases,
  ...voteCases,
  ...moderationCases,
  ...participantCases,
  ...authCases,
  ...consultationCases,
  ...idempotencyHeaderCases,
  ...longPathParamCases,
  ...misc,
];

describe('ingest-api: every error case of API.md and hostile input', () => {
  let ingest: IngestHarness;
  const c = {} as Ctx;

  const send = (testCase: Case): Promise<Answer> => {
    const headers: Record<string, string> = { ...testCase.headers };
    if (testCase.auth === 'author') headers.authorization = bearer(c.author.token);
    else if (testCase.auth === 'voter') headers.authorization = bearer(c.voter.token);
    else if (testCase.auth === 'moderator') headers.authorization = bearer(MODERATOR_TOKEN);
    else if (typeof testCase.auth === 'function') headers.authorization = testCase.auth(c);
    return call(ingest.url, testCase.method, resolve(testCase.path, c), {
      headers,
      ...(testCase.raw !== undefined ? { raw: testCase.raw } : testCase.body !== undefined ? { body: resolve(testCase.body, c) } : {}),
    });
  };

  beforeAll(async () => {
    ingest = await startIngest('hostile');
    c.url = ingest.url;
    await schedule(ingest.url, 'open');
    await schedule(ingest.url, 'closed-past', {
      proposalsOpenAt: '2020-01-01T00:00:00Z',
      proposalsCloseAt: '2020-02-01T00:00:00Z',
      votesOpenAt: '2020-01-01T00:00:00Z',
      votesCloseAt: '2020-03-01T00:00:00Z',
    });
    await schedule(ingest.url, 'not-yet', {
      proposalsOpenAt: '2098-01-01T00:00:00Z',
      proposalsCloseAt: '2098-02-01T00:00:00Z',
      votesOpenAt: '2098-01-01T00:00:00Z',
      votesCloseAt: '2098-03-01T00:00:00Z',
    });
    // Proposals open now; votes closed already / not open yet.
    await schedule(ingest.url, 'votes-past', { votesOpenAt: '2020-01-01T00:00:00Z', votesCloseAt: '2020-06-01T00:00:00Z' });
    await schedule(ingest.url, 'votes-future', { votesOpenAt: '2098-01-01T00:00:00Z', votesCloseAt: '2098-06-01T00:00:00Z' });
    c.author = await register(ingest.url, { communeCode: '69381', firstName: 'Léa', ageRange: '25-34' });
    c.voter = await register(ingest.url, { communeCode: '2A004' });
    c.accepted = await submit(ingest.url, 'open', c.author.token, 'Il faut des médecins dans chaque canton');
    c.pending = await submit(ingest.url, 'open', c.author.token, 'Il faut des bus le dimanche matin');
    c.refused = await submit(ingest.url, 'open', c.author.token, 'Il faut interdire les lundis matin');
    c.votesPast = await submit(ingest.url, 'votes-past', c.author.token, 'Il faut des trains de nuit');
    c.votesFuture = await submit(ingest.url, 'votes-future', c.author.token, 'Il faut des pistes cyclables');
    for (const id of [c.accepted, c.votesPast, c.votesFuture]) await moderate(ingest.url, id, 'accept');
    await moderate(ingest.url, c.refused, 'refuse');
    c.expiredToken = signParticipantToken({ participantId: c.voter.participantId, tier: c.voter.tier, exp: Math.floor(Date.now() / 1000) - 60 });
  });
  afterAll(async () => {
    await ingest?.close();
  });

  it.each(ALL_CASES.map((testCase) => [testCase.name, testCase] as const))('%s', async (_name, testCase) => {
    const answer = await send(testCase);
    // Never a 5xx for a client's request, whatever it is.
    expect(answer.status).toBeLessThan(500);
    if (testCase.type !== undefined) {
      expectProblem(answer, testCase.status, testCase.type, testCase.pointers);
    } else {
      expect({ status: answer.status, body: answer.body }).toEqual({ status: testCase.status, body: expect.anything() });
      expect(answer.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    }
    testCase.check?.(answer, c);
  });

  it('an unknown field is reported at /extra on every write route', async () => {
    const bodies: [string, string, string | undefined, Record<string, unknown>][] = [
      ['POST', '/v1/participants', undefined, { communeCode: '75101', extra: 1 }],
      ['POST', '/v1/consultations', MODERATOR_TOKEN, { slug: 'with-extra', question: 'Comment améliorer les conditions de vie ?', proposalsOpenAt: '2026-02-01T00:00:00Z', proposalsCloseAt: '2026-03-01T00:00:00Z', votesOpenAt: '2026-02-01T00:00:00Z', votesCloseAt: '2026-03-01T00:00:00Z', extra: 1 }],
      ['POST', OPEN, c.author.token, { text: 'Il faut des trains partout', extra: 1 }],
      ['PUT', `/v1/proposals/${c.accepted}/vote`, c.voter.token, { value: 'agree', extra: 1 }],
      ['POST', `/v1/moderation/proposals/${c.pending}/refuse`, MODERATOR_TOKEN, { reason: 'Hors sujet', extra: 1 }],
    ];
    for (const [method, path, token, body] of bodies) {
      expectProblem(await call(ingest.url, method, path, { token, body }), 422, 'validation-failed', ['/extra']);
    }
  });

  /*
   * Regression (found by this test, fixed in f65898d): a body that is not valid UTF-8 was decoded
   * with U+FFFD replacement characters. Sent chunked, it was ACCEPTED (202) and "Il faut des caf\xE9s" (a Latin-1 é) is
   * stored as "Il faut des caf\uFFFDs"; sent with a Content-Length, the decoded length no longer
   * matched and the answer was a 400 `bad-request` about the body size. API.md: JSON bodies are
   * UTF-8, so such a body is malformed JSON (400 malformed-json) and is never silently altered.
   */
  it.each([
    ['with a Content-Length', false],
    ['chunked', true],
  ])('a body that is not valid UTF-8 (%s) → 400 malformed-json, nothing stored', async (_framing, chunked) => {
    const marker = randomUUID().slice(0, 8);
    const bytes = Buffer.concat([Buffer.from(`{"text":"Il faut des caf`), Buffer.from([0xe9]), Buffer.from(`s ${marker}"}`)]);
    const body = chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new Uint8Array(bytes));
            controller.close();
          },
        })
      : bytes;
    const response = await fetch(`${ingest.url}${OPEN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(c.author.token) },
      body,
      ...(chunked && { duplex: 'half' }),
    } as RequestInit);
    const text = await response.text();
    const answer: Answer = { status: response.status, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> };
    const stored = (await readTopic(ingest.topicPrefix, 'proposals')).map((r) => (r.event.data as { text?: string }).text ?? '');
    expect(stored.filter((t) => t.includes(marker))).toEqual([]);
    expectProblem(answer, 400, 'malformed-json');
  });

  it('headers over 16 KiB → a 4xx problem+json (431), never a 5xx', async () => {
    const answer = await call(ingest.url, 'POST', OPEN, {
      token: c.author.token,
      body: { text: 'Il faut des trains partout' },
      headers: { 'x-request-id': 'x'.repeat(20_000) },
    }).catch((error: unknown) => ({ status: -1, headers: new Headers(), body: { error: String(error) } }) as Answer);
    expect(answer.status).toBe(431);
    expect(answer.headers.get('content-type') ?? '').toMatch(/^application\/problem\+json/);
  });

  it('stores an accepted proposal normalised (NFC, newlines folded, trimmed) with its emoji', async () => {
    const text = '  Il faut\nun 🚆 toutes les heures à Saint-E\u0301tienne  ';
    const id = await submit(ingest.url, 'open', c.author.token, text);
    const events = await readTopic(ingest.topicPrefix, 'proposals');
    const submitted = events.find((r) => r.event.type === 'ProposalSubmitted' && r.key === id);
    expect(submitted?.event.data).toMatchObject({ text: 'Il faut un 🚆 toutes les heures à Saint-Étienne' });
  });

  it('quota: 100 proposals submitted concurrently all pass, the 101st gets 422 proposal-quota-exceeded', async () => {
    const prolific = await register(ingest.url, { postalCode: '01500' });
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(ingest.url, 'POST', OPEN, { token: prolific.token, body: { text: `Il faut la proposition numéro ${i + 1}` } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202));
    const ids = new Set(answers.map((a) => (a.body as { proposalId: string }).proposalId));
    expect(ids.size).toBe(100);
    const hundredFirst = await call(ingest.url, 'POST', OPEN, { token: prolific.token, body: { text: 'Il faut la proposition de trop' } });
    expectProblem(hundredFirst, 422, 'proposal-quota-exceeded');
    // The quota is per consultation: the same participant can still propose elsewhere.
    expect((await call(ingest.url, 'POST', '/v1/consultations/votes-past/proposals', { token: prolific.token, body: { text: 'Il faut une autre consultation' } })).status).toBe(202);
  });

  it('quota: 110 proposals at the same instant → exactly 100 accepted, 10 refused', async () => {
    const eager = await register(ingest.url, { communeCode: '2A004' });
    const answers = await Promise.all(
      Array.from({ length: 110 }, (_, i) => call(ingest.url, 'POST', OPEN, { token: eager.token, body: { text: `Il faut encore l'idée ${i + 1}` } })),
    );
    expect(answers.every((a) => a.status < 500)).toBe(true);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(100);
    const refused = answers.filter((a) => a.status !== 202);
    expect(refused).toHaveLength(10);
    for (const answer of refused) expectProblem(answer, 422, 'proposal-quota-exceeded');
  });

  it('moderation: accept twice → 202 both times, the second with position null (nothing appended)', async () => {
    const id = await submit(ingest.url, 'open', c.author.token, 'Il faut des bancs dans les parcs');
    const first = await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/accept`, { token: MODERATOR_TOKEN });
    expect(first.status).toBe(202);
    expect(isPosition((first.body as { position: unknown }).position)).toBe(true);
    const second = await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/accept`, { token: MODERATOR_TOKEN });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ proposalId: id, status: 'accepted', position: null });
    // accepted → refused → accepted are allowed; refusing twice appends once.
    const refused = await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/refuse`, { token: MODERATOR_TOKEN, body: { reason: 'Doublon' } });
    expect(refused.status).toBe(202);
    expect(isPosition((refused.body as { position: unknown }).position)).toBe(true);
    const refusedAgain = await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/refuse`, { token: MODERATOR_TOKEN, body: { reason: 'Autre raison' } });
    expect(refusedAgain.body).toMatchObject({ status: 'refused', position: null });
    const reaccepted = await call(ingest.url, 'POST', `/v1/moderation/proposals/${id}/accept`, { token: MODERATOR_TOKEN });
    expect(isPosition((reaccepted.body as { position: unknown }).position)).toBe(true);
    const moderation = (await readTopic(ingest.topicPrefix, 'proposals')).filter((r) => r.key === id).map((r) => r.event.type);
    expect(moderation).toEqual(['ProposalSubmitted', 'ProposalAccepted', 'ProposalRefused', 'ProposalAccepted']);
  });

  describe('Idempotency-Key', () => {
    it('same key + same body replays the first answer with the same position, and appends once', async () => {
      const key = `replay-${randomUUID()}`;
      const body = { text: 'Il faut des marchés de producteurs' };
      const first = await call(ingest.url, 'POST', OPEN, { token: c.author.token, body, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(202);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const again = await call(ingest.url, 'POST', OPEN, { token: c.author.token, body, headers: { 'idempotency-key': key } });
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      const proposalId = (first.body as { proposalId: string }).proposalId;
      const submitted = (await readTopic(ingest.topicPrefix, 'proposals')).filter((r) => r.key === proposalId && r.event.type === 'ProposalSubmitted');
      expect(submitted).toHaveLength(1);

      const voteKey = `vote-${randomUUID()}`;
      const v1 = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers: { 'idempotency-key': voteKey } });
      const v2 = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers: { 'idempotency-key': voteKey } });
      expect([v1.status, v2.status]).toEqual([202, 202]);
      expect(v2.headers.get('idempotent-replayed')).toBe('true');
      expect((v2.body as { position: unknown }).position).toEqual((v1.body as { position: unknown }).position);
    });

    it('same key + another body → 422 idempotency-key-reused', async () => {
      const key = `reuse-${randomUUID()}`;
      const first = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers: { 'idempotency-key': key } });
      expect(first.status).toBe(202);
      const other = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, body: { value: 'disagree' }, headers: { 'idempotency-key': key } });
      expectProblem(other, 422, 'idempotency-key-reused');
      const registration = await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '75101' }, headers: { 'idempotency-key': key } });
      expect(registration.status).toBe(201);
      const otherRegistration = await call(ingest.url, 'POST', '/v1/participants', { body: { communeCode: '69381' }, headers: { 'idempotency-key': key } });
      expectProblem(otherRegistration, 422, 'idempotency-key-reused');
    });

    it('the same key on another route, or by another participant, is independent', async () => {
      const key = `scoped-${randomUUID()}`;
      const headers = { 'idempotency-key': key };
      const onAccepted = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers });
      const retract = await call(ingest.url, 'DELETE', `/v1/proposals/${c.accepted}/vote`, { token: c.voter.token, headers });
      const otherAccepted = await submit(ingest.url, 'open', c.author.token, 'Il faut des fontaines à eau');
      await moderate(ingest.url, otherAccepted, 'accept');
      const onOther = await call(ingest.url, 'PUT', `/v1/proposals/${otherAccepted}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers });
      const byAuthor = await call(ingest.url, 'PUT', `/v1/proposals/${c.accepted}/vote`, { token: c.author.token, body: { value: 'agree' }, headers });
      const answers = [onAccepted, retract, onOther, byAuthor];
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
      expect(answers.map((a) => a.headers.get('idempotent-replayed'))).toEqual([null, null, null, null]);
      const offsets = answers.map((a) => JSON.stringify((a.body as { position: unknown }).position));
      expect(new Set(offsets).size).toBe(4);

      // Two participants submitting with the same key get two proposals.
      const p1 = await call(ingest.url, 'POST', OPEN, { token: c.author.token, body: { text: 'Il faut des toilettes publiques' }, headers });
      const p2 = await call(ingest.url, 'POST', OPEN, { token: c.voter.token, body: { text: 'Il faut des toilettes publiques' }, headers });
      expect([p1.status, p2.status]).toEqual([202, 202]);
      expect((p1.body as { proposalId: string }).proposalId).not.toBe((p2.body as { proposalId: string }).proposalId);

      // A moderator's key is scoped to the route (hence the proposal).
      const a = await submit(ingest.url, 'open', c.author.token, 'Il faut des jardins partagés');
      const b = await submit(ingest.url, 'open', c.author.token, 'Il faut des ressourceries');
      const acceptA = await call(ingest.url, 'POST', `/v1/moderation/proposals/${a}/accept`, { token: MODERATOR_TOKEN, headers });
      const acceptB = await call(ingest.url, 'POST', `/v1/moderation/proposals/${b}/accept`, { token: MODERATOR_TOKEN, headers });
      expect(acceptB.headers.get('idempotent-replayed')).toBeNull();
      expect(acceptA.body).toMatchObject({ proposalId: a, status: 'accepted' });
      expect(acceptB.body).toMatchObject({ proposalId: b, status: 'accepted' });
    });

    it('4xx answers are replayed too, even after the state changed', async () => {
      const id = await submit(ingest.url, 'open', c.author.token, 'Il faut des navettes gratuites');
      const key = `replay-4xx-${randomUUID()}`;
      const headers = { 'idempotency-key': key };
      const first = await call(ingest.url, 'PUT', `/v1/proposals/${id}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers });
      expectProblem(first, 409, 'proposal-not-votable');
      await moderate(ingest.url, id, 'accept');
      const replayed = await call(ingest.url, 'PUT', `/v1/proposals/${id}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers });
      expectProblem(replayed, 409, 'proposal-not-votable');
      expect(replayed.headers.get('idempotent-replayed')).toBe('true');
      expect(replayed.body).toEqual(first.body);
      // A new key sees the new state.
      const fresh = await call(ingest.url, 'PUT', `/v1/proposals/${id}/vote`, { token: c.voter.token, body: { value: 'agree' }, headers: { 'idempotency-key': `${key}-2` } });
      expect(fresh.status).toBe(202);

      // A 422 is replayed as well.
      const bad = { text: 'Il faudrait des navettes' };
      const invalid = await call(ingest.url, 'POST', OPEN, { token: c.author.token, body: bad, headers });
      expectProblem(invalid, 422, 'validation-failed', ['/text']);
      const invalidAgain = await call(ingest.url, 'POST', OPEN, { token: c.author.token, body: bad, headers });
      expectProblem(invalidAgain, 422, 'validation-failed', ['/text']);
      expect(invalidAgain.headers.get('idempotent-replayed')).toBe('true');
    });
  });
});
