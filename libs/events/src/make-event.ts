import { CURRENT_VERSION, DomainEventType, EventOfType } from './domain-event';

export interface EventContext {
  readonly eventId: string;
  readonly occurredAt: Date;
  readonly correlationId: string;
  readonly causationId?: string;
}

/** Builds an event at its current schema version. */
export const makeEvent = <K extends DomainEventType>(type: K, data: EventOfType<K>['data'], context: EventContext): EventOfType<K> =>
  ({
    type,
    schemaVersion: CURRENT_VERSION[type],
    eventId: context.eventId,
    occurredAt: context.occurredAt.toISOString(),
    data,
    meta: context.causationId === undefined ? { correlationId: context.correlationId } : { correlationId: context.correlationId, causationId: context.causationId },
  }) as EventOfType<K>;
