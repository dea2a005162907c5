import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { QUALIFICATIONS, VOTE_VALUES } from '@app/events';

/**
 * Types and sizes only; which value and which qualifications are allowed together is a domain
 * rule (libs/domain vote.ts), reported with the same pointers.
 */
export class CastVoteDto {
  @ApiProperty({ enum: VOTE_VALUES })
  @IsString()
  @MaxLength(20)
  value!: string;

  @ApiPropertyOptional({ enum: QUALIFICATIONS, isArray: true, maxItems: 3 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @IsString({ each: true })
  @MaxLength(30, { each: true })
  qualifications?: string[];
}
