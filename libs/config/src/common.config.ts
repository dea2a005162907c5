import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, Min } from 'class-validator';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

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

  /** HMAC secret of participant tokens, shared by both APIs. */
  @IsString()
  @IsNotEmpty()
  @Matches(/^.{32,}$/, { message: 'TOKEN_SECRET must be at least 32 characters' })
  TOKEN_SECRET = '';

  /** How long `/health/ready` waits for a dependency before calling it down. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10_000)
  READINESS_TIMEOUT_MS = 1500;
}
