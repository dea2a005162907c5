import { CURRENT_VERSION, DomainEvent, DomainEventType } from './domain-event';
import { DATA_SCHEMAS, ENVELOPE_SCHEMA } from './event-schemas';
import { RawEvent, upcast } from './upcasters';

export type DecodeResult = { ok: true; event: DomainEvent } | { ok: false; reason: string };

/** Events are stored as UTF-8 JSON of the envelope. */
export const encodeEvent = (event: DomainEvent): Buffer => Buffer.from(JSON.stringify(event));

/**
 * Decodes a stored record: parse, check the envelope, check the data against the shape of its
 * own (type, version), then upcast to the current version and check that shape too. Never throws.
 */
export const decodeEvent = (raw: Buffer | string | null): DecodeResult => {
  if (raw === null) return { ok: false, reason: 'empty record value (tombstone)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    // Not the parser's message: it quotes the record's text, which may hold personal data, and
    // reasons end up in logs and dead-letter headers.
    return { ok: false, reason: `not JSON (${typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length} bytes)` };
  }
  const envelopeProblems = ENVELOPE_SCHEMA(parsed, '');
  if (envelopeProblems.length > 0) return { ok: false, reason: envelopeProblems.join('; ') };
  const stored = parsed as RawEvent;
  const storedSchema = DATA_SCHEMAS[`${stored.type}@${stored.schemaVersion}`];
  if (!storedSchema) return { ok: false, reason: `unknown event ${stored.type}@${stored.schemaVersion}` };
  const storedProblems = storedSchema(stored.data, '/data');
  if (storedProblems.length > 0) return { ok: false, reason: storedProblems.join('; ') };

  const current = upcast(stored);
  const expected = CURRENT_VERSION[current.type as DomainEventType];
  if (current.schemaVersion !== expected) {
    return { ok: false, reason: `no upcaster from ${current.type}@${current.schemaVersion} to @${expected}` };
  }
  if (current !== stored) {
    const problems = DATA_SCHEMAS[`${current.type}@${current.schemaVersion}`](current.data, '/data');
    if (problems.length > 0) return { ok: false, reason: `upcast: ${problems.join('; ')}` };
  }
  return { ok: true, event: current as unknown as DomainEvent };
};
