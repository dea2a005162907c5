import { createHash, randomUUID } from 'node:crypto';

/**
 * Event and aggregate ids. With an Idempotency-Key, ids are a name-based UUID (v5 layout, SHA-1)
 * of (scope, caller, route, key), so a retried request produces the same event id and the same
 * proposal id even if the idempotency store was lost; the projector drops the duplicate.
 * Node's crypto is part of the platform, not a framework: this lib still does no I/O.
 */
export const deterministicUuid = (...parts: readonly string[]): string => {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const newUuid = (): string => randomUUID();
