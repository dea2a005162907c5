// @ts-check
import http from 'k6/http';
import { setTimeout } from 'k6/timers';
import { config } from './config.js';
import { problemType } from './json.js';

/** A pause that does not block the VU's event loop (sleep() would, and the Node adapter cannot block). @param {number} ms */
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @typedef {object} CallOptions
 * @property {string} name tag `name` of the request: thresholds and reports group on it
 * @property {number[]} expect statuses that are a normal answer here; any other counts in http_req_failed
 * @property {string} [token] bearer token
 * @property {string} [key] Idempotency-Key; with one, an unconfirmed write (503, network error) and a
 *   request still in flight under the same key (409) are retried with the same key (API.md "Idempotency")
 * @property {unknown} [body] JSON body
 */

/** @param {import('k6/http').RefinedResponse<'text'>} res */
const retriable = (res) => res.status === 0 || res.status === 503 || (res.status === 409 && problemType(res) === 'idempotency-request-in-flight');

/** Retry-After (seconds, capped at 2 s) for a 503, a short back-off otherwise. @param {import('k6/http').RefinedResponse<'text'>} res @param {number} attempt */
const retryDelayMs = (res, attempt) => {
  const after = Number(res.headers['Retry-After']);
  if (res.status === 503 && Number.isFinite(after) && after > 0) return Math.min(2000, after * 1000);
  return 50 * attempt;
};

/**
 * One HTTP exchange with the JSON conventions of API.md, retried as the contract asks for writes.
 * @param {string} method @param {string} url @param {CallOptions} options
 */
export const call = async (method, url, options) => {
  /** @type {Record<string, string>} */
  const headers = {};
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  if (options.key !== undefined) headers['Idempotency-Key'] = options.key;
  /** @type {import('k6/http').RefinedParams<'text'>} */
  const params = {
    headers,
    tags: { name: options.name },
    responseCallback: http.expectedStatuses(...options.expect),
    timeout: config.requestTimeout,
    responseType: 'text',
  };
  const body = options.body === undefined ? null : JSON.stringify(options.body);
  for (let attempt = 1; ; attempt++) {
    const res = await http.asyncRequest(method, url, body, params);
    if (options.key === undefined || attempt >= config.writeAttempts || !retriable(res)) return res;
    await pause(retryDelayMs(res, attempt));
  }
};
