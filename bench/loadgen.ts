/**
 * Open-model HTTP load generator, run as its own process (forked by bench/main.ts, which measures
 * its CPU): requests leave on a fixed schedule (request i of a stream at t0 + i / rate) whatever
 * the answers, and latency is measured from the scheduled time, so a slow server cannot slow the
 * generator down and hide its own queueing (no coordinated omission).
 *
 * HTTP/1.1 over plain keep-alive sockets, one request at a time per connection (no pipelining),
 * with a minimal response parser: about a tenth of the CPU of node:http's client per request, so
 * that the generator is not what saturates a 2-core machine. Connections are opened ahead
 * (pre-warmed) and on demand when every open one is busy, up to `maxConnections`; beyond that
 * requests wait for a free one (the wait counts in their latency).
 */
import { Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { ParticipantTokens } from '@app/auth';
import { QUALIFICATIONS_BY_VALUE, TIERS, VoteValue } from '@app/events';
import { Histogram, HistogramSummary } from '../load-tests/runner/histogram';

export interface VoteTarget {
  readonly kind: 'vote';
  readonly proposals: readonly string[];
  readonly participants: number;
  readonly tokenSecret: string;
  /** Send an Idempotency-Key with every vote (the k6 scripts and API.md clients do). */
  readonly idempotencyKey: boolean;
  /** Return (partition, offset, ack time) of every 202, for the projection-lag measure. */
  readonly trackAcks: boolean;
}

export interface ReadTarget {
  readonly kind: 'read';
  /** Paths requested in turn (GET). */
  readonly paths: readonly string[];
}

export interface BareTarget {
  readonly kind: 'bare';
  /** Same request as a vote (same size, headers and body), to a server that answers 202 at once. */
  readonly proposals: readonly string[];
  readonly participants: number;
  readonly tokenSecret: string;
}

export interface StreamSpec {
  readonly name: string;
  readonly port: number;
  readonly host?: string;
  readonly rate: number;
  readonly durationS: number;
  readonly target: VoteTarget | ReadTarget | BareTarget;
  readonly maxConnections?: number;
  readonly timeoutMs?: number;
  /** Status counted as success (default 202 for votes, 200 for reads). */
  readonly okStatus?: number;
}

export interface StreamResult {
  readonly name: string;
  readonly rate: number;
  readonly durationS: number;
  readonly scheduled: number;
  readonly sent: number;
  readonly ok: number;
  /** Every request that did not get the expected status: other statuses, timeouts, connection failures, dropped. */
  readonly errors: number;
  /** Requests never sent: no free connection within their timeout. */
  readonly dropped: number;
  readonly statuses: Record<string, number>;
  readonly errorSamples: string[];
  /** From the scheduled send time to the complete answer (what a client of an open system sees). */
  readonly latencyMs: HistogramSummary;
  /** From the actual write on the socket to the complete answer. */
  readonly serviceMs: HistogramSummary;
  /** How late requests left compared to their schedule (a saturated generator shows here). */
  readonly dispatchLagMs: HistogramSummary;
  /** Successful answers per elapsed second. */
  readonly okPerSecond: number[];
  readonly connectionsOpened: number;
  readonly elapsedS: number;
  /** When trackAcks: one entry per 202 (Date.now() of the answer). */
  readonly acks?: { partition: number[]; offset: number[]; at: number[] };
}

interface Request {
  readonly stream: StreamState;
  readonly scheduledAt: number;
  sentAt: number;
  timer: NodeJS.Timeout | null;
}

interface StreamState {
  readonly spec: StreamSpec;
  readonly build: () => string;
  readonly idle: Conn[];
  readonly waiting: Request[];
  open: number;
  opened: number;
  readonly result: {
    sent: number;
    ok: number;
    errors: number;
    dropped: number;
    statuses: Map<number, number>;
    errorSamples: string[];
    latency: Histogram;
    service: Histogram;
    dispatchLag: Histogram;
    okPerSecond: number[];
    acks?: { partition: number[]; offset: number[]; at: number[] };
  };
  t0: number;
  outstanding: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length: *(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection: *close/i;
const CHUNKED = /\r\ntransfer-encoding: *chunked/i;
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

class Conn {
  private buffer: Buffer | null = null;
  current: Request | null = null;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly onAnswer: (conn: Conn, request: Request, status: number, body: string) => void,
    private readonly onFailure: (conn: Conn, request: Request | null, reason: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error.message));
    socket.on('close', () => this.fail('connection closed by the server'));
  }

  send(request: Request, text: string): void {
    this.current = request;
    request.sentAt = performance.now();
    this.socket.write(text);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const request = this.current;
    this.current = null;
    this.socket.destroy();
    this.onFailure(this, request, reason);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer === null ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const buffer: Buffer | null = this.buffer;
      if (buffer === null) return;
      const headerEnd: number = buffer.indexOf(HEADER_END);
      if (headerEnd < 0) return;
      const head = buffer.toString('latin1', 0, headerEnd);
      const length = CONTENT_LENGTH.exec(head);
      let total: number;
      if (length !== null) total = headerEnd + 4 + Number(length[1]);
      else if (CHUNKED.test(head)) {
        // Not decoded (the apps send Content-Length): only the end of the message is needed.
        const end = buffer.indexOf(LAST_CHUNK, headerEnd + 2);
        if (end < 0) return;
        total = end + LAST_CHUNK.length;
      } else total = headerEnd + 4;
      if (buffer.length < total) return;
      const body = buffer.toString('utf8', headerEnd + 4, total);
      this.buffer = buffer.length === total ? null : buffer.subarray(total);
      const request = this.current;
      this.current = null;
      if (request === null) {
        this.fail('answer without a request');
        return;
      }
      const close = CONNECTION_CLOSE.test(head);
      if (close) {
        this.closed = true;
        this.socket.destroy();
      }
      this.onAnswer(this, request, Number(head.slice(9, 12)), body);
      if (close) return;
    }
  }
}

