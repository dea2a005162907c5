// @ts-check
/** Reading JSON answers without trusting them: every accessor checks the type it returns. */

/** @param {unknown} value @returns {value is Record<string, unknown>} */
export const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The answer's JSON object, or undefined when the body is not one. @param {{ body: unknown }} res */
export const jsonBody = (res) => {
  if (typeof res.body !== 'string' || res.body === '') return undefined;
  try {
    /** @type {unknown} */
    const value = JSON.parse(res.body);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

/** Whether the body is JSON at all (an object or an array). @param {{ body: unknown }} res */
export const isJson = (res) => {
  if (typeof res.body !== 'string' || res.body === '') return false;
  try {
    JSON.parse(res.body);
    return true;
  } catch {
    return false;
  }
};

/** @param {Record<string, unknown> | undefined} record @param {string} key */
export const stringAt = (record, key) => {
  const value = record === undefined ? undefined : record[key];
  return typeof value === 'string' ? value : undefined;
};

/** @param {Record<string, unknown> | undefined} record @param {string} key */
export const recordAt = (record, key) => {
  const value = record === undefined ? undefined : record[key];
  return isRecord(value) ? value : undefined;
};

/** @param {Record<string, unknown> | undefined} record @param {string} key @returns {unknown[] | undefined} */
export const arrayAt = (record, key) => {
  const value = record === undefined ? undefined : record[key];
  return Array.isArray(value) ? value : undefined;
};

/** RFC 9457 `type` slug of a problem answer. @param {{ body: unknown }} res */
export const problemType = (res) => stringAt(jsonBody(res), 'type');

/**
 * The log position of a write answer (API.md: `position: {topic, partition, offset}`).
 * @param {{ body: unknown }} res @returns {import('./types.js').Position | undefined}
 */
export const positionOf = (res) => {
  const position = recordAt(jsonBody(res), 'position');
  const topic = stringAt(position, 'topic');
  const offset = stringAt(position, 'offset');
  const partition = position === undefined ? undefined : position.partition;
  if (topic === undefined || offset === undefined || !/^\d+$/.test(offset) || typeof partition !== 'number') return undefined;
  return { topic, partition, offset };
};
