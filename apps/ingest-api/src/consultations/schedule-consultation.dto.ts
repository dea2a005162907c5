import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';

export class ThresholdsDto {
  @IsOptional() @IsNumber() minVotes?: number;
  @IsOptional() @IsNumber() minAdhesion?: number;
  @IsOptional() @IsNumber() minEngagement?: number;
  @IsOptional() @IsNumber() minVotesPerTier?: number;
  @IsOptional() @IsNumber() minVotesControversy?: number;
}

/** Types and sizes; slug, instants, window order and threshold ranges are domain rules. */
export class ScheduleConsultationDto {
  @ApiProperty({ example: 'grande-cause-territoires' })
  @IsString()
  @MaxLength(100)
  slug!: string;

  @ApiProperty({ example: 'Comment améliorer les conditions de vie dans votre territoire ?' })
  @IsString()
  @MaxLength(1000)
  question!: string;

  @ApiProperty({ example: '2021-02-01T00:00:00+01:00' }) @IsString() @MaxLength(40) proposalsOpenAt!: string;
  @ApiProperty({ example: '2021-03-15T00:00:00+01:00' }) @IsString() @MaxLength(40) proposalsCloseAt!: string;
  @ApiProperty({ example: '2021-02-01T00:00:00+01:00' }) @IsString() @MaxLength(40) votesOpenAt!: string;
  @ApiProperty({ example: '2021-03-31T00:00:00+02:00' }) @IsString() @MaxLength(40) votesCloseAt!: string;

  @ApiPropertyOptional({ type: ThresholdsDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ThresholdsDto)
  thresholds?: ThresholdsDto;
}
