import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig } from '@app/config';
import { DetectionSettings } from './detection-rules';

/** Settings of `npm run abuse:scan` (docs/abuse.md, "Thresholds"), read once and validated. */
export class AbuseScanConfig extends CommonConfig {
  /** 0: scan once and exit; otherwise scan every N seconds until SIGTERM/SIGINT. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400)
  ABUSE_SCAN_EVERY_SECONDS = 0;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  ABUSE_BURST_WINDOW_SECONDS = 600;

  @Type(() => Number)
  @IsInt()
  @Min(2)
  ABUSE_BURST_MIN_REGISTRATIONS = 20;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  ABUSE_IDENTICAL_MIN_VOTES = 8;

  @Type(() => Number)
  @IsInt()
  @Min(2)
  ABUSE_IDENTICAL_MIN_PARTICIPANTS = 5;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86_400)
  ABUSE_RATE_WINDOW_SECONDS = 60;

  @Type(() => Number)
  @IsInt()
  @Min(2)
  ABUSE_RATE_MAX_VOTES = 30;

  /** The scan verifies no participant token. */
  override TOKEN_SECRET = 'unused-by-the-abuse-scan-but-validated-00';
}

export const detectionSettingsOf = (config: AbuseScanConfig): DetectionSettings => ({
  burstWindowMs: config.ABUSE_BURST_WINDOW_SECONDS * 1000,
  burstMinRegistrations: config.ABUSE_BURST_MIN_REGISTRATIONS,
  identicalMinVotes: config.ABUSE_IDENTICAL_MIN_VOTES,
  identicalMinParticipants: config.ABUSE_IDENTICAL_MIN_PARTICIPANTS,
  rateWindowMs: config.ABUSE_RATE_WINDOW_SECONDS * 1000,
  rateMaxVotes: config.ABUSE_RATE_MAX_VOTES,
});
