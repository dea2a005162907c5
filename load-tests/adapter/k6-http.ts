import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import { MetricSink } from './metric-sink';
import { scenarioTag } from './iteration-context';

/**
 * `k6/http` for Node: `asyncRequest` over keep-alive agents, the Response fields the scripts
 * read (status, body as text, canonical header names, timings, error), and the metrics k6
 * records per request (http_reqs, http_req_duration, http_req_failed) with the same tags
 * (name, method, status, expected_response, scenario). The synchronous request functions cannot
 * exist in Node without blocking every VU, so they throw.
 */
export interface ExpectedStatuses {
  readonly kind: 'expected-statuses';
  readonly statuses: ReadonlySet<number>;
  readonly ranges: readonly { readonly min: number; readonly max: number }[];
}

export interface K6Params {
  readonly headers?: Readonly<Record<string, string>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly timeout?: string | number;
  readonly responseCallback?: ExpectedStatuses;
  readonly responseType?: 'text' | 'none' | 'binary';
}

export interface K6Response {
  readonly status: number;
  readonly body: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly url: string;
  readonly error: string;
  readonly error_code: number;
  readonly timings: { readonly duration: number; readonly waiting: number; readonly receiving: number; readonly sending: number; readonly blocked: number; readonly connecting: number; readonly tls_handshaking: number };
  readonly request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body: string };
  json(selector?: string): unknown;
}

/** k6 (Go) answers header names in canonical MIME form: content-type → Content-Type. */
const canonical = (name: string): string => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

const DEFAULT_EXPECTED: ExpectedStatuses = { kind: 'expected-statuses', statuses: new Set(), ranges: [{ min: 200, max: 399 }] };

export const expectedStatuses = (...items: (number | { min: number; max: number })[]): ExpectedStatuses => ({
  kind: 'expected-statuses',
  statuses: new Set(items.filter((item): item is number => typeof item === 'number')),
  ranges: items.filter((item): item is { min: number; max: number } => typeof item !== 'number'),
});

const isExpected = (callback: ExpectedStatuses, status: number): boolean =>
  callback.statuses.has(status) || callback.ranges.some((range) => status >= range.min && status <= range.max);

/** "10s", "500ms", "2m" or a number of ms. */
const timeoutMs = (timeout: string | number | undefined): number => {
  if (timeout === undefined) return 60_000;
  if (typeof timeout === 'number') return timeout;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(timeout);
  if (!match) throw new Error(`k6 adapter: unsupported timeout "${timeout}"`);
  return Number(match[1]) * { ms: 1, s: 1000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
};

const bodyText = (body: unknown): string => {
  if (body === null || body === undefined) return '';
  if (typeof body === 'string') return body;
  throw new Error('k6 adapter: only string bodies are supported (send JSON.stringify(...))');
};

export interface HttpModuleOptions {
  readonly sink: MetricSink;
  /** Connections per host and protocol (keep-alive). */
  readonly maxSockets: number;
}

export const createHttpModule = ({ sink, maxSockets }: HttpModuleOptions) => {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' }),
  };
  let defaultCallback = DEFAULT_EXPECTED;

  const record = (response: K6Response, method: string, params: K6Params | undefined): void => {
    const expected = isExpected(params?.responseCallback ?? defaultCallback, response.status);
    const tags = {
      ...scenarioTag(),
      name: params?.tags?.name ?? response.url,
      method,
      status: String(response.status),
      expected_response: String(expected),
      ...params?.tags,
    };
    sink.add('http_reqs', 'counter', 1, tags);
    sink.add('http_req_duration', 'trend', response.timings.duration, tags);
    sink.add('http_req_failed', 'rate', expected ? 0 : 1, tags);
  };

  const asyncRequest = (method: string, url: string, body?: unknown, params?: K6Params | null): Promise<K6Response> => {
    const payload = bodyText(body);
    const target = new URL(url);
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const transport = target.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'User-Agent': 'k6-node-adapter', ...params?.headers };
    if (payload !== '') headers['Content-Length'] = String(Buffer.byteLength(payload));
    const started = performance.now();
    return new Promise<K6Response>((resolve) => {
      let firstByte = started;
      let done = false;
      const finish = (status: number, text: string | null, responseHeaders: Record<string, string>, error = '', errorCode = 0): void => {
        if (done) return;
        done = true;
        const ended = performance.now();
        const response: K6Response = {
          status,
          body: params?.responseType === 'none' ? null : text,
          headers: responseHeaders,
          url,
          error,
          error_code: errorCode,
          timings: { duration: ended - started, waiting: firstByte - started, receiving: ended - firstByte, sending: 0, blocked: 0, connecting: 0, tls_handshaking: 0 },
          request: { method, url, headers, body: payload },
          json: () => (text === null || text === '' ? null : JSON.parse(text)),
        };
        record(response, method, params ?? undefined);
        resolve(response);
      };
      const request = transport.request(target, { method, headers, agent }, (res) => {
        firstByte = performance.now();
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const responseHeaders: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders[canonical(name)] = Array.isArray(value) ? value.join(', ') : value;
          }
          finish(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), responseHeaders);
        });
        res.on('error', (error) => finish(0, null, {}, error.message, 1000));
      });
      request.setTimeout(timeoutMs(params?.timeout), () => request.destroy(new Error('request timeout')));
      request.on('error', (error) => finish(0, null, {}, error.message, error.message === 'request timeout' ? 1050 : 1000));
      request.end(payload === '' ? undefined : payload);
    });
  };

  const synchronous = (name: string) => (): never => {
    throw new Error(`k6 adapter: http.${name} is synchronous and cannot run in Node; use await http.asyncRequest(...)`);
  };

  return {
    module: {
      asyncRequest,
      expectedStatuses,
      setResponseCallback: (callback: ExpectedStatuses): void => {
        defaultCallback = callback;
      },
      request: synchronous('request'),
      get: synchronous('get'),
      post: synchronous('post'),
      put: synchronous('put'),
      del: synchronous('del'),
      patch: synchronous('patch'),
      batch: synchronous('batch'),
    },
    close: (): void => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
};
