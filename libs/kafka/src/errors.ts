/**
 * Errors the HTTP layer maps to answers. `KafkaUnavailableError` is the 503 of API.md: the
 * broker did not confirm the event in time (or is known to be down). `outcome` says whether the
 * event may still land: "unknown" once its batch was handed to the broker (a timed-out acks=all
 * request can still be written, so the client retries with the same Idempotency-Key and the
 * derived event id makes the retry count once), "not-sent" when it never left this process.
 */
export type AppendOutcome = 'unknown' | 'not-sent';

export class KafkaUnavailableError extends Error {
  override readonly name = 'KafkaUnavailableError';
  readonly retryAfterSeconds: number;
  readonly outcome: AppendOutcome;

  constructor(message: string, options: { retryAfterSeconds: number; outcome: AppendOutcome; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.outcome = options.outcome;
  }
}

/** The event topic does not exist on the broker (run `ensureTopics`): a deployment defect. */
export class KafkaTopicNotFoundError extends Error {
  override readonly name = 'KafkaTopicNotFoundError';

  constructor(readonly topic: string) {
    super(`Kafka topic "${topic}" does not exist (create it with ensureTopics)`);
  }
}

/** An encoded record larger than a batch may hold: a defect of the caller, never sent. */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';

  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`encoded record of ${bytes} bytes exceeds maxBatchBytes ${maxBytes}`);
  }
}

export const errorMessage = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
