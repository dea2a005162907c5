import { Transform, Type } from 'class-transformer';
import { ArrayMinSize, IsBoolean, IsInt, Matches, Max, Min, Validate } from 'class-validator';
import { CommonConfig } from '@app/config';
import { LIMIT_PATTERN, RateLimitOverrides } from './abuse/rate-limit-settings';

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

  // Write limits and revocation (docs/security.md; apps/ingest-api/src/abuse).

  /** Writes per participant and window (`<count>/<n>s|m|h`, or `off`), all write routes together. */
  @Matches(LIMIT_PATTERN, { message: 'RATE_LIMIT_PARTICIPANT must be "off" or like "60/1m" (s, m or h)' })
  RATE_LIMIT_PARTICIPANT = '60/1m';

  /** Writes per client address (an IPv6 /64) and window, every caller and route together. */
  @Matches(LIMIT_PATTERN, { message: 'RATE_LIMIT_ADDRESS must be "off" or like "1200/1m" (s, m or h)' })
  RATE_LIMIT_ADDRESS = '1200/1m';

  /** Registrations (POST /v1/participants) per client address and window. */
  @Matches(LIMIT_PATTERN, { message: 'RATE_LIMIT_REGISTRATION must be "off" or like "100/1h" (s, m or h)' })
  RATE_LIMIT_REGISTRATION = '100/1h';

  /** Per-consultation participant/address limits: `{"<slug>": {"participant": "30/1m", "address": "off"}}`. */
  @Validate(RateLimitOverrides)
  RATE_LIMIT_OVERRIDES = '';

  /** Client addresses or CIDR ranges never limited (load generators, probes); revocation still applies. */
  @Transform(splitList)
  @Matches(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, { each: true, message: 'RATE_LIMIT_EXEMPT entries must be IP addresses or CIDR ranges' })
  RATE_LIMIT_EXEMPT: string[] = [];

  // Load shedding (docs/operations.md, "Load shedding"; apps/ingest-api/src/load-shedding).

  /** false: nothing is refused for load (to measure without shedding); the figures are still exported. */
  @Transform(({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean({ message: 'SHED_ENABLED must be true or false' })
  SHED_ENABLED = true;

  /** Write requests in progress (each appends at most one event); more wait for a turn. Also the bound of the `writes-backlog` signal. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  SHED_MAX_IN_FLIGHT_WRITES = 256;

  /** Write requests that may wait for a turn; more are refused at once (`queue-full`). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100_000)
  SHED_MAX_WAITING = 512;

  /** Controlled delay: once no request got its turn within this for a whole interval, waits are cut to it. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  SHED_QUEUE_TARGET_MS = 10;

  /** Controlled delay: the longest wait for a turn while the queue is not standing. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  SHED_QUEUE_INTERVAL_MS = 100;

  /** Bound of the `broker-slow` signal (append delay): proposals are shed from half of it, registrations from it. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60_000)
  SHED_APPEND_DELAY_MS = 250;

  /** The append delay counts only with at least this many writes in progress (one slow append is not overload). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHED_BROKER_MIN_WRITES = 8;

  /** Bound of the `projector-lag` signal (events not yet committed by the projector's group); 0 ignores the projector. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHED_PROJECTOR_LAG_EVENTS = 50_000;

  /** The projector's consumer group, read for its lag (its PROJECTOR_GROUP_ID). */
  @Matches(/^[a-zA-Z0-9._-]{1,100}$/, { message: 'SHED_PROJECTOR_GROUP_ID may hold letters, digits, ".", "_" and "-"' })
  SHED_PROJECTOR_GROUP_ID = 'projector';

  /** How often the projector's lag is read from Kafka (off the request path). */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  SHED_LAG_SAMPLE_MS = 5000;

  /** How often the shedding level is recomputed from the signals. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(5000)
  SHED_SAMPLE_MS = 100;

  /** Time below a level's threshold before the level falls by one. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  SHED_COOLDOWN_MS = 2000;

  /** Retry-After of a 503 `overloaded`. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  SHED_RETRY_AFTER_SECONDS = 2;

  /**
   * Secret of the network ids registrations carry (HMAC of the client's /24 or /48 prefix, for the
   * abuse scan; docs/abuse.md). Empty: derived from the token secret(s).
   */
  @Matches(/^(|.{32,})$/, { message: 'NETWORK_ID_SECRET must be empty or at least 32 characters' })
  NETWORK_ID_SECRET = '';
}
