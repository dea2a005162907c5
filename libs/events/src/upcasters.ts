import { DEFAULT_THRESHOLDS } from './consultation-events';

/**
 * Upcasters lift a stored (type, version) to the next version, one step at a time, so every
 * consumer only ever handles the current version. An entry is added whenever a new version of
 * an event is published; old entries are never removed (the log keeps old versions forever).
 */
export interface RawEvent {
  type: string;
  schemaVersion: number;
  eventId: string;
  occurredAt: string;
  data: Record<string, unknown>;
  meta: { correlationId: string; causationId?: string };
}

type Upcaster = (event: RawEvent) => RawEvent;

export const UPCASTERS: Readonly<Record<string, Upcaster>> = {
  // v2 added per-consultation plébiscite thresholds; v1 consultations used the defaults.
  'ConsultationScheduled@1': (event) => ({
    ...event,
    schemaVersion: 2,
    data: { ...event.data, thresholds: { ...DEFAULT_THRESHOLDS } },
  }),
  // v2 added the optional networkId (abuse detection); v1 registrations carry none.
  'ParticipantRegistered@1': (event) => ({ ...event, schemaVersion: 2 }),
  // v2 added a refusal reason code; v1 refusals predate it and are `other` (never `personal-data`:
  // only a moderator's explicit code scrubs a text).
  'ProposalRefused@1': (event) => ({ ...event, schemaVersion: 2, data: { ...event.data, reasonCode: 'other' } }),
};

export const upcast = (event: RawEvent): RawEvent => {
  let current = event;
  for (let step = 0; step < 100; step++) {
    const next = UPCASTERS[`${current.type}@${current.schemaVersion}`];
    if (!next) return current;
    current = next(current);
  }
  throw new Error(`upcaster loop for ${event.type}@${event.schemaVersion}`);
};