// ——— Request builders ———

/** Participant ids are UUIDs derived from an index (the same index gives the same voter). */
export const participantId = (index: number): string =>
  `${(0x5a000000 + Math.floor(index / 0x1000000)).toString(16)}-0000-4000-8000-${(index % 0x1000000).toString(16).padStart(12, '0')}`;

/** Tier by population share (DESIGN.md: rural 60.1 %, medium 24.9 %, large 15.0 %). */
export const tierOf = (index: number): (typeof TIERS)[number] => {
  const r = (index * 2654435761) % 1000;
  return r < 601 ? 'rural' : r < 850 ? 'medium' : 'large';
};

/** A vote body with a realistic mix: agree 55 %, disagree 25 %, neutral 20 %; each allowed qualification 25 %. */
export const voteBody = (random: () => number): { value: VoteValue; qualifications: string[] } => {
  const r = random();
  const value: VoteValue = r < 0.55 ? 'agree' : r < 0.8 ? 'disagree' : 'neutral';
  return { value, qualifications: QUALIFICATIONS_BY_VALUE[value].filter(() => random() < 0.25) };
};

const tokenCache = new Map<string, string[]>();
const tokensFor = (secret: string, count: number): string[] => {
  const key = `${secret}/${count}`;
  let tokens = tokenCache.get(key);
  if (tokens === undefined) {
    const signer = new ParticipantTokens(secret);
    const exp = Math.floor(Date.now() / 1000) + 7 * 24 * 3600;
    tokens = Array.from({ length: count }, (_, i) => signer.sign({ participantId: participantId(i), tier: tierOf(i), exp }));
    tokenCache.set(key, tokens);
  }
  return tokens;
};

