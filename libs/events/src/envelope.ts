/**
 * The versioned envelope every event travels in. A published (type, schemaVersion) pair never
 * changes shape: a new shape is a new version plus an upcaster (see upcasters.ts).
 * This lib imports no framework, client or I/O module.
 */
export interface EventMetadata {
  /** Ties together everything caused by one client request (the request id). */
  readonly correlationId: string;
  /** The event or command that caused this one, when there is one. */
  readonly causationId?: string;
}

export interface EventEnvelope<TType extends string, TVersion extends number, TData> {
  readonly type: TType;
  readonly schemaVersion: TVersion;
  /** UUID. Derived from the Idempotency-Key when the client sent one, so a retry keeps its id. */
  readonly eventId: string;
  /** ISO-8601 instant stamped by the ingest clock; the phase windows were judged against it. */
  readonly occurredAt: string;
  readonly data: TData;
  readonly meta: EventMetadata;
}
