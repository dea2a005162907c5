import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CommonConfig } from '@app/config';

export class ProjectorConfig extends CommonConfig {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3002;

  /** The consumer group; instances of one group share the partitions. */
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]{1,100}$/, { message: 'PROJECTOR_GROUP_ID may hold letters, digits, ".", "_" and "-"' })
  PROJECTOR_GROUP_ID = 'projector';


  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  PROJECTOR_PARTITIONS_CONCURRENTLY = 4;

  /** The projector does not verify participant tokens. */
  override TOKEN_SECRET = 'unused-by-the-projector-but-validated-0000';

  /** Nor does it need the rotation keys (docs/security.md). */
  override TOKEN_SECRETS: string[] = [];
}