const builderFor = (spec: StreamSpec): (() => string) => {
  const host = `${spec.host ?? '127.0.0.1'}:${spec.port}`;
  const target = spec.target;
  if (target.kind === 'read') {
    let i = 0;
    return () => `GET ${target.paths[i++ % target.paths.length]} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
  }
  const tokens = tokensFor(target.tokenSecret, target.participants);
  const random = Math.random;
  const bodies = Array.from({ length: 512 }, () => JSON.stringify(voteBody(random)));
  const keyPrefix = randomBytes(6).toString('hex');
  const withKey = target.kind === 'vote' ? target.idempotencyKey : true;
  let seq = 0;
  return () => {
    const body = bodies[(random() * bodies.length) | 0];
    const proposal = target.proposals[(random() * target.proposals.length) | 0];
    const token = tokens[(random() * tokens.length) | 0];
    const key = withKey ? `Idempotency-Key: ${keyPrefix}-${seq++}\r\n` : '';
    return (
      `PUT /v1/proposals/${proposal}/vote HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/json\r\n${key}Content-Length: ${body.length}\r\n\r\n${body}`
    );
  };
};

// ——— The run ———

const OFFSET = /"partition":(\d+),"offset":"(\d+)"/;

export const runStreams = async (specs: readonly StreamSpec[]): Promise<StreamResult[]> => {
  const streams: StreamState[] = specs.map((spec) => ({
    spec,
    build: builderFor(spec),
    idle: [],
    waiting: [],
    open: 0,
    opened: 0,
    t0: 0,
    outstanding: 0,
    result: {
      sent: 0,
      ok: 0,
      errors: 0,
      dropped: 0,
      statuses: new Map(),
      errorSamples: [],
      latency: new Histogram(),
      service: new Histogram(),
      dispatchLag: new Histogram(),
      okPerSecond: [],
      ...(spec.target.kind === 'vote' && spec.target.trackAcks ? { acks: { partition: [], offset: [], at: [] } } : {}),
    },
  }));

  const finish = (stream: StreamState, request: Request): void => {
    if (request.timer !== null) clearTimeout(request.timer);
    stream.outstanding--;
  };

  const fail = (stream: StreamState, request: Request, reason: string): void => {
    finish(stream, request);
    stream.result.errors++;
    if (stream.result.errorSamples.length < 5) stream.result.errorSamples.push(reason);
  };

  const release = (stream: StreamState, conn: Conn): void => {
    const next = stream.waiting.shift();
    if (next !== undefined) dispatchOn(stream, conn, next);
    else stream.idle.push(conn);
  };

  const onAnswer = (stream: StreamState) => (conn: Conn, request: Request, status: number, body: string): void => {
    const now = performance.now();
    const r = stream.result;
    finish(stream, request);
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    const okStatus = stream.spec.okStatus ?? (stream.spec.target.kind === 'read' ? 200 : 202);
    if (status === okStatus) {
      r.ok++;
      r.latency.record(now - request.scheduledAt);
      r.service.record(now - request.sentAt);
      const second = Math.floor((now - stream.t0) / 1000);
      r.okPerSecond[second] = (r.okPerSecond[second] ?? 0) + 1;
      if (r.acks !== undefined) {
        const position = OFFSET.exec(body);
        if (position !== null) {
          r.acks.partition.push(Number(position[1]));
          r.acks.offset.push(Number(position[2]));
          r.acks.at.push(Date.now());
        }
      }
    } else {
      r.errors++;
      if (r.errorSamples.length < 5) r.errorSamples.push(`${status} ${body.slice(0, 200)}`);
    }
    if (!conn.closed) release(stream, conn);
    else stream.open--;
  };

  const onFailure = (stream: StreamState) => (conn: Conn, request: Request | null, reason: string): void => {
    stream.open--;
    const index = stream.idle.indexOf(conn);
    if (index >= 0) stream.idle.splice(index, 1);
    if (request !== null) fail(stream, request, reason);
  };

  const openConn = (stream: StreamState): Promise<Conn> =>
    new Promise((resolve, reject) => {
      stream.open++;
      stream.opened++;
      const socket = connect({ host: stream.spec.host ?? '127.0.0.1', port: stream.spec.port });
      const conn = new Conn(socket, onAnswer(stream), onFailure(stream));
      socket.once('connect', () => resolve(conn));
      socket.once('error', reject);
    });

  const dispatchOn = (stream: StreamState, conn: Conn, request: Request): void => {
    stream.result.sent++;
    const timeoutMs = stream.spec.timeoutMs ?? 10_000;
    request.timer = setTimeout(() => {
      request.timer = null;
      if (conn.current === request) {
        conn.current = null;
        conn.destroy();
        stream.open--;
        fail(stream, request, `no answer within ${timeoutMs} ms`);
      }
    }, timeoutMs);
    conn.send(request, stream.build());
  };

  const dispatch = (stream: StreamState, request: Request): void => {
    stream.outstanding++;
    stream.result.dispatchLag.record(performance.now() - request.scheduledAt);
    const conn = stream.idle.pop();
    if (conn !== undefined) return dispatchOn(stream, conn, request);
    if (stream.open < (stream.spec.maxConnections ?? 2000)) {
      openConn(stream).then(
        (fresh) => release(stream, fresh),
        (error: Error) => {
          const waiting = stream.waiting.indexOf(request);
          if (waiting >= 0) {
            stream.waiting.splice(waiting, 1);
            fail(stream, request, `connect: ${error.message}`);
          }
        },
      );
    }
    stream.waiting.push(request);
  };

  /**
   * Requests still waiting for a free connection after their timeout are dropped (counted as
   * errors, like k6's dropped iterations): an overloaded server cannot make the run last forever.
   */
  const dropStale = (stream: StreamState, now: number): void => {
    const timeoutMs = stream.spec.timeoutMs ?? 10_000;
    while (stream.waiting.length > 0 && now - stream.waiting[0].scheduledAt > timeoutMs) {
      const request = stream.waiting.shift() as Request;
      stream.result.dropped++;
      fail(stream, request, `no free connection within ${timeoutMs} ms (dropped)`);
    }
  };

  // Pre-warm: enough connections for the expected concurrency at ~20 ms per request.
  await Promise.all(
    streams.map(async (stream) => {
      const n = Math.min(stream.spec.maxConnections ?? 2000, Math.ceil(stream.spec.rate * 0.02) + 16);
      const conns = await Promise.all(Array.from({ length: n }, () => openConn(stream)));
      stream.idle.push(...conns);
    }),
  );

  const t0 = performance.now() + 5;
  for (const stream of streams) stream.t0 = t0;
  const totals = streams.map((s) => Math.round(s.spec.rate * s.spec.durationS));
  const next = streams.map(() => 0);
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      let pending = false;
      streams.forEach((stream, k) => {
        dropStale(stream, now);
        const interval = 1000 / stream.spec.rate;
        while (next[k] < totals[k] && t0 + next[k] * interval <= now) {
          dispatch(stream, { stream, scheduledAt: t0 + next[k] * interval, sentAt: 0, timer: null });
          next[k]++;
        }
        if (next[k] < totals[k]) pending = true;
      });
      if (pending) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  // Wait for the last answers (each request has its own timeout, waiting ones are dropped).
  while (streams.some((s) => s.outstanding > 0)) {
    for (const stream of streams) dropStale(stream, performance.now());
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsedS = (performance.now() - t0) / 1000;
  for (const stream of streams) {
    for (const conn of stream.idle) conn.destroy();
    stream.idle.length = 0;
  }
  return streams.map((stream, k) => {
    const r = stream.result;
    return {
      name: stream.spec.name,
      rate: stream.spec.rate,
      durationS: stream.spec.durationS,
      scheduled: totals[k],
      sent: r.sent,
      ok: r.ok,
      errors: r.errors,
      dropped: r.dropped,
      statuses: Object.fromEntries([...r.statuses].map(([status, n]) => [String(status), n])),
      errorSamples: r.errorSamples,
      latencyMs: r.latency.summary(),
      serviceMs: r.service.summary(),
      dispatchLagMs: r.dispatchLag.summary(),
      okPerSecond: Array.from({ length: Math.ceil(stream.spec.durationS) + 1 }, (_, i) => r.okPerSecond[i] ?? 0),
      connectionsOpened: stream.opened,
      elapsedS,
      ...(r.acks ? { acks: r.acks } : {}),
    };
  });
};

/** Child-process protocol: {type: 'run', specs} → {type: 'result', results}; {type: 'exit'}. */
if (require.main === module && process.send) {
  process.on('message', (message: { type: string; specs?: StreamSpec[]; secret?: string; participants?: number }) => {
    if (message.type === 'exit') process.exit(0);
    if (message.type === 'prepare') {
      tokensFor(message.secret as string, message.participants as number);
      process.send?.({ type: 'prepared' });
    }
    if (message.type === 'run') {
      runStreams(message.specs ?? []).then(
        (results) => process.send?.({ type: 'result', results }),
        (error: unknown) => process.send?.({ type: 'error', error: error instanceof Error ? error.stack : String(error) }),
      );
    }
  });
  process.send({ type: 'ready' });
}
