import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

const keyIds = (entries: readonly string[]): string[] => entries.map((entry) => entry.split(':')[0]);

@ValidatorConstraint({ name: 'signingKeyId' })
class NamesATokenKey implements ValidatorConstraintInterface {
  validate(value: unknown, { object }: ValidationArguments): boolean {
    return typeof value === 'string' && keyIds((object as CommonConfig).TOKEN_SECRETS).includes(value);
  }

  defaultMessage({ object }: ValidationArguments): string {
    const ids = keyIds((object as CommonConfig).TOKEN_SECRETS);
    return `TOKEN_SIGNING_KEY_ID must name one of the key ids of TOKEN_SECRETS (${ids.join(', ') || 'none set'})`;
  }
}

/** Variables every app reads. Defaults are the local stack of `npm start`. */
export class CommonConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' = 'info';

  @IsString()
  HOST = '127.0.0.1';

  /** `host:port` list. */
  @Transform(splitList)
  @Matches(/^[^\s:,]+:\d{1,5}$/, { each: true, message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

  /** Prefix of every topic name: isolates environments and test runs on one broker. */
  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"' })
  TOPIC_PREFIX = '';

  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://consultation:consultation@127.0.0.1:5432/consultation';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  PG_POOL_SIZE = 10;

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every Redis key: isolates environments and tests on one server. */
  @IsString()
  REDIS_PREFIX = 'consultation:';

  /**
   * Key prefix of the Redis projection (running tallies, counters, its own offsets): written by
   * the projector, read by the query-api. Keys are `${REDIS_PROJECTION_PREFIX}:<kind>:<id>`.
   */
  @Matches(/^\S{1,100}$/, { message: 'REDIS_PROJECTION_PREFIX must be 1–100 characters without spaces' })
  REDIS_PROJECTION_PREFIX = 'consultation:rm';

  /** Postgres schema of the read models, written by the projector, read by the query-api. */
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'READMODEL_SCHEMA must be a lower-case SQL identifier' })
  READMODEL_SCHEMA = 'readmodel';

  /**
   * HMAC secret of participant tokens, shared by both APIs: signs new tokens unless
   * TOKEN_SIGNING_KEY_ID names a key of TOKEN_SECRETS, and checks tokens that carry no key id
   * (docs/security.md "Key rotation"). Optional once TOKEN_SECRETS is set.
   */
  @ValidateIf((config: CommonConfig) => config.TOKEN_SECRET !== '' || config.TOKEN_SECRETS.length === 0)
  @IsString()
  @Matches(/^.{32,}$/, { message: 'TOKEN_SECRET must be at least 32 characters (or set TOKEN_SECRETS and TOKEN_SIGNING_KEY_ID)' })
  TOKEN_SECRET = '';

  /** Named token keys `kid:secret`, comma-separated: all are accepted, TOKEN_SIGNING_KEY_ID signs. */
  @Transform(splitList)
  @Matches(/^[A-Za-z0-9_-]{1,32}:[^,\s]{32,}$/, {
    each: true,
    message: 'TOKEN_SECRETS entries must be `kid:secret` (kid: 1–32 letters, digits, "_" or "-"; secret ≥ 32 characters)',
  })
  TOKEN_SECRETS: string[] = [];

  /** Key id of TOKEN_SECRETS that signs new participant tokens. */
  @ValidateIf((config: CommonConfig) => config.TOKEN_SECRETS.length > 0 || config.TOKEN_SIGNING_KEY_ID !== '')
  @Validate(NamesATokenKey)
  TOKEN_SIGNING_KEY_ID = '';

  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated). Empty:
   * the client address is the socket's peer, and X-Forwarded-For is ignored.
   */
  @Transform(splitList)
  @Matches(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, { each: true, message: 'TRUSTED_PROXIES entries must be IP addresses or CIDR ranges' })
  TRUSTED_PROXIES: string[] = [];

  /** Origins allowed to call the APIs from a browser (CORS), e.g. `https://consultation.example.fr`. Empty: none. */
  @Transform(splitList)
  @Matches(/^https?:\/\/[^\s/,]+$/, { each: true, message: 'CORS_ORIGINS entries must be origins like https://example.org (no path)' })
  CORS_ORIGINS: string[] = [];

  /** Strict-Transport-Security max-age sent by the APIs (0: header not sent). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(63_072_000)
  HSTS_MAX_AGE_SECONDS = 15_552_000;

  /** How long `/health/ready` waits for a dependency before calling it down. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10_000)
  READINESS_TIMEOUT_MS = 1500;
}
