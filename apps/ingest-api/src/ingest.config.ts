import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsInt, Matches, Max, Min } from 'class-validator';
import { CommonConfig } from '@app/config';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

export class IngestConfig extends CommonConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /**
   * Moderator/admin bearer tokens, comma-separated. An entry `name:token` names the moderator in
   * the audit trail; a bare token is named `moderator-<first 8 hex of its SHA-256>`.
   */
  @Transform(splitList)
  @ArrayMinSize(1, { message: 'MODERATOR_TOKENS must list at least one token' })
  @Matches(/^([a-zA-Z0-9._-]{1,40}:)?\S{16,}$/, {
    each: true,
    message: 'MODERATOR_TOKENS entries must be `token` or `name:token`, tokens of at least 16 characters',
  })
  MODERATOR_TOKENS: string[] = [];

  /** Participant token lifetime; covers the consultation period. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  PARTICIPANT_TOKEN_TTL_SECONDS = 120 * 24 * 3600;

  /** Longest wait for Kafka's acks=all before answering 503 (API.md: bounded, ≤ 5 s). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(5000)
  KAFKA_ACK_TIMEOUT_MS = 4000;

  /** Upper bound of one shared produce call (events of concurrent requests). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  KAFKA_MAX_BATCH_MESSAGES = 2000;

  /** Wait this long before sending a batch that started idle, to gather more events. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(50)
  KAFKA_LINGER_MS = 0;

  /** How long an Idempotency-Key's first answer is replayed. */
  @Type(() => Number)
  @IsInt()
  @Min(60)
  IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
}
