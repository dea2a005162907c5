import { Transform, Type } from 'class-transformer';
import { IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig } from '@app/config';

const splitList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value;

/**
 * query-api settings. The read-model locations must match what the projector writes: the
 * Postgres schema and projection name of readmodel.projection_offsets, and the key prefix of the
 * Redis projection (see apps/projector/src/projection/redis-apply-script.ts for the key layout).
 */
export class QueryConfig extends CommonConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3001;

  /** Moderator tokens, same format as the ingest (`token` or `name:token`, comma-separated). */
  @Transform(splitList)
  @Matches(/^([a-zA-Z0-9._-]{1,40}:)?\S{16,}$/, {
    each: true,
    message: 'MODERATOR_TOKENS entries must be `token` or `name:token`, tokens of at least 16 characters',
  })
  MODERATOR_TOKENS: string[] = [];


  /** Name of the Postgres projection in readmodel.projection_offsets. */
  @IsString()
  READMODEL_PROJECTION = 'postgres';


  /**
   * Redis key holding the live projection prefix: a rebuild writes a fresh generation and
   * switches readers by setting it (apps/projector/src/rebuild). Empty: the projector's own
   * convention, `${REDIS_PROJECTION_PREFIX}:active`.
   */
  @IsString()
  REDIS_PROJECTION_POINTER = '';

  /**
   * How long a consultation's in-memory snapshot (lists, results, sequence) is fresh. Loading one
   * costs about 0.2 s of CPU per 10,000 proposals, so this bounds that cost under any traffic.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  SNAPSHOT_TTL_MS = 2000;

  /** How long past its TTL a snapshot may still be served while its reload runs (0: always wait). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300_000)
  SNAPSHOT_MAX_STALE_MS = 30_000;

  /** Rows fetched per round trip by the CSV export (bounds its memory). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(10_000)
  EXPORT_BATCH_ROWS = 500;

  /** Minimum controversy (0..1) for a proposal to be listed among controversies. */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  CONTROVERSY_MIN = 0.5;

  /** Minimum smoothed agreement (agree+1)/(votes+2) in every tier for the cross-tier consensus list. */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  CONSENSUS_MIN_TIER_AGREEMENT = 0.5;

  /** Minimum gap of smoothed net support between the backing and the rejecting tier (0..2). */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(2)
  DIVERGENCE_MIN_GAP = 0.4;

  /** Share of sequence slots given to exploring proposals that already have enough votes (0..1). */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  SEQUENCE_EXPLORATION = 0.2;
}
